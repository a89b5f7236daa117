"""Live data in the browser: a row inserted into PostgreSQL reaches the page after a refresh, with no restart."""

from __future__ import annotations

import time

import pytest
from conftest import READER, READER_PASSWORD
from playwright.sync_api import expect

import hotline
from hotline import Filters

from .conftest import Ui, kpi_text, start_server, stop_server

pytestmark = pytest.mark.browser

GRAPHS = ("map-graph", "trend-graph", "trafficking-type-graph")
REFRESH_MINUTES = 0.05  # every 3 seconds


@pytest.fixture
def live_table(postgres):
    postgres.psql(
        "DROP TABLE IF EXISTS live_signals;"
        "CREATE TABLE live_signals (year int, state text, trafficking_type text, count int);"
        "INSERT INTO live_signals VALUES (2020, 'TX', 'sex', 40), (2020, 'CA', 'labor', 25),"
        " (2021, 'TX', 'sex', 35), (2021, 'NY', 'sex_and_labor', 30);"
        f"GRANT SELECT ON live_signals TO {READER};"
    )
    return postgres.url(READER, READER_PASSWORD, query="?table=live_signals")


def test_a_row_inserted_into_postgresql_appears_after_a_refresh(live_table, postgres, open_page, tmp_path):
    server = start_server(tmp_path / "app.log", "--data", live_table, "--refresh-minutes", str(REFRESH_MINUTES))
    try:
        ui = Ui(open_page(), server)
        ui.open(graphs=GRAPHS)
        before = hotline.load(live_table)
        expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(before, Filters()))
        assert "2020–2021" in ui.page.inner_text("#source-line")
        first_version = server.health()["refresh"]["generation"]

        postgres.psql("INSERT INTO live_signals VALUES (2022, 'TX', 'sex', 45)")
        after = hotline.load(live_table)
        assert kpi_text(after, Filters()) != kpi_text(before, Filters())
        deadline = time.monotonic() + 30
        while server.health()["refresh"]["generation"] == first_version:
            assert time.monotonic() < deadline, f"no refresh within 30 s:\n{server.log()}"
            time.sleep(0.5)
        health = server.health()
        assert health["years"] == [2020, 2022] and health["refresh"]["last_try_failed"] is False

        ui.page.reload()
        ui.wait_drawn(GRAPHS)
        expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(after, Filters()))
        assert "2020–2022" in ui.page.inner_text("#source-line")
        assert "latest year: 2022" in ui.page.inner_text("#data-as-of")
        # The new year is a filter choice too: a link to it is accepted, with no notice.
        ui.open("?years=2022", graphs=GRAPHS)
        expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(after, Filters(years=(2022, 2022))))
        assert not ui.page.locator(".notice").count()
        assert server.process.poll() is None  # the same process throughout: no restart
        log = server.log()
        assert "Traceback" not in log and "refresh failed" not in log
        assert READER_PASSWORD not in log and READER_PASSWORD not in ui.page.content()
    finally:
        stop_server(server)
