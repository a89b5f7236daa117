"""Each chart's table holds the numbers its figure shows, in the same places, and hidden cells as words.

The figures are read the way the browser gets them (JSON, typed arrays decoded): bar lengths and
labels, trend segments, map colours, and the hover text of the grey "hidden" marks.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
import pytest
from ui_helpers import as_sent, demo, flat_title, footnote_text, small_dataset

from components import areamap, breakdowns, chart_access, chart_tables, panel, table, text, trend
from components.chart_tables import NOT_AVAILABLE, ChartTable, describe, display
from hotline import Filters
from hotline.cube import build_cube
from hotline.dataset import Dataset, SourceInfo
from hotline.normalize import normalize
from hotline.schema import LABELS
from hotline.viewstate import ViewState


@lru_cache(maxsize=1)
def countries() -> Dataset:
    """Detected victims by country; some labor counts were published only as "<5" (lower bounds here)."""
    rows = [
        ("MEX", 2019, "sex", "1,281"),
        ("MEX", 2019, "labor", "<5"),
        ("MEX", 2020, "sex", "1,300"),
        ("MEX", 2020, "labor", "<5"),
        ("USA", 2019, "sex", "8,375"),
        ("USA", 2020, "labor", "120"),
        ("DEU", 2019, "labor", "4"),
        ("DEU", 2020, "sex", "300"),
        ("FRA", 2020, "sex", "7"),
    ]
    raw = pd.DataFrame(rows, columns=["Country", "Year", "Type", "Count"]).astype(str)
    table_ = normalize(raw, "countries.csv")
    source = SourceInfo("countries.csv", "country test rows", unit="detected victims")
    return Dataset(build_cube(table_), min_cell=10, source=source, records=len(table_), perturbation=None)


NARROW = Filters(states=("WY", "VT"), trafficking_types=("labor",), genders=("male",))
VIEWS = {
    "demo, everything": (demo, ViewState()),
    "demo, narrow": (demo, ViewState(filters=NARROW)),
    "demo, Texas rates": (demo, ViewState(filters=Filters(states=("TX",), years=(2015, 2019)), measure="rate")),
    "demo, female, labor": (demo, ViewState(filters=Filters(genders=("female",), trafficking_types=("labor",)))),
    "demo, narrow rates": (demo, ViewState(filters=NARROW, measure="rate")),
    "small, one year": (small_dataset, ViewState(filters=Filters(years=(2019, 2019), states=("OK", "GU")))),
    "small, rates": (small_dataset, ViewState(filters=Filters(age_groups=("minor",)), measure="rate")),
    "countries": (countries, ViewState()),
    "countries, labor": (countries, ViewState(filters=Filters(trafficking_types=("labor",)))),
    "countries, rates": (countries, ViewState(measure="rate")),
}


@pytest.fixture(params=list(VIEWS), ids=list(VIEWS))
def case(request):
    make, view = VIEWS[request.param]
    return make(), view


def as_displayed(value: float, measure: str, hover: str | None = None) -> int | float | str:
    """A figure's value as the page writes it: a number at the shown precision, or "at least 1,234"."""
    bound = re.search(r"(?:at least |≥)([\d,.]+)", hover or "")  # hovers say "at least", bar labels "≥"
    if bound:
        return f"at least {bound.group(1)}"
    return float(text.format_rate(value).replace(",", "")) if measure == "rate" else int(value)


def hidden_marks(figure: dict) -> dict[str, str]:
    """Label -> the words of its hover, from the grey marks of hidden values ("Male: fewer than 10")."""
    found = {}
    for trace in figure["data"][1:]:
        for hover in trace.get("hovertext", []):
            for line in hover.split("<br>"):
                if ": " in line:
                    label, words = line.split(": ", 1)
                    found[label] = words
    return found


def assert_titled_like(chart: ChartTable, figure: dict):
    assert chart.title == flat_title(figure)
    assert chart.footnote in footnote_text(figure)


