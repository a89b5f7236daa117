"""The pure logic of the view-state callback (components/view.py): clicks on charts, chips, the next view
after any user action. A malformed payload from the browser never raises and leaves the view as it was."""

from __future__ import annotations

import contextvars
import json
from dataclasses import replace
from types import SimpleNamespace

import pytest
from dash import html
from dash._callback_context import context_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ui_helpers import demo

from components import view as view_module
from components.view import (
    CHIP_TYPE,
    CLEAR_ID,
    URL_ID,
    _apply_click,
    _chips,
    _next_view,
    _remove_chip,
    nothing_to_clear,
    view_from_store,
)
from hotline import Filters
from hotline.viewstate import ViewState, choices_of, parse_query, to_query


@pytest.fixture(scope="module")
def choices():
    return choices_of(demo())


def click(dimension, value) -> dict:
    return {"points": [{"curveNumber": 0, "pointNumber": 1, "customdata": [dimension, value]}]}


TEXAS = ViewState(filters=Filters(states=("TX",)))


# --- clicks -------------------------------------------------------------------------------------------------
def test_click_toggles_a_value(choices):
    payload = {"points": [{"customdata": ["trafficking_type", "labor"]}]}
    once = _apply_click(TEXAS, payload, choices)
    assert once.filters.trafficking_types == ("labor",)
    assert once.filters.states == ("TX",) and once.measure == TEXAS.measure
    twice = _apply_click(once, payload, choices)
    assert twice == TEXAS


def test_clicks_on_several_values_add_up(choices):
    view = _apply_click(ViewState(), click("gender", "male"), choices)
    view = _apply_click(view, click("gender", "female"), choices)
    assert view.filters.genders == ("female", "male")
    view = _apply_click(view, click("gender", "male"), choices)
    assert view.filters.genders == ("female",)


@pytest.mark.parametrize(
    "dimension, value, field",
    [
        ("state", "OK", "states"),
        ("trafficking_type", "sex_and_labor", "trafficking_types"),
        ("gender", "gender_minority", "genders"),
        ("age_group", "minor", "age_groups"),
        ("citizenship", "foreign_national", "citizenships"),
        ("method", "online_tip", "methods"),
        ("caller", "victim_survivor", "callers"),
    ],
)
def test_every_chart_dimension_is_clickable(choices, dimension, value, field):
    view = _apply_click(ViewState(measure="rate"), click(dimension, value), choices)
    assert getattr(view.filters, field) == (value,)
    assert view.measure == "rate"


def test_a_click_on_a_year_selects_that_year_and_again_clears_it(choices):
    view = ViewState(filters=Filters(years=(2015, 2019), genders=("male",)))
    once = _apply_click(view, click("year", 2017), choices)
    assert once.filters.years == (2017, 2017)
    assert once.filters.genders == ("male",)
    twice = _apply_click(once, click("year", 2017), choices)
    assert twice.filters.years is None
    assert _apply_click(view, click("year", "2016"), choices).filters.years == (2016, 2016)


def test_extra_customdata_is_ignored(choices):
    payload = {"points": [{"customdata": ["gender", "male", "something else", 3]}]}
    assert _apply_click(ViewState(), payload, choices).filters.genders == ("male",)


