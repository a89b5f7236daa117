"""The wiring of the page (one callback carries a user's action) and the cache of views, in memory and in a
real Redis shared by two apps."""

from __future__ import annotations

import json
import logging

import orjson
import pytest
from dash._utils import to_json
from redis_helpers import redis_server  # noqa: F401  (a fixture)
from ui_helpers import decode_typed_arrays, demo

from app import Config, build_app, create_app
from benchmarks.dash_requests import Browser
from components import panels
from hotline import Filters
from hotline.caches import LayeredCache, MemoryCache, SharedCache
from hotline.viewstate import ViewState, choices_of


def server_callbacks(dash_app) -> dict[str, dict]:
    return {output: spec for output, spec in dash_app.callback_map.items() if spec.get("callback") is not None}


def test_the_view_callback_draws_every_panel():
    dash_app = create_app(demo())
    view_callbacks = [o for o in server_callbacks(dash_app) if o.startswith("..view.data..")]
    assert len(view_callbacks) == 1
    drawn = view_callbacks[0]
    for target in ("kpis.children", "map-graph.figure", "trend-graph.figure", "gender-graph.figure",
                   "numbers-table.children", "gender-summary.children", "gender-table-view.children"):  # fmt: skip
        assert f"..{target}.." in drawn or drawn.endswith(target), target
    # No other callback reads the store but as State (downloads, when clicked), and no panel has a callback
    # of its own: every action is one request.
    assert not [o for o, spec in server_callbacks(dash_app).items() if any(i["id"] == "view" for i in spec["inputs"])]
    # The presenter's buttons and stage, and a chart's table shown, belong to the view callback too.
    assert "..app-root.className.." in drawn and "..present-counter.children.." in drawn
    inputs = {f"{i['id']}.{i['property']}" for i in dash_app.callback_map[drawn]["inputs"]}
    assert {"present-next.n_clicks", "gender-table-view.hidden", "url.search"} <= inputs
    assert not any(o.startswith("url.search") or "..url.search@" in o for o in dash_app.callback_map)


def test_a_user_action_is_one_request_and_shows_the_new_view():
    dash_app = create_app(demo())
    browser = Browser(dash_app, choices_of(demo()))
    client = dash_app.server.test_client()
    sent = browser.open(client.post, "?state=TX")
    assert [status for status, _ in sent] == [200]
    kpis = browser.shown["kpis"]["children"]
    assert f"{int(demo().aggregate([], Filters(states=('TX',)))['count'].iloc[0]):,}" in json.dumps(kpis)
    sent = browser.choose(client.post, "genders", ["female"])
    assert [status for status, _ in sent] == [200] and browser.store == "?state=TX&gender=female"
    figure = decode_typed_arrays(browser.shown["gender-graph"]["figure"])
    assert "Texas" in figure["layout"]["title"]["text"] and "Female" in json.dumps(browser.shown["chips"])


def test_a_chip_click_sent_with_a_table_toggle_still_removes_its_filter():
    """Dash's renderer merges changes made while a request is in flight: a table shown, then a chip."""
    dash_app = create_app(demo())
    browser = Browser(dash_app, choices_of(demo()))
    client = dash_app.server.test_client()
    browser.open(client.post, "?state=TX&gender=female")
    chip = next(c for c in browser.chips if c["field"] == "genders")
    browser.values["gender-table-view.hidden"] = False
    body = browser.body("gender-table-view.hidden")
    body["changedPropIds"] = body["parsedChangedPropsIds"] = [
        "gender-table-view.hidden", json.dumps(chip, sort_keys=True, separators=(",", ":")) + ".n_clicks"
    ]
    for wildcard in (i for i in body["inputs"] if isinstance(i, list)):
        for entry in wildcard:
            entry["value"] = 1 if entry["id"] == chip else 0
    reply = client.post(browser.path, json=body).get_json()
    assert reply["response"]["view"]["data"] == "?state=TX"
    assert "Female" in json.dumps(reply["response"]["gender-table-view"]["children"])  # the table, drawn


def test_a_view_is_computed_once_then_served_from_the_cache():
    dataset = demo()
    choices = choices_of(dataset)
    cache = panels.ViewCache()
    view = ViewState(filters=Filters(states=("TX",)), measure="rate")
    first = cache.answer(dataset, view, choices)
    second = cache.answer(dataset, view, choices)
    assert plain(first) == plain(second)
    assert (cache.stats.misses, cache.stats.hits, cache.stats.stores) == (1, 1, 1)
    # The cached answer is what the panels draw: compare with a fresh render.
    assert json.loads(panels.encode(panels.respond(dataset, view))) == plain(first)
    assert plain(first)["kpis"]["cards"] and set(plain(first)) == set(panels.outputs(dataset))


def test_a_kept_answer_is_written_into_dashs_reply_as_the_json_of_each_output():
    dataset = demo()
    response = panels.respond(dataset, ViewState(filters=Filters(states=("CA",), genders=("female",))))
    kept = panels.unpack(panels.pack(response, panels.outputs(dataset)))
    assert isinstance(kept["map"]["figure"], orjson.Fragment) and isinstance(kept["access"]["tables"]["gender"], orjson.Fragment)
    # The very bytes Dash's encoder (dash._utils.to_json) writes for the drawn panels themselves.
    assert to_json({"multi": True, "response": kept}) == to_json({"multi": True, "response": response})
    assert plain(kept) == json.loads(panels.encode(response))


def plain(answer: dict) -> dict:
    """An answer of the cache (its outputs as JSON, orjson.Fragment) as the data Dash sends."""
    return orjson.loads(orjson.dumps(answer))


