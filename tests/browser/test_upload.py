"""Uploading a file in the browser (--allow-upload): a private dashboard of its own, clear refusals, others unaffected.

The server runs on the demo data with a 0.01 MB upload limit. The uploaded file is conftest's
SMALL_ROWS, whose every number is known, including counts that must stay hidden.
"""

from __future__ import annotations

import re

import pytest

import hotline
from hotline import Filters

from .conftest import UPLOAD_MAX_MB, Ui, assert_no_small_numbers_shown, kpi_text

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

pytestmark = pytest.mark.browser

SMALL_GRAPHS = ("map-graph", "trend-graph", "trafficking-type-graph", "gender-graph")
FILE_INPUT = "#upload-file input[type=file]"
UPLOAD_URL = re.compile(r"/upload/[A-Za-z0-9_-]{20,}/$")


@pytest.fixture
def upload_ui(page, upload_server) -> Ui:
    return Ui(page, upload_server)


def test_an_uploaded_file_opens_privately_and_others_still_see_the_demo(
    upload_ui: Ui, open_page, small_csv, small, demo
):
    upload_ui.open()
    page = upload_ui.page
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))
    page.set_input_files(FILE_INPUT, str(small_csv))
    page.wait_for_url(UPLOAD_URL)
    upload_ui.wait_drawn(SMALL_GRAPHS)
    private_url = page.url
    # The uploaded file's numbers, computed by the domain API from the same file.
    assert small.total == 475
    # An upload is keyed by its content (every worker publishes the same numbers): read it the same way.
    small = hotline.load_bytes(small_csv.name, small_csv.read_bytes(), min_cell=small.min_cell)
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(small, Filters()))
    expect(page.locator("#source-line")).to_contain_text("small_signals.csv")
    expect(page.locator("#demo-badge")).to_have_count(0)
    expect(page.locator("#upload-title")).to_have_text("Your upload: small_signals.csv")
    assert_no_small_numbers_shown(upload_ui, small.min_cell)
    # The filters work on the private page: its callbacks reach the upload's own app.
    page.goto(f"{private_url}?state=TX")
    upload_ui.wait_drawn(SMALL_GRAPHS)
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(small, Filters(states=["TX"])))
    assert page.url.startswith(private_url)
    # Someone else, in another browser context, still sees the demo data.
    other = Ui(open_page(), upload_ui.server).open()
    expect(other.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))
    expect(other.page.locator("#demo-badge")).to_be_visible()
    expect(other.page.locator("#source-line")).not_to_contain_text("small_signals.csv")
    assert upload_ui.server.health()["records"] == int(demo.aggregate([])["count"].iloc[0])
    # Going back leaves the private view.
    page.get_by_role("link", name="Back to the shared dashboard").click()
    page.wait_for_url(f"{upload_ui.server.url}/")
    upload_ui.wait_drawn()
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))


def test_a_malformed_file_shows_the_validation_message_and_nothing_changes(upload_ui: Ui, demo, tmp_path):
    bad = tmp_path / "bad_signals.csv"
    bad.write_text("year,state,trafficking_type,count\n2019,TX,labor,40\n2020,TX,sx,30\n2021,OK,sex,25\n")
    with pytest.raises(hotline.DataError) as from_the_command_line:
        hotline.load(bad)
    message = str(from_the_command_line.value)
    assert "bad_signals.csv" in message and "trafficking_type" in message and "'sx'" in message and "row 3" in message
    upload_ui.open()
    page = upload_ui.page
    page.set_input_files(FILE_INPUT, str(bad))
    expect(page.locator("#upload-message")).to_have_text(message)
    expect(page.locator("#upload-message")).to_have_class(re.compile(r"\bupload-error\b"))
    upload_ui.wait_idle()
    assert page.url == f"{upload_ui.server.url}/"
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))
    expect(page.locator("#demo-badge")).to_be_visible()


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(upload_ui: Ui, demo, tmp_path):
    big = tmp_path / "big_signals.csv"
    big.write_text("year,state,trafficking_type,count\n" + "2020,TX,sex,5\n" * 1000)
    assert big.stat().st_size > UPLOAD_MAX_MB * 1024 * 1024
    upload_ui.open()
    page = upload_ui.page
    page.set_input_files(FILE_INPUT, str(big))
    size = f"{big.stat().st_size / 1024 / 1024:.2g}"
    expect(page.locator("#upload-message")).to_have_text(
        f"big_signals.csv: the file is larger than the {UPLOAD_MAX_MB:g} MB allowed for uploads (it is {size} MB)"
    )
    upload_ui.wait_idle()
    assert page.url == f"{upload_ui.server.url}/"
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))


def test_an_unknown_upload_address_shows_a_friendly_expired_page(upload_ui: Ui):
    page = upload_ui.page
    address = f"{upload_ui.server.url}/upload/no-such-upload-token/"
    response = page.goto(address)
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("This upload has expired")
    expect(page.locator("body")).to_contain_text("Upload the file again")
    expect(page.locator("body")).not_to_contain_text("Traceback")
    # The 404 is the point of this page: take it off the list of unexpected failures.
    guard = page.guard
    assert guard.failed_responses == [f"404 {address}"]
    guard.failed_responses.clear()
    guard.console_errors[:] = [e for e in guard.console_errors if "404" not in e]
    page.get_by_role("link", name="Back to the dashboard").click()
    upload_ui.wait_drawn()
    expect(page.locator("#upload-title")).to_have_text("Explore your own file")