MALFORMED = [
    None,
    {},
    [],
    "points",
    42,
    {"points": None},
    {"points": []},
    {"points": {}},
    {"points": "abc"},
    {"points": [None]},
    {"points": [{}]},
    {"points": ["customdata"]},
    {"points": [{"customdata": None}]},
    {"points": [{"customdata": []}]},
    {"points": [{"customdata": ["gender"]}]},
    {"points": [{"customdata": "gender"}]},
    {"points": [{"customdata": "ab"}]},
    {"points": [{"customdata": {"gender": "male"}}]},
    {"points": [{"customdata": 7}]},
    {"points": [{"customdata": ["planet", "mars"]}]},  # unknown dimension
    {"points": [{"customdata": ["gender", "robot"]}]},  # unknown value
    {"points": [{"customdata": ["gender", "Male"]}]},  # not the canonical value
    {"points": [{"customdata": ["gender", None]}]},
    {"points": [{"customdata": ["gender", ["male"]]}]},
    {"points": [{"customdata": ["gender", {"v": "male"}]}]},
    {"points": [{"customdata": [["gender"], "male"]}]},
    {"points": [{"customdata": [None, None]}]},
    {"points": [{"customdata": ["state", "ZZ"]}]},
    {"points": [{"customdata": ["region", "South"]}]},  # regions are chosen in the filter panel only
    {"points": [{"customdata": ["month", 5]}]},  # months go by name in the trend's data
    {"points": [{"customdata": ["month", "5"]}]},
    {"points": [{"customdata": ["month", "Smarch"]}]},
    {"points": [{"customdata": ["month", True]}]},
    {"points": [{"customdata": ["year", 1850]}]},  # outside the data
    {"points": [{"customdata": ["year", 3000]}]},
    {"points": [{"customdata": ["year", -2015]}]},
    {"points": [{"customdata": ["year", 2015.5]}]},
    {"points": [{"customdata": ["year", True]}]},
    {"points": [{"customdata": ["year", "twenty"]}]},
    {"points": [{"customdata": ["year", "²"]}]},  # str.isdigit() is true, int() fails
    {"points": [{"customdata": ["year", "2015-2019"]}]},
    {"points": [{"customdata": ["year", None]}]},
    {"points": [{"customdata": ["year", "9" * 5000]}]},  # longer than int() accepts
    {"points": [{"customdata": ["year", 10**400]}]},
    {"points": [{"customdata": ["gender", "x" * 100_000]}]},
    {"points": [{"customdata": ["x" * 100_000, "male"]}]},
]


def test_a_click_on_a_month_of_the_trend_selects_it_and_a_second_clears_it(choices):
    view = ViewState(filters=Filters(years=(2016, 2016), states=("TX",)))
    click = {"points": [{"customdata": ["month", "May"]}]}
    chosen = _apply_click(view, click, choices)
    assert chosen.filters.months == (5,) and chosen.filters.years == (2016, 2016)
    assert _apply_click(chosen, click, choices) == view