# --- every chart ----------------------------------------------------------------------------------------
def test_breakdown_tables_are_the_bars(case):
    dataset, view = case
    present = breakdowns.present(dataset)
    assert present == [d for d in breakdowns.BREAKDOWN_DIMENSIONS if d in dataset.dimensions]
    for dimension in present:
        chart = chart_tables.breakdown_table(dataset, view, dimension)
        figure = as_sent(breakdowns.render(dataset, view, dimension))
        bars, hidden = figure["data"][0], hidden_marks(figure)
        drawn = {}
        for label, value, words in zip(bars["y"], bars["x"], bars["text"]):
            drawn[label] = (
                as_displayed(value, view.measure, words) if value is not None else hidden.get(label, NOT_AVAILABLE)
            )
        assert dict((row[0], row[1]) for row in chart.rows) == drawn
        assert [row[0] for row in chart.rows] == bars["y"]  # same order, top to bottom
        # The words on the bars are the table's numbers as the page writes them.
        written = [
            display(row[1]).replace("at least ", "≥") if x is not None else "" for row, x in zip(chart.rows, bars["x"])
        ]
        assert written == bars["text"]
        assert chart.columns == [LABELS[dimension], text.measure_phrase(view.measure, dataset.source.unit)]
        assert_titled_like(chart, figure)


def test_trend_table_is_the_stacked_segments(case):
    dataset, view = case
    chart = chart_tables.trend_table(dataset, view)
    figure = as_sent(trend.render(dataset, view))
    bars = [t for t in figure["data"] if t["type"] == "bar"]
    marks = [t for t in figure["data"] if t["type"] == "scatter"]
    hidden = {}  # (year, type label) -> words
    for trace in marks:
        for year, hover in zip(trace["x"], trace["hovertext"]):
            for line in hover.split("<br>")[1:]:
                label, words = line.split(": ", 1)
                hidden[(year, label)] = words
    drawn = {}
    for trace in bars:
        for year, value, hover in zip(trace["x"], trace["y"], trace["hovertext"]):
            key = (year, trace["name"])
            drawn[key] = (
                as_displayed(value, view.measure, hover) if value is not None else hidden.get(key, NOT_AVAILABLE)
            )
    listed = {(str(row[0]), column): cell for row in chart.rows for column, cell in zip(chart.columns[1:], row[1:])}
    assert listed == drawn
    assert [str(row[0]) for row in chart.rows] == bars[0]["x"]
    assert chart.columns[1:] == [t["name"] for t in bars]
    assert_titled_like(chart, figure)


def test_map_table_is_the_map(case):
    dataset, view = case
    chart = chart_tables.map_table(dataset, view)
    figure = as_sent(areamap.render(dataset, view))
    drawn = {}
    shown = figure["data"][0]
    for hover, value in zip(shown["hovertext"], shown["z"]):
        drawn[hover.split(": ")[0]] = as_displayed(value, view.measure, hover)
    for trace in figure["data"][1:]:
        for hover in trace["hovertext"]:
            name, words = hover.split(": ", 1)
            drawn[name] = words
    listed = {row[0]: row[1] for row in chart.rows}
    # Every coloured or grey area is in the table with its value; the rest have no rate to show.
    assert {name: listed[name] for name in drawn} == drawn
    assert all(listed[name] == NOT_AVAILABLE for name in set(listed) - set(drawn))
    assert view.measure == "rate" or set(listed) == set(drawn)
    assert chart.columns == [dataset.areas.label, text.measure_phrase(view.measure, dataset.source.unit)]
    assert_titled_like(chart, figure)


def test_state_table_is_the_numbers_table_with_numbers_as_numbers(case):
    dataset, view = case
    chart = chart_tables.state_table(dataset, view)
    header, body = table.rows(dataset, view)
    assert chart.columns == header
    assert [[display(cell) for cell in row] for row in chart.rows] == body
    counts = [row[2] for row in chart.rows if not isinstance(row[2], str)]
    assert counts and all(isinstance(c, int) for c in counts)
    title, _ = table.render(dataset, view)
    assert chart.title == title


def test_all_tables_of_a_page_are_keyed_like_its_graphs():
    dataset = demo()
    tables = chart_tables.chart_tables(dataset, ViewState())
    graph_ids = [areamap.GRAPH_ID, trend.GRAPH_ID] + [breakdowns.graph_id(d) for d in breakdowns.present(dataset)]
    assert list(tables) == [g.removesuffix("-graph") for g in graph_ids] + ["table"]


# --- hidden cells are words, rates are rates ---------------------------------------------------------------
def test_hidden_cells_are_the_words_of_the_page_never_numbers():
    dataset = demo()
    chart = chart_tables.breakdown_table(dataset, ViewState(filters=NARROW), "method")
    frame = dataset.aggregate(["method"], NARROW, open_dimension="method")
    for row, suppressed, reason, count in zip(chart.rows, frame["suppressed"], frame["suppression"], frame["count"]):
        if suppressed:
            assert row[1] == text.suppressed_label(reason, dataset.min_cell)
            assert row[1] in ("fewer than 10", "hidden to protect a small count")
        else:
            assert row[1] == int(count) and isinstance(row[1], int)
    assert any(frame["suppressed"]) and not all(frame["suppressed"])


