"""A fuzz suite against a real server on 127.0.0.1: hostile query strings and mutated callback requests.

The callback bodies are the page's own: built from the running app's /_dash-dependencies and
/_dash-layout (tests/callback_requests.py), so they follow whatever wiring the app has. Hypothesis
mutates them (values of any JSON type, injected markup, real values in odd places, missing keys,
wrong triggers) and every answer must have: no 5xx, no traceback, no injected markup reflected,
no small count (1..min_cell-1) shown as a count; and the server must still answer afterwards.

    python -m pytest tests/test_fuzz.py -q            # about 1,000 cases (CI)
    make fuzz                                          # HOTLINE_FUZZ_CASES=10000
The counts (cases, status codes, slowest response) are printed at the end.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import time
from collections import Counter
from urllib.parse import quote

import pytest
from callback_requests import fetch, from_server, post, serving
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ui_helpers import _flatten, _numeric, demo, integers_in, is_small

import app as app_module
from hotline.viewstate import LIST_PARAMETERS, choices_of, parse_query

CASES = int(os.environ.get("HOTLINE_FUZZ_CASES", "1000"))
QUERY_SHARE = 0.3  # of the cases: query strings; the rest: callback bodies
MIN_CELL = 10
# Markup that must never come back as markup; each carries a marker to look for.
INJECTIONS = (
    "<script>fz1()</script>",
    '"><img src=x onerror=fz2()>',
    "<svg/onload=fz3()>",
    "javascript:fz4()",
    "{{fz5}}",
    "'; DROP TABLE fz6; --",
    "\u202efz7",
    "\x00fz8",
    "%3Cscript%3Efz9%3C/script%3E",
)
REFLECTED = ("<script>fz1", "<img src=x onerror=fz2", "<svg/onload=fz3")
SLOW = ("export-download.data",)  # the slide deck: seconds of Chromium each; tests/test_slides.py covers it
TRACEBACK = "Traceback (most recent call last)"
# Numbers that are not counts: "Chart 2 of 8", "6 states", a year's month, a slide number.
NOT_COUNTS = (" of ", " states", "slide", "Chart ", "Ignored", "ignored")  # notices never hold counts


class Tally:
    def __init__(self) -> None:
        self.cases = 0  # requests: a link case sends two (the page, and the view callback)
        self.statuses: Counter[int] = Counter()
        self.slowest = (0.0, "")

    def record(self, status: int, seconds: float, what: str) -> None:
        self.cases += 1
        self.statuses[status] += 1
        if seconds > self.slowest[0]:
            self.slowest = (seconds, what)

    def summary(self) -> str:
        codes = ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items()))
        return f"fuzz: {self.cases} requests; status codes {codes}; slowest {self.slowest[0] * 1000:.0f} ms ({self.slowest[1]})"


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()[:200]}")


@pytest.fixture(scope="module")
def target(request):
    """The demo app on a free port; rate limits raised out of the way (they have tests of their own)."""
    saved = {k: os.environ.get(k) for k in ("HOTLINE_CALLBACK_RATE_LIMIT", "HOTLINE_EXPORT_RATE_LIMIT")}
    os.environ.update(HOTLINE_CALLBACK_RATE_LIMIT="1000000 per minute", HOTLINE_EXPORT_RATE_LIMIT="1000000 per minute")
    dataset = demo(MIN_CELL)
    try:
        dash_app = app_module.create_app(dataset)
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    errors = Errors()
    logging.getLogger().addHandler(errors)
    tally = Tally()
    with serving(dash_app) as url:
        requests = [r for r in from_server(url) if not any(s in r.output for s in SLOW)]
        yield {"url": url, "requests": requests, "choices": choices_of(dataset), "tally": tally, "errors": errors}
        # Still answering after everything it was sent.
        assert fetch(url + "/healthz").status == 200
        kpis = next(r for r in requests if r.output == "kpis.children")
        assert post(url, kpis.body()).status == 200
    logging.getLogger().removeHandler(errors)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    line = tally.summary()
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # past the output capture: the counts always show
            reporter.write_line("\n" + line)
    else:
        print(line)
    assert errors.records == [], errors.records[:5]


# --- strategies -----------------------------------------------------------------------------------------------
def real_values(choices) -> list[str]:
    values = [v for field in choices.values.values() for v in field]
    return values + ["count", "rate", "2016", "2015-2019", "2019-2015", "1", "0", "-1", "99999999999999999999"]


def scalars(choices):
    return (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.text(max_size=30)
        | st.sampled_from(INJECTIONS)
        | st.sampled_from(real_values(choices))
    )


def json_values(choices):
    return st.recursive(
        scalars(choices),
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
        max_leaves=10,
    )


def query_strings(choices):
    keys = st.sampled_from([*LIST_PARAMETERS, "years", "measure", "present", "slide"]) | st.text(max_size=12)
    values = (
        st.lists(st.sampled_from(real_values(choices)), min_size=0, max_size=4).map(",".join)
        | st.sampled_from(INJECTIONS)
        | st.text(max_size=40)
    )
    pairs = st.lists(st.tuples(keys, values), max_size=6)
    return pairs.map(lambda items: "?" + "&".join(f"{quote(k)}={quote(v, safe=',-')}" for k, v in items))


def mutated_bodies(requests, choices):
    """A real callback body with one to three mutations."""

    @st.composite
    def build(draw):
        request = draw(st.sampled_from(requests))
        body = copy.deepcopy(request.body())
        entries = [e for e in body["inputs"] + body["state"] if isinstance(e, dict)]
        for _ in range(draw(st.integers(1, 3))):
            action = draw(st.sampled_from(["value", "value", "search", "trigger", "drop", "list", "junk"]))
            if action == "value" and entries:
                draw(st.sampled_from(entries))["value"] = draw(json_values(choices))
            elif action == "search":
                for entry in entries:
                    if entry.get("property") in ("search", "data"):
                        entry["value"] = draw(query_strings(choices))
            elif action == "trigger":
                ids = [f"{e['id']}.{e['property']}" for e in entries] + [draw(st.text(max_size=15))]
                body["changedPropIds"] = draw(st.lists(st.sampled_from(ids), max_size=3))
            elif action == "drop":
                body.pop(draw(st.sampled_from(sorted(body))), None)
            elif action == "list":
                key = draw(st.sampled_from(["inputs", "state", "outputs"]))
                if isinstance(body.get(key), list) and body[key]:
                    del body[key][draw(st.integers(0, len(body[key]) - 1))]
            elif action == "junk":
                body[draw(st.sampled_from(["output", "changedPropIds", "inputs"]))] = draw(json_values(choices))
        return request.output, body

    return build()


# --- what no answer may hold ----------------------------------------------------------------------------------
TEXT_KEYS = {"children", "title", "aria-label", "label", "placeholder"}  # what a person reads or hears


def _strings(value, inside_figure: bool = False, key: str | None = None):
    """Text a person reads in a JSON answer (children, titles, labels), with whether it sits inside a figure."""
    if isinstance(value, dict):
        figure = inside_figure or ("data" in value and "layout" in value)
        for name, item in value.items():
            yield from _strings(item, figure, name)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, inside_figure, key)
    elif isinstance(value, str) and key in TEXT_KEYS:
        yield value, inside_figure


def _figures(value):
    if isinstance(value, dict):
        if isinstance(value.get("data"), list) and isinstance(value.get("layout"), dict):
            yield value
        for item in value.values():
            yield from _figures(item)
    elif isinstance(value, list):
        for item in value:
            yield from _figures(item)


def small_counts_in(answer: object, measure: str) -> list[str]:
    """Counts 1..MIN_CELL-1 in a callback's answer: figure values and labels, KPI, table and summary text."""
    from ui_helpers import decode_typed_arrays

    answer = decode_typed_arrays(answer)
    found = []
    for figure in _figures(answer):
        for trace in figure["data"]:
            keys = ("x", "y", "z") if measure == "count" and trace.get("type") != "scattergeo" else ()
            for key in keys:
                for value in _flatten(trace.get(key, [])):
                    number = _numeric(value)
                    # a bar's category axis holds labels (state codes, years); numbers there are counts
                    if number is not None and is_small(number, MIN_CELL):
                        found.append(f"{trace.get('type')}.{key}: {value!r}")
            for key in ("text", "hovertext"):
                values = trace.get(key, [])
                for value in _flatten(values if isinstance(values, list) else [values]):
                    if any(n for n in integers_in(value) if is_small(n, MIN_CELL)) and "%" not in str(value):
                        found.append(f"{trace.get('type')}.{key}: {value!r}")
    for text, inside_figure in _strings(answer):
        if inside_figure or any(words in text for words in NOT_COUNTS) or "%" in text:
            continue
        if measure == "rate" and "per 100,000" in text:
            continue
        unquoted = re.sub(r"'[^']*'", "", text)  # a notice quotes the link's own words back: not a count
        small = [n for n in integers_in(unquoted) if is_small(n, MIN_CELL)]
        if small:
            found.append(f"text: {text[:120]!r}")
    return found