@pytest.mark.parametrize("payload", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_clicks_leave_the_view_unchanged(choices, payload):
    view = ViewState(filters=Filters(years=(2016, 2018), states=("TX",), genders=("female",)), measure="rate")
    assert _apply_click(view, payload, choices) == view


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
dimension_like = st.sampled_from(
    ["year", "state", "trafficking_type", "gender", "age_group", "citizenship", "method", "caller", "region", "month"]
) | st.text(max_size=20)
value_like = st.sampled_from(["2015", "2099", "TX", "tx", "labor", "male", "minor", "online_tip", ""]) | json_values
payloads = st.one_of(
    json_values,
    st.fixed_dictionaries({"points": st.lists(st.fixed_dictionaries({"customdata": json_values}), max_size=2)}),
    st.builds(lambda d, v: {"points": [{"customdata": [d, v]}]}, dimension_like, value_like),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=payloads)
def test_any_payload_never_raises_and_changes_at_most_one_known_value(choices, payload):
    view = ViewState(filters=Filters(years=(2016, 2018), genders=("female",)), measure="rate")
    after = _apply_click(view, payload, choices)
    assert isinstance(after, ViewState)
    assert after.measure == view.measure
    changed = [f for f in ("years", *choices.values) if getattr(after.filters, f) != getattr(view.filters, f)]
    assert len(changed) <= 1
    for field in changed:
        if field == "years":
            assert after.filters.years is None or after.filters.years[0] == after.filters.years[1]
        else:
            assert set(getattr(after.filters, field)) <= set(choices.values[field])
    assert to_query(after, choices) is not None  # it can be written into the URL


# --- chips ---------------------------------------------------------------------------------------------------
FULL = ViewState(
    filters=Filters(
        years=(2015, 2019),
        regions=("South",),
        states=("TX", "OK"),
        trafficking_types=("labor",),
        genders=("female", "male"),
    ),
    measure="rate",
)


def test_removing_a_chip_removes_one_value():
    after = _remove_chip(FULL, "states", "OK")
    assert after.filters.states == ("TX",)
    assert replace(after.filters, states=FULL.filters.states) == FULL.filters
    assert after.measure == "rate"
    assert _remove_chip(FULL, "genders", "male").filters.genders == ("female",)
    assert _remove_chip(FULL, "regions", "South").filters.regions == ()


def test_removing_the_years_chip_clears_the_range():
    after = _remove_chip(FULL, "years", "")
    assert after.filters.years is None
    assert replace(after.filters, years=FULL.filters.years) == FULL.filters


def test_removing_the_measure_chip_goes_back_to_counts():
    after = _remove_chip(FULL, "measure", "rate")
    assert after.measure == "count" and after.filters == FULL.filters


@pytest.mark.parametrize(
    "field, value",
    [("states", "CA"), ("planets", "mars"), (None, None), ("years_", ""), ("genders", None), (["states"], "TX")],
)
def test_removing_an_unknown_chip_changes_nothing(field, value):
    try:
        after = _remove_chip(FULL, field, value)
    except TypeError:  # an unhashable field cannot come from a chip id; it must not matter either way
        pytest.fail("an odd chip id must not raise")
    assert after == FULL


def _chip_texts(chips) -> list[tuple[str, str, str]]:
    out = []
    for item in chips:
        # As Dash sends an html.Div holding an html.Button: a button cannot be the list item itself.
        assert (item["namespace"], item["type"], item["props"]["role"]) == ("dash_html_components", "Div", "listitem")
        chip = item["props"]["children"]
        assert chip["type"] == "Button" and "role" not in chip["props"]
        props = chip["props"]
        name, label, cross = props["children"]
        out.append((props["id"]["field"], props["id"]["value"], name["props"]["children"] + label))
        assert props["id"]["type"] == CHIP_TYPE
        assert props["title"] == "Remove filter " + name["props"]["children"] + label
        assert cross["props"]["children"] == " ×"
    return out


def test_a_chip_is_written_as_dash_writes_the_html_components():
    from plotly.io.json import to_json_plotly

    written = html.Div(
        html.Button(
            [html.Span("Gender: ", className="chip-name"), "Female", html.Span(" ×", **{"aria-hidden": "true"})],
            id={"type": CHIP_TYPE, "field": "genders", "value": "female"},
            className="chip",
            title="Remove filter Gender: Female",
            **{"aria-label": "Remove filter Gender: Female"},
            n_clicks=0,
        ),
        role="listitem",
        className="chip-item",
    )
    chip = _chips(ViewState(filters=Filters(genders=("female",))), (2012, 2023))[0]
    assert json.loads(to_json_plotly(chip)) == json.loads(to_json_plotly(written))


def test_chips_list_every_active_filter():
    assert _chip_texts(_chips(FULL, (2012, 2023))) == [
        ("years", "", "Years: 2015–2019"),
        ("regions", "South", "Region: South"),
        ("states", "OK", "State: Oklahoma"),
        ("states", "TX", "State: Texas"),
        ("trafficking_types", "labor", "Trafficking type: Labor"),
        ("genders", "female", "Gender: Female"),
        ("genders", "male", "Gender: Male"),
        ("measure", "rate", "Measure: per 100,000 people"),
    ]


def test_a_single_year_chip_shows_one_year():
    assert _chip_texts(_chips(ViewState(filters=Filters(years=(2020, 2020))), (2012, 2023))) == [
        ("years", "", "Years: 2020"),
    ]


def test_no_chips_says_all_signals():
    (only,) = _chips(ViewState(), (2012, 2023))
    assert only["type"] == "Span" and only["props"]["role"] == "listitem"
    assert only["props"]["children"] == "No filters: showing everything."


def test_every_chip_removes_its_own_filter():
    view = FULL
    for item in _chips(FULL, (2012, 2023)):
        chip_id = item["props"]["children"]["props"]["id"]
        view = _remove_chip(view, chip_id["field"], chip_id["value"])
    assert view == ViewState()


# --- the next view after an action -----------------------------------------------------------------------------
def next_view(choices, trigger, *, search="", years=None, controls=None, measure="count", clicks=None, current=None):
    span = choices.years
    controls = controls if controls is not None else {f: [] for f in view_module.filter_panel.present_fields(choices)}
    return _next_view(trigger, search, years or list(span), controls, measure, clicks or {}, current, choices, span)


def test_first_load_reads_the_address(choices):
    view, notices = next_view(choices, None, search="?years=2015-2019&state=TX,OK&type=labor&measure=rate")
    assert view == ViewState(
        filters=Filters(years=(2015, 2019), states=("OK", "TX"), trafficking_types=("labor",)), measure="rate"
    )
    assert notices == []


def test_bad_parameters_in_the_address_give_notices_not_errors(choices):
    view, notices = next_view(choices, URL_ID, search="?state=TX,ZZ&colour=blue&years=abc")
    assert view.filters == Filters(states=("TX",))
    assert len(notices) == 3


def test_clear_all_keeps_the_measure(choices):
    view, _ = next_view(choices, CLEAR_ID, current=to_query(FULL, choices))
    assert view == ViewState(measure="rate")


def test_a_chart_click_applies_to_the_current_view(choices):
    clicks = {"gender-graph": click("gender", "unknown"), "map-graph": None}
    view, _ = next_view(choices, "gender-graph", clicks=clicks, current=to_query(TEXAS, choices))
    assert view.filters == Filters(states=("TX",), genders=("unknown",))


def test_a_malformed_chart_click_keeps_the_current_view(choices):
    clicks = {"gender-graph": {"points": [{"customdata": ["gender", "robot"]}]}}
    view, _ = next_view(choices, "gender-graph", clicks=clicks, current=to_query(TEXAS, choices))
    assert view == TEXAS


def test_controls_make_the_view(choices):
    controls = {f: [] for f in view_module.filter_panel.present_fields(choices)} | {
        "states": ["TX"],
        "methods": ["text"],
    }
    view, _ = next_view(choices, "filter-states", years=[2014, 2016], controls=controls, measure="rate")
    assert view == ViewState(filters=Filters(years=(2014, 2016), states=("TX",), methods=("text",)), measure="rate")
    full_span, _ = next_view(choices, "filter-years", years=list(choices.years))
    assert full_span.filters.years is None
    odd_measure, _ = next_view(choices, "filter-measure", measure="volume")
    assert odd_measure.measure == "count"


def _with_triggered(value, fn):
    """Run fn inside a callback context whose trigger carried `value` (a chip's n_clicks)."""

    def run():
        context_value.set(SimpleNamespace(triggered_inputs=[{"prop_id": "chip.n_clicks", "value": value}]))
        return fn()

    return contextvars.copy_context().run(run)


def test_a_chip_click_removes_its_filter(choices):
    trigger = {"type": CHIP_TYPE, "field": "states", "value": "OK"}
    view, _ = _with_triggered(1, lambda: next_view(choices, trigger, current=to_query(FULL, choices)))
    assert view.filters.states == ("TX",)


def test_chips_being_drawn_do_not_remove_anything(choices):
    trigger = {"type": CHIP_TYPE, "field": "states", "value": "OK"}
    view, _ = _with_triggered(0, lambda: next_view(choices, trigger, current=to_query(FULL, choices)))
    assert view == FULL


@pytest.mark.parametrize("store", [None, 3, {"a": 1}, ["?state=TX"], "?state=ZZ", "garbage&&==", "?" + "x" * 10_000])
def test_a_bad_store_means_the_default_view(choices, store):
    assert view_from_store(store, choices) == ViewState()


def test_store_round_trips(choices):
    assert view_from_store(to_query(FULL, choices), choices) == FULL


# --- presentation mode ----------------------------------------------------------------------------------------
# The store leaves the slide out (moving between slides redraws nothing); the address has both fields.
PRESENTING = "?state=TX,OK&type=labor&gender=female&present=1&slide=4"


def presented(choices, search: str = PRESENTING) -> tuple[ViewState, str]:
    """The view on screen in presentation mode, and what the store holds for it."""
    view, notices = parse_query(search, choices)
    assert notices == [] and view.present and view.slide == 4
    return view, to_query(replace(view, slide=1), choices)


def test_a_chip_removed_while_presenting_keeps_the_presentation_and_the_slide(choices):
    on_screen, store = presented(choices)
    trigger = {"type": CHIP_TYPE, "field": "genders", "value": "female"}
    view, _ = _with_triggered(1, lambda: next_view(choices, trigger, search=PRESENTING, current=store))
    assert view == replace(on_screen, filters=replace(on_screen.filters, genders=()))
    assert to_query(view, choices) == "?state=OK,TX&type=labor&present=1&slide=4"


def test_the_measure_chip_removed_while_presenting_keeps_the_presentation(choices):
    on_screen, store = presented(choices, PRESENTING + "&measure=rate")
    trigger = {"type": CHIP_TYPE, "field": "measure", "value": "rate"}
    view, _ = _with_triggered(
        1, lambda: next_view(choices, trigger, search=PRESENTING + "&measure=rate", current=store)
    )
    assert on_screen.measure == "rate"
    assert view == replace(on_screen, measure="count")


def test_clear_all_while_presenting_keeps_the_presentation_and_the_measure(choices):
    search = PRESENTING + "&measure=rate"
    _, store = presented(choices, search)
    view, _ = next_view(choices, CLEAR_ID, search=search, current=store)
    assert view == ViewState(measure="rate", present=True, slide=4)
    assert to_query(view, choices) == "?measure=rate&present=1&slide=4"
    assert nothing_to_clear(replace(view, measure="count"))


def test_controls_and_chart_clicks_while_presenting_keep_the_presentation(choices):
    on_screen, store = presented(choices)
    controls = {f: [] for f in view_module.filter_panel.present_fields(choices)} | {"states": ["TX"]}
    view, _ = next_view(choices, "filter-states", search=PRESENTING, controls=controls, current=store)
    assert view == ViewState(filters=Filters(states=("TX",)), present=True, slide=4)
    clicks = {"age-group-graph": click("age_group", "minor")}
    view, _ = next_view(choices, "age-group-graph", search=PRESENTING, clicks=clicks, current=store)
    assert view == on_screen.with_filters(replace(on_screen.filters, age_groups=("minor",)))


def test_out_of_presentation_an_action_does_not_start_one(choices):
    store = to_query(FULL, choices)
    view, _ = next_view(choices, CLEAR_ID, search=store, current=store)
    assert (view.present, view.slide) == (False, 1)
    trigger = {"type": CHIP_TYPE, "field": "states", "value": "OK"}
    view, _ = _with_triggered(1, lambda: next_view(choices, trigger, search=store, current=store))
    assert (view.present, view.slide) == (False, 1)


@pytest.mark.parametrize("search", ["", "?present=1", "?present=1&slide=3"])
def test_clear_all_is_disabled_for_the_default_view_presenting_or_not(choices, search):
    view, _ = next_view(choices, URL_ID, search=search)
    assert view.present == bool(search)
    assert nothing_to_clear(view)


@pytest.mark.parametrize("search", ["?state=TX", "?present=1&type=labor", "?present=1&slide=2&years=2015-2016"])
def test_clear_all_is_enabled_when_a_filter_is_set(choices, search):
    view, _ = next_view(choices, URL_ID, search=search)
    assert not nothing_to_clear(view)