def test_rate_views_list_rates_at_the_precision_shown():
    dataset = demo()
    view = ViewState(filters=Filters(states=("TX",)), measure="rate")
    chart = chart_tables.breakdown_table(dataset, view, "gender")
    assert chart.columns == ["Gender", "Signals per 100,000 people per year"]
    frame = dataset.aggregate(["gender"], view.filters, measure="rate", open_dimension="gender")
    for row, rate in zip(chart.rows, frame["rate"]):
        assert isinstance(row[1], float)
        assert display(row[1]) == text.format_rate(rate)
        assert row[1] == pytest.approx(rate, abs=0.051)


# --- the text summary -----------------------------------------------------------------------------------
def test_summary_lists_a_short_chart_and_names_its_highest_value():
    chart = ChartTable(
        "Signals by gender, 2012–2023",
        ["Gender", "Signals"],
        [["Female", 320000], ["Male", 120000], ["Gender minority", "fewer than 10"], ["Unknown", 9000]],
        "Source: test.",
    )
    assert describe(chart, "Bar chart") == (
        "Bar chart. Signals by gender, 2012–2023: Female 320,000; Male 120,000; Gender minority fewer than 10; "
        "Unknown 9,000. Highest: Female."
    )


def test_summary_of_a_long_chart_gives_extremes_and_what_is_hidden():
    dataset = demo()
    chart = chart_tables.map_table(dataset, ViewState(filters=NARROW))
    words = describe(chart, "Map")
    top = max((row for row in chart.rows if isinstance(row[1], int)), key=lambda row: row[1])
    assert words.startswith(f"Map. {chart.title}. Highest: {top[0]} {top[1]:,};")
    hidden = [row[0] for row in chart.rows if row[1] == "hidden to protect a small count"]
    assert hidden and f"Hidden to protect a small count: {', '.join(hidden)}" in words


def test_summary_of_the_trend_follows_each_type_over_the_years():
    dataset = demo()
    chart = chart_tables.trend_table(dataset, ViewState())
    words = describe(chart, "Stacked bar chart")
    first, last = chart.rows[0], chart.rows[-1]
    assert f"Sex: {first[0]} {first[1]:,}, {last[0]} {last[1]:,}, highest " in words
    narrow = describe(chart_tables.trend_table(dataset, ViewState(filters=NARROW)), "Stacked bar chart")
    assert "Labor: fewer than 10 in every year." in narrow


def test_summary_says_when_there_is_nothing_to_list():
    assert describe(ChartTable("Signals by gender", ["Gender", "Signals"], [], ""), "Bar chart") == (
        "Bar chart. Signals by gender: no data for this selection."
    )


# --- the card ----------------------------------------------------------------------------------------------
def _components(node):
    """Every Dash component in a layout tree."""
    if isinstance(node, (list, tuple)):
        for child in node:
            yield from _components(child)
    elif hasattr(node, "to_plotly_json"):
        yield node
        yield from _components(getattr(node, "children", None))


def test_a_chart_card_carries_a_summary_a_table_toggle_and_file_buttons():
    card = panel.graph_card("gender-graph", "Bar chart of signals by gender")
    by_id = {c.id: c for c in _components(card) if getattr(c, "id", None)}
    assert {"gender-graph", "gender-summary", "gender-table-toggle", "gender-table-view"} <= set(by_id)
    assert {"gender-csv", "gender-excel", "gender-download"} <= set(by_id)
    figure = next(c for c in _components(card) if c.to_plotly_json()["props"].get("role") == "figure")
    assert figure.to_plotly_json()["props"]["aria-describedby"] == "gender-summary"
    assert "visually-hidden" in by_id["gender-summary"].className
    toggle = by_id["gender-table-toggle"].to_plotly_json()["props"]
    assert toggle["aria-expanded"] == "false" and toggle["aria-controls"] == "gender-table-view"
    assert by_id["gender-table-view"].hidden is True
    # Without the tools the card is the chart alone, as before.
    plain = panel.graph_card("gender-graph", "Bar chart of signals by gender", access=False)
    assert [c.id for c in _components(plain) if getattr(c, "id", None)] == ["gender-graph"]


def test_only_open_tables_are_built_but_every_summary_is():
    dataset = small_dataset()
    drawn = chart_access.charts(dataset)
    result = chart_access.tables_and_summaries(drawn, ViewState(), {"gender"})
    assert set(result["summaries"]) == set(drawn) and all(result["summaries"].values())
    assert [key for key, table in result["tables"].items() if table is not None] == ["gender"]
