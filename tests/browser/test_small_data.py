"""The dashboard on a tiny CSV whose every number is known, including counts that must stay hidden.

SMALL_ROWS (in conftest) plants labor signals of 3 in Oklahoma and 7 in Wyoming: whatever the
selection, neither number may reach the screen, and the charts of absent columns do not exist.
"""

from __future__ import annotations

import re

import pytest

from components.text import suppressed_label
from hotline import Filters
from hotline.schema import value_label

from .conftest import SMALL_ROWS, Ui, assert_no_small_numbers_shown, kpi_text

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

pytestmark = pytest.mark.browser

SMALL_GRAPHS = ("map-graph", "trend-graph", "trafficking-type-graph", "gender-graph")
READ_TIME = re.compile(r"\b\d{1,2} [A-Z][a-z]+ \d{4},\s*\d{2}:\d{2} UTC")  # "3 Dec 2026, 10:00 UTC"
ABSENT = ("age-group-graph", "citizenship-graph", "method-graph", "caller-graph")


def test_only_the_columns_in_the_file_get_charts_and_filters(small_ui: Ui, small):
    small_ui.open(graphs=SMALL_GRAPHS)
    page = small_ui.page
    assert small.total == sum(row[-1] for row in SMALL_ROWS)
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(small, Filters()))
    expect(page.locator("#source-line")).to_contain_text("small_signals.csv")
    expect(page.locator("#demo-badge")).to_have_count(0)  # real files are not called demo data
    for graph_id in ABSENT:
        expect(page.locator(f"#{graph_id}")).to_have_count(0)
    for control in ("filter-age_groups", "filter-citizenships", "filter-methods", "filter-callers"):
        expect(page.locator(f"#{control}")).to_have_count(0)
    expect(page.locator("#kpi-minor")).to_have_count(0)
    # Exact numbers, computed from the file by the domain API.
    frame = small.aggregate(["gender"], Filters(), open_dimension="gender")
    expected = {
        value_label(g): ("" if s else f"{int(c):,}")
        for g, c, s in zip(frame["gender"], frame["count"], frame["suppressed"])
    }
    small_ui.wait_bars("gender-graph", expected)


def test_planted_small_counts_never_reach_the_screen(small_ui: Ui, small):
    small_ui.open("?type=labor", graphs=SMALL_GRAPHS)
    page = small_ui.page
    labor = Filters(trafficking_types=["labor"])
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(small, labor))
    by_state = small.aggregate(["state"], labor, open_dimension="state").set_index("state")
    assert by_state.loc["OK", "suppressed"] and by_state.loc["WY", "suppressed"]
    for state, name in (("OK", "Oklahoma"), ("WY", "Wyoming")):
        row = page.locator("#numbers-table tr", has=page.locator("th", has_text=name))
        expect(row.locator("td.num").first).to_have_text(
            suppressed_label(by_state.loc[state, "suppression"], small.min_cell)
        )
    # On the map both are in the grey "hidden" layer, never coloured by their value.
    hidden = page.evaluate(
        """() => document.querySelector('#map-graph .js-plotly-plot').data
            .filter(t => /fewer than|hidden/.test(t.name)).flatMap(t => Array.from(t.locations))"""
    )
    assert {"OK", "WY"} <= set(hidden), hidden
    assert_no_small_numbers_shown(small_ui, small.min_cell)
    # Nowhere on the page, chart text included (axis ticks aside), is there a lone 3 or 7.
    texts = page.evaluate(
        """() => [document.body.innerText].concat(Array.from(document.querySelectorAll('svg text'))
            .filter(t => !t.closest('.xtick, .ytick')).map(t => t.textContent))"""
    )
    # The read time in the footnotes is a date, not a count: a run on the 3rd or the 7th must pass.
    texts = [READ_TIME.sub(" ", text) for text in texts]
    tokens = {token for text in texts for token in re.split(r"[^\w.,%+<−-]+", text)}
    assert not tokens & {"3", "7"}, "a planted small count is on screen"


def test_selecting_a_state_with_only_a_small_count(small_ui: Ui, small):
    small_ui.open("?state=OK", graphs=SMALL_GRAPHS)
    page = small_ui.page
    oklahoma = Filters(states=["OK"])
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(small, oklahoma))
    assert small.aggregate([], oklahoma).iloc[0]["suppressed"]
    expect(page.locator("#chips button.chip")).to_have_text([re.compile(r"State:\s*Oklahoma")])
    assert_no_small_numbers_shown(small_ui, small.min_cell)