def test_the_key_is_the_canonical_view_the_data_and_the_open_tables():
    dataset, small = demo(), demo(min_cell=20)
    choices = choices_of(dataset)
    texas = ViewState(filters=Filters(states=("TX",)))
    key = panels.ViewCache.key
    assert key(dataset, texas, choices) == key(dataset, ViewState(filters=Filters(states=("TX",)), present=True, slide=3), choices)
    assert key(dataset, texas, choices) != key(small, texas, choices)  # the fingerprint has min_cell
    assert key(dataset, texas, choices) != key(dataset, ViewState(), choices)
    assert key(dataset, texas, choices) != key(dataset, texas, choices, {"gender"})


def test_an_answer_with_a_failed_panel_is_not_kept(monkeypatch):
    dataset = demo()
    choices = choices_of(dataset)
    cache = panels.ViewCache()

    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(panels.trend, "render", broken)
    answer = plain(cache.answer(dataset, ViewState(), choices))
    assert answer["trend"]["figure"]["layout"]["annotations"][0]["text"].startswith("This chart could not be drawn")
    assert len(cache.cache.local) == 0


def test_the_memory_cache_is_bounded_in_entries_bytes_and_time():
    now = [0.0]
    cache = MemoryCache(max_entries=3, max_bytes=3000, ttl_seconds=10, timer=lambda: now[0])
    for i in range(5):
        cache.set(f"k{i}", b"x" * 10)
    assert len(cache) == 3 and cache.get("k0") is None and cache.get("k4") == b"x" * 10
    cache.set("big", b"y" * 2500)  # room is made by dropping the least recently used
    assert cache.nbytes <= 3000 and cache.get("big") is not None
    assert not cache.set("huge", b"z" * 3001)
    now[0] = 11
    assert cache.get("big") is None and len(cache) == 0


def test_two_apps_sharing_redis_compute_a_view_once(redis_server):  # noqa: F811
    config = Config(redis_url=redis_server.url)
    first, second = (build_app(config, demo(), warm=False) for _ in range(2))
    answers = []
    for dash_app in (first, second):
        browser = Browser(dash_app, choices_of(demo()))
        client = dash_app.server.test_client()
        browser.open(client.post, "?state=TX&type=labor")
        answers.append(browser.shown)
    assert answers[0] == answers[1]
    assert (first.view_cache.stats.misses, first.view_cache.stats.stores) == (1, 1)
    assert (second.view_cache.stats.shared_hits, second.view_cache.stats.misses) == (1, 0)
    assert len(redis_server.client().keys("hotline:view:*")) == 1


def test_with_redis_down_pages_still_work_and_one_warning_is_logged(redis_server, caplog):  # noqa: F811
    dash_app = build_app(Config(redis_url=redis_server.url), demo(), warm=False)
    redis_server.stop()
    client = dash_app.server.test_client()
    browser = Browser(dash_app, choices_of(demo()))
    with caplog.at_level(logging.WARNING, logger="hotline.caches"):
        for query in ("?state=TX", "?state=CA", "?state=NY", "?state=TX"):
            sent = browser.open(client.post, query)
            assert [status for status, _ in sent] == [200]
            assert "gender-graph" in browser.shown
    warnings = [r for r in caplog.records if r.name == "hotline.caches"]
    assert len(warnings) == 1 and "answering without it" in warnings[0].getMessage()
    assert dash_app.view_cache.stats.misses == 3  # the second TX was not computed again (kept in this process)


def test_a_full_redis_is_a_miss_not_an_error():
    import shutil
    import tempfile
    from pathlib import Path

    from redis_helpers import start_redis

    folder = Path(tempfile.mkdtemp(prefix="hotline-redis-"))
    server = start_redis(folder, "--maxmemory", "1mb", "--maxmemory-policy", "noeviction")
    try:
        shared = SharedCache.from_url(server.url)
        cache = LayeredCache(MemoryCache(), shared)
        for i in range(40):  # about 2 MB, twice what the server may hold
            cache.set(f"k{i}", bytes(50_000))
        assert shared.failures >= 1
        assert cache.get("k39") == bytes(50_000)  # still served from memory
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0", "unix:///nonexistent/redis.sock"])
def test_an_unreachable_redis_answers_like_an_empty_cache(url):
    shared = SharedCache.from_url(url)
    assert shared.get("anything") is None
    assert shared.set("anything", b"1", 60) is False
    assert not shared.available


def test_a_refresh_of_live_data_is_drawn_not_the_cached_answer_of_the_old_data():
    import hotline
    from hotline.live import LiveDataset

    header = b"year,state,trafficking_type,gender,count\n"
    files = iter([header + b"2020,CA,sex,female,200\n2021,TX,labor,male,40\n", header + b"2020,CA,sex,female,500\n2021,TX,labor,male,40\n"])
    live = LiveDataset(lambda: hotline.load_bytes("live.csv", next(files)), autostart=False)
    dash_app = create_app(live)
    client = dash_app.server.test_client()

    def shown_total() -> int:
        browser = Browser(dash_app, choices_of(live.current()))
        browser.open(client.post, "?state=CA")
        total = live.current().aggregate([], Filters(states=("CA",)))["count"].iloc[0]
        assert f"{int(total):,}" in json.dumps(browser.shown["kpis"]["children"])
        return int(total)

    before = shown_total()
    assert live.refresh()
    assert shown_total() > before + 100  # the new data's (perturbed) 500, not the cached (perturbed) 200
    assert dash_app.view_cache.stats.hits == 0
