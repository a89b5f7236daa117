"""Refreshing without a restart: LiveDataset swaps whole datasets, keeps the old one when a refresh fails,
and the page (layout, choices, /healthz) follows the data current at each request."""

from __future__ import annotations

import logging
import os
import threading

import pytest

import app
import hotline
from components import page, text
from hotline.live import LiveDataset
from hotline.sources import parse
from hotline.viewstate import LiveChoices, parse_query

HEADER = "year,month,state,trafficking_type,gender"


def write(path, rows, header=HEADER, mtime=None):
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    if mtime is not None:  # a distinct modification time, whatever the file system's resolution
        os.utime(path, ns=(mtime, mtime))


def rows(count, year=2020, month=3, state="TX"):
    return [f"{year},{month},{state},sex,female"] * count


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "signals.csv"
    write(path, rows(30) + rows(20, 2021, 6, "CA"), mtime=1_000_000_000_000_000_000)
    return path


def live_of(path, **kwargs) -> LiveDataset:
    source = parse(path)
    return LiveDataset(lambda: hotline.load_source(source), stamp=source.stamp, autostart=False, **kwargs)


def test_a_changed_file_is_read_once_it_settles_and_swapped_whole(csv):
    live = live_of(csv)
    first = live.current()
    assert first.total == 50 and first.source.latest == (2021, 6)
    live.poll()
    assert live.current() is first  # unchanged file: nothing read
    write(csv, rows(30) + rows(20, 2021, 6, "CA") + rows(15, 2022, 1, "NY"), mtime=1_000_000_000_100_000_000)
    live.poll()
    assert live.current() is first  # changed since the last check: it may still be being written
    live.poll()
    second = live.current()
    assert second is not first and second.years == (2020, 2022) and second.source.latest == (2022, 1)
    assert second.fingerprint != first.fingerprint
    assert first.years == (2020, 2021)  # the old dataset is untouched: a request holding it stays consistent
    assert live.status().generation == 2 and not live.status().last_try_failed
    assert live.years == (2020, 2022)  # the Dataset interface reads the current one


def test_a_bad_file_keeps_the_old_data_logs_one_line_and_is_not_retried_until_it_changes(csv, caplog):
    live = live_of(csv)
    first = live.current()
    write(csv, rows(30) + ["2021,6,CA,sex,Femal"], mtime=1_000_000_000_200_000_000)
    with caplog.at_level(logging.WARNING, logger="hotline.live"):
        for _ in range(4):
            live.poll()
    lines = [r.getMessage() for r in caplog.records if r.name == "hotline.live"]
    assert len(lines) == 1 and "column 'gender'" in lines[0] and "'Femal'" in lines[0]
    assert live.current() is first and live.status().last_try_failed
    write(csv, rows(40), mtime=1_000_000_000_300_000_000)
    live.poll()
    live.poll()
    assert live.current().total == 40 and not live.status().last_try_failed


def test_new_columns_are_refused_until_a_restart(csv):
    live = live_of(csv)
    write(csv, ["2020,3,TX,sex,female,call"] * 20, header=HEADER + ",method", mtime=1_000_000_000_400_000_000)
    assert live.refresh() is False
    assert "the columns changed" in live.status().last_error
    assert "method" not in live.current().dimensions


def test_same_data_read_again_keeps_the_dataset_and_its_caches(csv):
    live = live_of(csv, every_seconds=60)
    first = live.current()
    assert live.refresh() is True
    assert live.current() is first and live.status().generation == 1


def test_requests_during_a_swap_see_one_version_or_the_other(csv):
    """Many readers while refreshes swap: each reader's current() is a complete dataset of one version."""
    live = live_of(csv)
    versions = {50, 65}
    errors = []

    def read():
        for _ in range(200):
            data = live.current()
            if data.aggregate([]).iloc[0]["count"] is None or data.total not in versions:
                errors.append(data.total)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for thread in readers:
        thread.start()
    for n in range(6):
        extra = rows(15, 2022, 1, "NY") if n % 2 == 0 else []
        write(csv, rows(30) + rows(20, 2021, 6, "CA") + extra, mtime=1_000_000_001_000_000_000 + n * 10**8)
        live.refresh()
    for thread in readers:
        thread.join()
    assert not errors


def test_every_page_load_is_built_from_the_current_data(csv):
    live = live_of(csv)
    dash_app = app.create_app(live)
    client = dash_app.server.test_client()
    before = str(dash_app.layout())
    assert "2020" in before and "2022" not in before
    assert "Data as of" in before
    assert "2022" not in client.get("/_dash-layout").get_data(as_text=True)
    write(csv, rows(30) + rows(20, 2021, 6, "CA") + rows(15, 2022, 1, "NY"), mtime=1_000_000_002_000_000_000)
    assert live.refresh()
    after = str(dash_app.layout())
    assert "2022" in after  # the year slider's range and the header follow the refresh
    assert text.as_of_phrase(live.current()) in after and "latest month: January 2022" in after
    served = client.get("/_dash-layout").get_data(as_text=True)  # the layout's JSON is written anew too
    assert "latest month: January 2022" in served and text.as_of_phrase(live.current()) in served
    choices = LiveChoices(live)
    view, notices = parse_query("?years=2022&state=NY", choices)
    assert view.filters.years == (2022, 2022) and view.filters.states == ("NY",) and not notices


def test_healthz_and_the_operators_notice_follow_refreshes(csv):
    live = live_of(csv)
    client = app.create_app(live).server.test_client()
    health = client.get("/healthz").json
    assert health["refresh"]["last_try_failed"] is False and health["latest_month"] == "2021-06"
    assert health["data_read_at"] == live.current().source.read_at.isoformat(timespec="seconds")
    published = int(live.current().aggregate([])["count"].iloc[0])  # the 50 records' perturbed total
    assert health["records"] == published and abs(published - 50) <= 5
    write(csv, ["garbage"], header="nothing", mtime=1_000_000_003_000_000_000)
    assert live.refresh() is False
    health = client.get("/healthz").json
    assert health["refresh"]["last_try_failed"] is True and health["records"] == published
    layout = page.layout(
        live.current(), LiveChoices(live).current(), "/assets/topojson/", refresh=live.status()
    )
    assert "could not be refreshed" in str(layout)


def test_footnotes_say_when_the_data_were_read(csv):
    data = hotline.load(csv)
    assert text.as_of_phrase(data) == f"Data as of {text.read_time(data.source.read_at)} (latest month: June 2021)"
    assert text.as_of_phrase(data, short=True) in text.footnote(data)
    assert text.as_of_phrase(data, short=True).endswith("; latest month Jun 2021")


def test_a_periodic_refresh_runs_in_the_background(csv):
    """The real thread, on a 0.2 s tick: a change is picked up with no call from the test."""
    source = parse(csv)
    live = LiveDataset(lambda: hotline.load_source(source), stamp=None, every_seconds=0.2)
    try:
        assert live.current().total == 50  # first use starts the thread
        write(csv, rows(70))
        deadline = threading.Event()
        for _ in range(50):
            if live.current().total == 70:
                break
            deadline.wait(0.1)
        assert live.current().total == 70
    finally:
        live.stop()


def test_slides_and_report_say_when_the_data_were_read(csv):
    from components import presenter
    from hotline.viewstate import ViewState

    data = hotline.load(csv)
    built = presenter.deck(data, ViewState())
    as_of = text.as_of_phrase(data, short=True)
    assert built.charts and all(as_of in chart.footnote for chart in built.charts)
