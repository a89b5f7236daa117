"""The promise of the product: whatever the filters, no count in 1..min_cell-1 reaches the user.

Every panel is rendered for many random views and read the way the browser gets it (figures as JSON,
typed arrays decoded): bar lengths, map colours, trend heights, customdata, hover text and labels,
KPI values and details, table cells. The same scan finds small counts when suppression is turned off
(min_cell=1), so it can fail.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ui_helpers import demo, render_page, small_counts, small_dataset, views

from components import breakdowns, table, text
from hotline import Filters
from hotline.schema import value_label
from hotline.viewstate import MONTH_NAMES, ViewState

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- what a user could work out by subtraction -------------------------------------------------------------
def _number(cell: object) -> int | None:
    """A count as a panel shows it ("1,234" or 1234.0), or None for a hidden one."""
    if cell is None:
        return None
    if isinstance(cell, (int, float)):
        return int(cell)
    digits = str(cell).replace(",", "")
    return int(digits) if digits.isdigit() else None


def _in_selection(x: str, view: ViewState, dataset) -> bool:
    """Whether a trend bar is one of those the view's total adds up: a selected year, or, in a one-year
    view drawn by month, a selected month (every month when none is)."""
    if x.isdigit():
        years = view.filters.years or dataset.years
        return years[0] <= int(x) <= years[1]
    months = view.filters.months
    return not months or x in [MONTH_NAMES[m - 1][:3] for m in months]


def _blocks(page, view: ViewState, dataset) -> dict[str, list[int | None]]:
    """For each chart, the cells that add up to the view's total: its selected values, or all of them.

    A chart leaves its own dimension open, so its selected values sum to the total of the view.
    """
    filters = view.filters
    blocks: dict[str, list[int | None]] = {}
    states = set(filters.geography())
    rows = page.table_body
    if states:
        rows = [r for r in rows if r[0].endswith(" (selected)")]
    blocks["state (table)"] = [_number(r[2]) for r in rows]
    for dimension in breakdowns.present(dataset):
        bars = page.figures[dimension]["data"][0]
        chosen = {value_label(v) for v in filters.selection(dimension)}
        blocks[dimension] = [_number(x) for label, x in zip(bars["y"], bars["x"]) if not chosen or label in chosen]
    trend_cells = []
    for trace in page.figures["trend"]["data"]:
        if trace["type"] == "bar":
            trend_cells += [_number(y) for x, y in zip(trace["x"], trace["y"]) if _in_selection(x, view, dataset)]
    blocks["year (trend)"] = trend_cells
    return blocks


def recoverable(page, view: ViewState, dataset) -> list[str]:
    """Hidden counts that the numbers on the page pin down by subtraction.

    Every block below adds up to one number: the view's total (the KPI, or any block shown in full).
    A block with exactly one hidden cell then gives that cell away. The trend has two more kinds of
    line: a trafficking type's years in the selection (they add up to that type's bar) and a year's
    segments (they add up to the year's total in the change KPI).
    """
    found = []
    blocks = _blocks(page, view, dataset)
    totals = {name: sum(cells) for name, cells in blocks.items() if None not in cells}
    kpi_total = _number(page.kpis[0].value)
    if kpi_total is not None:
        totals["KPI"] = kpi_total
    if totals:
        for name, cells in blocks.items():
            if cells.count(None) == 1:
                found.append(
                    f"{name}: the one hidden cell is {next(iter(totals.values())) - sum(c for c in cells if c is not None)}"
                )
    trend_bars = [t for t in page.figures["trend"]["data"] if t["type"] == "bar"]
    if "trafficking_type" in page.figures:
        type_bars = page.figures["trafficking_type"]["data"][0]
        type_totals = {label: _number(x) for label, x in zip(type_bars["y"], type_bars["x"])}
        for trace in trend_bars:
            cells = [_number(y) for x, y in zip(trace["x"], trace["y"]) if _in_selection(x, view, dataset)]
            if type_totals.get(trace["name"]) is not None and cells.count(None) == 1:
                found.append(f"trend {trace['name']}: one hidden year, and the type's bar gives the sum")
    change = page.kpis[1]
    if "→" in change.detail:
        last = (view.filters.years or dataset.years)[1]
        for year in (last - 1, last):
            if not trend_bars or str(year) not in trend_bars[0]["x"]:
                continue  # drawn by month: the months add up to the year, a block checked above
            cells = [_number(t["y"][t["x"].index(str(year))]) for t in trend_bars]
            if cells.count(None) == 1:
                found.append(f"trend {year}: one hidden segment, and the change KPI gives the year's total")
    return found


# --- the property, over many views -------------------------------------------------------------------------
def check_view(dataset, view: ViewState) -> None:
    counts = render_page(dataset, ViewState(filters=view.filters, measure="count"))
    rates = render_page(dataset, ViewState(filters=view.filters, measure="rate"))
    # 1. No count in 1..min_cell-1 anywhere a user can see it.
    assert small_counts(counts, "count", dataset.min_cell) == []
    assert small_counts(rates, "rate", dataset.min_cell) == []
    # 2. Where a count is hidden, its rate is hidden too (a rate times the population is the count).
    assert not _hidden_positions(counts) & _shown_positions(rates)
    for figure in rates.figures.values():
        for trace in figure["data"]:
            if trace["type"] == "bar":
                values = trace["x"] if trace.get("orientation") == "h" else trace["y"]
                assert [v is None for v in values] == [h is None for h in trace["hovertext"]]
    if counts.kpis[0].value.startswith(HIDDEN_WORDS):
        assert rates.kpis[0].value == counts.kpis[0].value
    for count_row, rate_row in zip(counts.table_body, rates.table_body):
        assert count_row == rate_row  # the table always shows both
        if count_row[2].startswith(HIDDEN_WORDS):
            assert count_row[3] == count_row[2]
    return counts


@SETTINGS
@given(data=st.data())
def test_no_small_count_reaches_the_user_demo(data):
    dataset = demo(10)
    check_view(dataset, data.draw(views(dataset)))


@SMALL_SETTINGS
@given(data=st.data(), min_cell=st.sampled_from((3, 5, 10, 11)))
def test_no_small_count_reaches_the_user_small_cells(data, min_cell):
    dataset = small_dataset(min_cell)
    check_view(dataset, data.draw(views(dataset)))


# No shrinking: a failure is reported as found (shrinking a page render takes minutes).
SUBTRACTION_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


@SUBTRACTION_SETTINGS
@given(data=st.data(), use_demo=st.booleans())
def test_no_hidden_count_can_be_worked_out_by_subtraction(data, use_demo):
    dataset = demo(10) if use_demo else small_dataset(10)
    view = data.draw(views(dataset))
    page = render_page(dataset, ViewState(filters=view.filters))
    assert recoverable(page, view, dataset) == []


HIDDEN_WORDS = ("fewer than", "hidden")


def _positions(page, hidden: bool) -> set[tuple]:
    """(panel, trace, category) of every value drawn (or, with hidden=True, not drawn)."""
    out = set()
    for name, figure in page.figures.items():
        if name == "map":
            traces = figure["data"][1:] if hidden else figure["data"][:1]
            out |= {(name, "", s) for t in traces for s in t["locations"]}
            continue
        for trace in figure["data"]:
            if trace["type"] != "bar":
                continue
            horizontal = trace.get("orientation") == "h"
            categories, values = (trace["y"], trace["x"]) if horizontal else (trace["x"], trace["y"])
            key = trace["name"] if name == "trend" else ""
            out |= {(name, key, c) for c, v in zip(categories, values) if (v is None) == hidden}
    return out


def _hidden_positions(page) -> set[tuple]:
    return _positions(page, hidden=True)


def _shown_positions(page) -> set[tuple]:
    return _positions(page, hidden=False)


# --- known views ---------------------------------------------------------------------------------------------
# Views of the demo data where a hidden count could once be worked out from two panels.
SUBTRACTION_VIEWS = [
    ViewState(filters=Filters(states=("VT",), methods=("text", "unknown"))),
    ViewState(filters=Filters(states=("NH",), genders=("female", "gender_minority"), age_groups=("minor",))),
    ViewState(
        filters=Filters(
            states=("WA", "AK"),
            genders=("unknown", "gender_minority"),
            age_groups=("unknown",),
            methods=("unknown", "call"),
        )
    ),
    ViewState(filters=Filters(states=("AK",), methods=("call", "webchat"))),
    ViewState(
        filters=Filters(
            years=(2015, 2019), states=("TX",), trafficking_types=("labor",), genders=("female", "gender_minority")
        )
    ),
    # A cell hidden to protect others, alone among zeros where a published total adds it up: the one
    # selected method's bar and the view's total; one type's 2014 segment and the year's total.
    ViewState(filters=Filters(years=(2012, 2013), regions=("Northeast",), states=("AK",), methods=("call",))),
    ViewState(
        filters=Filters(
            years=(2012, 2015),
            regions=("South",),
            states=("MT",),
            trafficking_types=("sex", "sex_and_labor"),
            genders=("female",),
            methods=("call", "online_tip"),
        )
    ),
]


@pytest.mark.parametrize("view", SUBTRACTION_VIEWS, ids=lambda v: text.scope_phrase(v.filters, (2012, 2023)))
def test_known_subtraction_views(view):
    dataset = demo(10)
    page = check_view(dataset, view)
    assert recoverable(page, view, dataset) == []


def test_a_years_total_hidden_to_protect_says_so():
    """The Montana view above: 2014's total would give back a trend segment, so the change is not shown."""
    page = render_page(demo(10), SUBTRACTION_VIEWS[-1])
    change = page.kpis[1]
    assert (change.label, change.value) == ("Change 2014 to 2015", "not shown")
    assert change.detail == "a year's count is hidden to protect a small count"


def test_the_subtraction_check_can_fail():
    """With suppression off every block is shown in full; pretend one bar is hidden: it is found."""
    dataset = small_dataset(1)
    view = ViewState(filters=Filters(states=("WY",), genders=("male", "female")))
    page = render_page(dataset, view)
    assert recoverable(page, view, dataset) == []
    page.figures["gender"]["data"][0]["x"][0] = None
    assert any(f.startswith("gender:") for f in recoverable(page, view, dataset))


# --- the scan can fail ---------------------------------------------------------------------------------------
NARROW_VIEWS = [
    ViewState(filters=Filters(states=("WY",), years=(2019, 2019))),
    ViewState(filters=Filters(states=("VT", "ND"), genders=("male",), years=(2020, 2021))),
    ViewState(filters=Filters(trafficking_types=("labor",), age_groups=("minor",), years=(2022, 2022))),
    ViewState(filters=Filters(states=("WY",), genders=("male",), age_groups=("minor",), years=(2021, 2022))),
]


@pytest.mark.parametrize("view", NARROW_VIEWS)
def test_views_used_as_controls_do_hide_cells(view):
    dataset = small_dataset(10)
    page = render_page(dataset, view)
    hidden = sum(len(f["data"]) > (1 if name != "trend" else 4) for name, f in page.figures.items())
    assert hidden, "a control view must exercise suppression"
    assert small_counts(page, "count", 10) == []


def test_without_suppression_small_counts_do_show():
    """min_cell=1, asked for explicitly: the same scan finds small counts in every kind of output."""
    dataset = small_dataset(1)
    channels = set()
    for view in NARROW_VIEWS:
        for finding in small_counts(render_page(dataset, view), "count", 10):
            where = finding.split(":")[0]
            channels.add(where.split("[")[0] + "." + where.split(".")[-1] if "[" in where else where)
    kinds = {c.split(".")[-1] for c in channels}
    assert {"x", "y", "z", "text", "hovertext"} <= kinds, channels
    assert any(c.startswith("table") for c in channels), channels
    assert any(c.startswith("kpi") for c in channels), channels


def test_suppression_is_on_by_default():
    assert small_dataset().min_cell == 10
    assert demo().min_cell == 10


def test_table_shows_words_for_hidden_states():
    dataset = small_dataset(10)
    header, body = table.rows(
        dataset, ViewState(filters=Filters(years=(2019, 2019), genders=("male",), age_groups=("minor",)))
    )
    assert header == ["State", "Region", "Signals", "Per 100k people a year"]
    words = [row[2] for row in body if not row[2][0].isdigit()]
    assert words and set(words) <= {"fewer than 10", "hidden to protect a small count"}