def check(answer_status: int, body: str, what: str) -> None:
    assert answer_status < 500, f"{answer_status} for {what}: {body[:300]}"
    assert TRACEBACK not in body, what
    for marker in REFLECTED:
        assert marker not in body, f"{marker!r} reflected for {what}"


def measure_of(body: dict, choices) -> str:
    """The measure the answer shows: from the view the body carries (the store or the address)."""
    for entry in (body.get("inputs") or []) + (body.get("state") or []):
        if isinstance(entry, dict) and entry.get("property") in ("data", "search") and isinstance(entry.get("value"), str):
            view, _ = parse_query(entry["value"], choices)
            if view.measure == "rate":
                return "rate"
    return "count"


# --- the suite ------------------------------------------------------------------------------------------------
FUZZ = settings(
    max_examples=max(1, int(CASES * QUERY_SHARE)),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@FUZZ
@given(data=st.data())
def test_query_strings_never_break_the_page(target, data):
    query = data.draw(query_strings(target["choices"]))
    started = time.perf_counter()
    page = fetch(target["url"] + "/" + query)
    target["tally"].record(page.status, time.perf_counter() - started, f"GET /{query[:60]}")
    check(page.status, page.body, query)
    sync = next(r for r in target["requests"] if "view.data" in r.output)
    body = sync.body()
    for entry in body["inputs"]:
        if isinstance(entry, dict) and entry["id"] == "url":
            entry["value"] = query
    started = time.perf_counter()
    answer = post(target["url"], body)
    target["tally"].record(answer.status, time.perf_counter() - started, f"sync {query[:60]}")
    check(answer.status, answer.body, query)
    assert answer.status == 200, answer.body[:300]  # a link is never refused: bad parts are noticed
    assert small_counts_in(json.loads(answer.body), measure_of(body, target["choices"])) == []


@settings(FUZZ, max_examples=max(1, CASES - int(CASES * QUERY_SHARE)))
@given(data=st.data())
def test_mutated_callback_requests_are_answered_or_refused_cleanly(target, data):
    output, body = data.draw(mutated_bodies(target["requests"], target["choices"]))
    raw = json.dumps(body, allow_nan=True).encode()
    started = time.perf_counter()
    answer = post(target["url"], raw)
    target["tally"].record(answer.status, time.perf_counter() - started, output[:60])
    check(answer.status, answer.body, f"{output[:60]} {raw[:200]!r}")
    if answer.status == 200 and answer.body.strip().startswith("{"):
        measure = measure_of(body, target["choices"])
        assert small_counts_in(json.loads(answer.body), measure) == [], raw[:300]


def test_the_scan_finds_small_counts_when_suppression_is_off():
    """The small-count scan can fail: on data with counts below 10 and suppression off, it finds them."""
    from ui_helpers import small_dataset

    narrow = "?years=2020&age=minor&citizenship=foreign_national"  # a few signals in each cell
    with serving(app_module.create_app(small_dataset(min_cell=1))) as url:
        found = []
        for request in from_server(url):
            if any(s in request.output for s in SLOW) or "download.data" in request.output:
                continue
            body = request.body()
            for entry in body["inputs"] + body["state"]:
                if isinstance(entry, dict) and entry["property"] in ("data", "search"):
                    entry["value"] = narrow
            answer = post(url, body)
            if answer.status == 200:
                found += small_counts_in(json.loads(answer.body), "count")
    assert found, "the scan found nothing on data full of small counts"
