"""Replies sent again (components/replies.py): a crowd sending the same callback requests is answered
from the replies kept, with the very bytes a computation gives, and never past a failure, a change of
the data or a rate limit."""

from __future__ import annotations

import json

from ui_helpers import demo

from app import create_app
from benchmarks.dash_requests import Browser
from components import panels, view
from hotline import Filters
from hotline.viewstate import choices_of

CALLBACKS = "/_dash-update-component"


def counting(monkeypatch, module, name: str) -> list:
    """Replace module.name by a wrapper that records each call; the list of calls."""
    calls, original = [], getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def opened(dash_app, link: str) -> tuple[list[bytes], dict]:
    """Open `link` as a new visitor: the raw replies (the view callback's, drawing every panel), and what was drawn."""
    client = dash_app.server.test_client()
    raw = []

    def post(path, **request):
        answer = client.post(path, **request)
        raw.append(answer.data)
        return answer

    browser = Browser(dash_app, choices_of(demo()))
    sent = browser.open(post, link)
    assert [status for status, _ in sent] == [200]
    return raw, browser.shown


def test_the_same_requests_are_answered_again_without_computing_them(monkeypatch):
    dash_app = create_app(demo())
    views_computed = counting(monkeypatch, panels, "respond")
    view_changes = counting(monkeypatch, view, "to_query")
    first, drawn = opened(dash_app, "?state=TX&type=labor")
    changes_once = len(view_changes)
    assert len(views_computed) == 1 and changes_once >= 1
    second, drawn_again = opened(dash_app, "?state=TX&type=labor")
    assert second == first and drawn_again == drawn  # the same bytes
    assert len(views_computed) == 1 and len(view_changes) == changes_once  # neither callback ran
    assert dash_app.view_cache.stats.hits == 0  # not even the cache of views was asked
    # What was sent again is what the data say for Texas and labor trafficking.
    total = demo().aggregate([], Filters(states=("TX",), trafficking_types=("labor",)))["count"].iloc[0]
    assert f"{int(total):,}" in json.dumps(drawn["kpis"]["children"])
    # Another view is another request: computed.
    opened(dash_app, "?state=CA")
    assert len(views_computed) == 2


def test_a_reply_is_the_one_of_its_data_and_settings():
    # Same requests, other privacy settings (min_cell is part of the data's fingerprint): other replies.
    usual, strict = create_app(demo()), create_app(demo(min_cell=40))
    assert opened(usual, "?state=VT")[0] != opened(strict, "?state=VT")[0]
    # And kept apart in one cache of replies shared by both apps (as build_app shares one).
    from components import replies

    kept = replies.cache()
    usual, strict = create_app(demo(), reply_cache=kept), create_app(demo(min_cell=40), reply_cache=kept)
    assert opened(usual, "?state=VT")[0] != opened(strict, "?state=VT")[0]
    assert opened(strict, "?state=VT")[0] == opened(create_app(demo(min_cell=40)), "?state=VT")[0]


def test_a_reply_with_a_failed_panel_is_computed_again(monkeypatch):
    dash_app = create_app(demo())
    views_computed = counting(monkeypatch, panels, "respond")
    original = panels.trend.render

    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(panels.trend, "render", broken)
    _, drawn = opened(dash_app, "?state=TX")
    assert drawn["trend-graph"]["figure"]["layout"]["annotations"][0]["text"].startswith("This chart could not")
    monkeypatch.setattr(panels.trend, "render", original)
    _, drawn = opened(dash_app, "?state=TX")
    assert len(views_computed) == 2  # neither the cache of views nor the replies kept the failed one
    assert drawn["trend-graph"]["figure"]["data"]


def test_a_reply_sent_again_counts_against_the_rate_limit(monkeypatch):
    monkeypatch.setenv("HOTLINE_CALLBACK_RATE_LIMIT", "5 per minute")
    dash_app = create_app(demo())
    client = dash_app.server.test_client()
    browser = Browser(dash_app, choices_of(demo()))
    browser.reset("?state=TX")
    body = json.dumps(browser.body("url.search"))
    statuses = [client.post(CALLBACKS, data=body, content_type="application/json").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
