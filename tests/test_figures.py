"""Figure builders as pure functions: valid plotly, sentence titles, footnotes, the numbers of
Dataset.aggregate, highlighting of the selection, suppressed values drawn as words, never as bars."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io.json as plotly_json
import pytest
from ui_helpers import as_sent, bar_values, decode_typed_arrays, demo, flat_title, footnote_text, small_dataset

from components import areamap, breakdowns, panel, text, theme, trend
from hotline import Filters
from hotline.geography import STATE_NAMES
from hotline.schema import UNKNOWN_AREA, value_label
from hotline.viewstate import ViewState

TEXAS_LABOR = ViewState(filters=Filters(years=(2015, 2019), states=("TX",), trafficking_types=("labor",)))
RATE_VIEW = ViewState(filters=Filters(years=(2016, 2018), trafficking_types=("sex",)), measure="rate")


@pytest.fixture(scope="module")
def data():
    return demo(10)


def all_figures(dataset, view):
    figures = {"map": areamap.render(dataset, view), "trend": trend.render(dataset, view)}
    for dimension in breakdowns.present(dataset):
        figures[dimension] = breakdowns.render(dataset, view, dimension)
    return figures


VIEWS = [
    ViewState(),
    TEXAS_LABOR,
    RATE_VIEW,
    ViewState(filters=Filters(regions=("West",), genders=("male",), age_groups=("minor",))),
    ViewState(filters=Filters(states=("WY", "VT"), years=(2020, 2020), methods=("email",)), measure="rate"),
    ViewState(filters=Filters(states=("GU",)), measure="rate"),  # a territory: no population, no rates
]


# --- valid plotly -----------------------------------------------------------------------------------
@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.measure + ":" + text.scope_phrase(v.filters, (2012, 2023)))
def test_every_figure_is_valid_plotly(data, view):
    for figure in all_figures(data, view).values():
        go.Figure(figure)  # raises on any invalid property
        go.Figure(as_sent(figure))  # and the JSON the browser receives is valid too


def test_every_figure_is_valid_plotly_without_suppression():
    dataset = small_dataset(1)
    view = ViewState(filters=Filters(states=("WY",), years=(2019, 2019), genders=("male",)))
    for figure in all_figures(dataset, view).values():
        go.Figure(figure)


def test_fallback_figures_are_valid_plotly():
    go.Figure(panel.placeholder_figure())
    go.Figure(panel.unavailable_figure())


def test_builders_are_pure(data):
    first = all_figures(data, TEXAS_LABOR)
    snapshot = copy.deepcopy(first)
    second = all_figures(data, TEXAS_LABOR)
    assert first == second == snapshot


def test_typed_array_decoding_round_trips():
    """The browser gets numpy arrays as {"dtype", "bdata"}: the helper must read them back."""
    figure = go.Figure(
        [
            go.Bar(x=np.array([3, 700, 70000], dtype=np.int64), y=np.array([0.5, 1.5, 2.5])),
            go.Heatmap(z=np.arange(6).reshape(2, 3)),
        ]
    )
    raw = json.loads(plotly_json.to_json_plotly(figure))
    assert set(raw["data"][0]["x"]) == {"dtype", "bdata"}
    assert raw["data"][1]["z"]["shape"] == "2, 3"
    decoded = decode_typed_arrays(raw)
    assert decoded["data"][0]["x"] == [3, 700, 70000]
    assert decoded["data"][0]["y"] == [0.5, 1.5, 2.5]
    assert decoded["data"][1]["z"] == [[0, 1, 2], [3, 4, 5]]
    assert as_sent(figure.to_plotly_json())["data"][0]["x"] == [3, 700, 70000]


# --- titles and footnotes ---------------------------------------------------------------------------
def test_breakdown_title_names_measure_and_active_filters(data):
    gender = breakdowns.render(data, TEXAS_LABOR, "gender")
    assert flat_title(gender) == "Signals by gender, labor trafficking, Texas, 2015–2019"


@pytest.mark.parametrize(
    "dimension, own_words",
    [("trafficking_type", "labor"), ("gender", "female"), ("age_group", "minor"), ("citizenship", "foreign national")],
)
def test_a_chart_is_not_filtered_by_its_own_dimension(data, dimension, own_words):
    view = ViewState(
        filters=Filters(
            years=(2015, 2019),
            states=("TX",),
            trafficking_types=("labor",),
            genders=("female",),
            age_groups=("minor",),
            citizenships=("foreign_national",),
        )
    )
    title = flat_title(breakdowns.render(data, view, dimension))
    assert title.startswith(f"Signals by {dimension.replace('_', ' ').replace('trafficking type', 'trafficking type')}")
    assert own_words not in title.lower()
    # ... while every other active filter is named.
    for dim, words in [
        ("trafficking_type", "labor trafficking"),
        ("gender", "female"),
        ("age_group", "minor"),
        ("citizenship", "foreign national"),
    ]:
        if dim != dimension:
            assert words in title.lower()
    assert title.endswith("Texas, 2015–2019")


def test_map_title_leaves_out_the_state_filter(data):
    figure = areamap.render(data, TEXAS_LABOR)
    assert flat_title(figure) == "Signals by state, labor trafficking, United States, 2015–2019"


def test_trend_title_leaves_out_the_year_filter(data):
    figure = trend.render(data, TEXAS_LABOR)
    assert flat_title(figure) == "Signals by year and trafficking type, labor trafficking, Texas, 2012–2023"


def test_rate_titles_name_the_rate(data):
    assert flat_title(breakdowns.render(data, RATE_VIEW, "gender")) == (
        "Signals per 100,000 people per year by gender, sex trafficking, United States, 2016–2018"
    )
    assert flat_title(areamap.render(data, RATE_VIEW)).startswith("Signals per 100,000 people per year by state, ")


def test_titles_are_wrapped_at_spaces_only(data):
    figure = breakdowns.render(data, TEXAS_LABOR, "caller")
    lines = figure["layout"]["title"]["text"].split("<br>")
    assert all(len(line) <= theme.NARROW for line in lines)
    assert " ".join(lines) == flat_title(figure)


def test_footnote_names_source_and_suppression_rule(data):
    for name, figure in all_figures(data, TEXAS_LABOR).items():
        note = footnote_text(figure)
        assert "Synthetic demo data" in note, name
        assert "Counts below 10 are hidden." in note, name
        assert "not how common trafficking is" in note, name


def test_footnote_says_when_suppression_is_off():
    figure = breakdowns.render(small_dataset(1), ViewState(), "gender")
    note = footnote_text(figure)
    assert "small test data" in note
    assert "NOT hidden" in note


def test_map_footnote_explains_grey_when_states_are_hidden(data):
    view = ViewState(filters=Filters(years=(2019, 2019), genders=("gender_minority",), age_groups=("minor",)))
    figure = areamap.render(data, view)
    assert len(figure["data"]) == 2, "this view is expected to hide some states"
    assert footnote_text(figure).startswith("Grey: fewer than 10 signals, or hidden to protect a small count.")


# --- numbers ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dimension", breakdowns.BREAKDOWN_DIMENSIONS)
def test_bar_values_equal_the_aggregate(data, dimension):
    view = TEXAS_LABOR
    expected = data.aggregate([dimension], view.filters.without(dimension))
    if dimension == "method":  # as the hotline reports them: calls, online tips, emails, then the rest
        first = ["call", "online_tip", "email"]
        expected = expected.sort_values(
            dimension, key=lambda v: v.map(lambda m: first.index(m) if m in first else 3), kind="stable"
        )
    figure = breakdowns.render(data, view, dimension)
    shown = bar_values(figure)
    assert list(shown) == [value_label(v) for v in expected[dimension]]
    for value, count, suppressed in zip(expected[dimension], expected["count"], expected["suppressed"]):
        if suppressed:
            assert shown[value_label(value)] is None
        else:
            assert shown[value_label(value)] == float(count)
    texts = figure["data"][0]["text"]
    assert [t for t in texts if t] == [
        text.format_count(c) for c, s in zip(expected["count"], expected["suppressed"]) if not s
    ]


def test_rate_bars_show_rates(data):
    expected = data.aggregate(["gender"], RATE_VIEW.filters.without("gender"), measure="rate")
    shown = bar_values(breakdowns.render(data, RATE_VIEW, "gender"))
    for value, rate, suppressed in zip(expected["gender"], expected["rate"], expected["suppressed"]):
        if suppressed or pd.isna(rate):
            assert shown[value_label(value)] is None
        else:
            assert shown[value_label(value)] == pytest.approx(float(rate))
            assert 0 < float(rate) < 100  # a rate per 100,000, not a count
    counts = data.aggregate(["gender"], RATE_VIEW.filters.without("gender"))
    assert list(shown.values()) != [float(c) for c in counts["count"]]


def test_selected_values_are_full_opacity_others_dimmed(data):
    view = ViewState(filters=Filters(genders=("female", "male")))
    figure = breakdowns.render(data, view, "gender")
    bars = figure["data"][0]
    opacity = dict(zip(bars["y"], bars["marker"]["opacity"]))
    assert opacity == {
        "Female": 1.0,
        "Male": 1.0,
        "Gender minority": theme.DIMMED_OPACITY,
        "Unknown": theme.DIMMED_OPACITY,
    }
    widths = dict(zip(bars["y"], bars["marker"]["line"]["width"]))
    assert widths["Female"] > 0 and widths["Unknown"] == 0


def test_without_a_selection_nothing_is_dimmed(data):
    bars = breakdowns.render(data, ViewState(), "method")["data"][0]
    assert set(bars["marker"]["opacity"]) == {1.0}


def test_bars_carry_dimension_and_value_for_clicks(data):
    bars = breakdowns.render(data, ViewState(), "trafficking_type")["data"][0]
    assert bars["customdata"] == [["trafficking_type", v] for v in data.values("trafficking_type")]


def test_suppressed_values_have_no_bar_and_a_label(data):
    figure = breakdowns.render(data, TEXAS_LABOR, "gender")
    expected = data.aggregate(["gender"], TEXAS_LABOR.filters.without("gender"))
    hidden = expected[expected["suppressed"]]
    assert len(hidden) >= 1, "Texas labor 2015-2019 is expected to hide a gender"
    bars, marks = figure["data"]
    shown = dict(zip(bars["y"], bars["x"]))
    hover = dict(zip(bars["y"], bars["hovertext"]))
    labels = dict(zip(marks["y"], marks["text"]))
    for value, reason in zip(hidden["gender"], hidden["suppression"]):
        label = value_label(value)
        assert shown[label] is None
        assert hover[label] is None
        assert labels[label] == ("<10" if reason == "fewer_than_min" else "hidden")
    assert set(labels) == {value_label(v) for v in hidden["gender"]}
    assert marks["x"] == [0] * len(marks["x"])
    assert all("fewer than 10" in h or "hidden to protect" in h for h in marks["hovertext"])


def test_hover_shares_only_when_nothing_is_hidden(data):
    full = breakdowns.render(data, ViewState(), "age_group")["data"][0]["hovertext"]
    assert all("% of this chart" in h for h in full)
    partial = breakdowns.render(data, TEXAS_LABOR, "gender")["data"][0]["hovertext"]
    assert not any(h and "%" in h for h in partial)


def test_breakdown_builder_works_on_a_hand_made_frame():
    frame = pd.DataFrame(
        {
            "gender": ["female", "male", "gender_minority", "unknown"],
            "count": pd.array([120, None, None, 40], dtype="Int64"),
            "suppressed": [False, True, True, False],
            "suppression": pd.array([None, "protects_small_count", "fewer_than_min", None], dtype="string"),
        }
    )
    figure = breakdowns.figure(
        frame, "gender", {"unknown"}, "count", "Signals by gender, United States, 2020", "Source: x.", 10
    )
    go.Figure(figure)
    bars, marks = figure["data"]
    assert bars["x"] == [120.0, None, None, 40.0]
    assert bars["marker"]["opacity"] == [theme.DIMMED_OPACITY, theme.DIMMED_OPACITY, theme.DIMMED_OPACITY, 1.0]
    assert marks["text"] == ["hidden", "<10"]
    assert marks["y"] == ["Male", "Gender minority"]


# --- map -------------------------------------------------------------------------------------------------
def test_map_has_one_location_per_state_and_hidden_states_in_grey(data):
    view = ViewState(filters=Filters(years=(2019, 2019), genders=("gender_minority",), age_groups=("minor",)))
    figure = areamap.render(data, view)
    expected = data.aggregate(["state"], view.filters.without("state"))
    expected = expected[expected["state"] != UNKNOWN_AREA]
    shown, grey = figure["data"]
    for trace in figure["data"]:
        assert trace["type"] == "choropleth"
        assert trace["locationmode"] == "USA-states"
    locations = shown["locations"] + grey["locations"]
    assert len(locations) == len(set(locations)) == len(expected)
    assert set(locations) == set(expected["state"])
    hidden = set(expected.loc[expected["suppressed"], "state"])
    assert hidden and set(grey["locations"]) == hidden
    assert grey["z"] == [0] * len(hidden)
    assert {c for c, _ in grey["colorscale"]} == {0, 1} and {col for _, col in grey["colorscale"]} == {
        theme.SUPPRESSED_FILL
    }
    counts = dict(zip(expected["state"], expected["count"]))
    assert dict(zip(shown["locations"], shown["z"])) == {s: float(counts[s]) for s in shown["locations"]}
    for state, hover in zip(grey["locations"], grey["hovertext"]):
        assert hover.startswith(STATE_NAMES[state] + ": ")
        assert hover.endswith("fewer than 10") or hover.endswith("hidden to protect a small count")


def test_map_shows_rates_for_the_rate_measure(data):
    figure = areamap.render(data, RATE_VIEW)
    expected = data.aggregate(["state"], RATE_VIEW.filters.without("state"), measure="rate").set_index("state")
    shown = figure["data"][0]
    assert shown["colorbar"]["title"]["text"] .replace("<br>", " ") == "per 100k"
    for state, z in zip(shown["locations"], shown["z"]):
        assert z == pytest.approx(float(expected.loc[state, "rate"]))
    assert "GU" not in shown["locations"]  # no population, so no rate: not drawn as zero


def test_map_highlights_selected_states(data):
    figure = areamap.render(data, ViewState(filters=Filters(states=("TX", "OK"))))
    shown = figure["data"][0]
    opacity = dict(zip(shown["locations"], shown["marker"]["opacity"]))
    assert opacity["TX"] == opacity["OK"] == 1.0
    assert opacity["CA"] == theme.DIMMED_OPACITY
    assert shown["customdata"][shown["locations"].index("TX")] == ["state", "TX"]


def test_map_shapes_come_from_usa_scope(data):
    geo = areamap.render(data, ViewState())["layout"]["geo"]
    assert geo["scope"] == "usa"


# --- trend ------------------------------------------------------------------------------------------------
def test_trend_has_one_trace_per_type_with_years_as_x(data):
    figure = trend.render(data, ViewState())
    bars = [t for t in figure["data"] if t["type"] == "bar"]
    assert [t["name"] for t in bars] == [value_label(v) for v in data.values("trafficking_type")]
    first, last = data.years
    years = [str(y) for y in range(first, last + 1)]
    expected = data.aggregate(["year", "trafficking_type"]).set_index(["year", "trafficking_type"])
    for trace, value in zip(bars, data.values("trafficking_type")):
        assert trace["x"] == years
        for year, y in zip(years, trace["y"]):
            assert y == float(expected.loc[(int(year), value), "count"])
        assert trace["customdata"] == [["year", int(y)] for y in years]
    assert figure["layout"]["barmode"] == "stack"


def test_trend_dims_years_outside_the_selection(data):
    figure = trend.render(data, ViewState(filters=Filters(years=(2015, 2016))))
    trace = figure["data"][0]
    opacity = dict(zip(trace["x"], trace["marker"]["opacity"]))
    assert opacity["2015"] == opacity["2016"] == 1.0
    assert opacity["2014"] == opacity["2017"] == theme.DIMMED_OPACITY


def test_trend_leaves_hidden_segments_out_and_marks_them(data):
    view = ViewState(filters=Filters(states=("WY",)))
    figure = trend.render(data, view)
    expected = data.aggregate(["year", "trafficking_type"], view.filters.without("year"))
    assert expected["suppressed"].any()
    bars = {t["name"]: t for t in figure["data"] if t["type"] == "bar"}
    for year, value, suppressed in zip(expected["year"], expected["trafficking_type"], expected["suppressed"]):
        trace = bars[value_label(value)]
        position = trace["x"].index(str(year))
        assert (trace["y"][position] is None) == bool(suppressed)
    marks = [t for t in figure["data"] if t["type"] == "scatter"]
    assert len(marks) == 1
    hidden_years = sorted({str(y) for y in expected.loc[expected["suppressed"], "year"]})
    assert sorted(marks[0]["x"]) == hidden_years


def test_trend_shows_rates_and_no_zero_for_unknown_rates(data):
    figure = trend.render(data, RATE_VIEW)
    expected = data.aggregate(["year", "trafficking_type"], RATE_VIEW.filters.without("year"), measure="rate")
    expected = expected.set_index(["year", "trafficking_type"])
    sex = next(t for t in figure["data"] if t["name"] == "Sex")
    for year, y in zip(sex["x"], sex["y"]):
        assert y == pytest.approx(float(expected.loc[(int(year), "sex"), "rate"]))
    assert figure["layout"]["yaxis"]["title"]["text"] == "Signals per 100,000 people per year"
    territory = trend.render(data, ViewState(filters=Filters(states=("GU",)), measure="rate"))
    values = [y for t in territory["data"] if t["type"] == "bar" for y in t["y"]]
    assert all(y is None for y in values), "a territory has no population: its rate is unknown, not 0"


def test_trend_builder_works_without_a_type_split():
    frame = pd.DataFrame(
        {
            "year": [2020, 2021],
            "count": pd.array([50, None], dtype="Int64"),
            "suppressed": [False, True],
            "suppression": pd.array([None, "fewer_than_min"], dtype="string"),
        }
    )
    figure = trend.figure(frame, None, "count", "Signals by year, United States, 2020–2021", "Source: x.", 10)
    go.Figure(figure)
    bars, marks = figure["data"]
    assert bars["y"] == [50.0, None]
    assert marks["x"] == ["2021"] and not math.isnan(marks["y"][0])


def test_count_axes_tick_in_whole_numbers_and_short_labels():
    demo_data = demo()
    wide = breakdowns.render(demo_data, ViewState(), "gender")["layout"]["xaxis"]
    assert wide["tickformat"] == "~s" and wide["title"]["text"] == "Signals"
    # Wyoming, male, 2019 in the small data: every bar hidden, so the axis runs 0..1 in steps of 1.
    view = ViewState(filters=Filters(years=(2019, 2019), states=["WY"], genders=["male"]))
    bare = breakdowns.render(small_dataset(min_cell=20), view, "trafficking_type")["layout"]["xaxis"]
    assert bare.get("dtick") == 1 and "tickformat" not in bare
    rate = breakdowns.render(demo_data, ViewState(measure="rate"), "gender")["layout"]["xaxis"]
    assert "tickformat" not in rate and "dtick" not in rate


def _contrast_on_white(colour: str) -> float:
    """WCAG contrast ratio of a #rrggbb colour against white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_every_trafficking_type_has_its_own_colour_with_graphics_contrast():
    from hotline.schema import TRAFFICKING_TYPES

    assert set(theme.TYPE_COLORS) == set(TRAFFICKING_TYPES)
    assert len(set(theme.TYPE_COLORS.values())) == len(TRAFFICKING_TYPES)
    assert all(_contrast_on_white(c) >= 3 for c in theme.TYPE_COLORS.values()), theme.TYPE_COLORS
