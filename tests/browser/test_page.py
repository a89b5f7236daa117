"""The dashboard in headless Chromium, on the synthetic demo data.

Expected numbers come from the domain API (hotline.load_demo().aggregate), never from the page.
Every page blocks all requests that leave this machine, so passing tests also prove the page,
its scripts, fonts and map shapes work with no internet.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from components.text import format_rate
from hotline import Filters
from hotline.schema import value_label

from .conftest import GRAPH_IDS, TEXT_OVERFLOW_JS, Ui, assert_no_small_numbers_shown, count_text, kpi_text

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

pytestmark = pytest.mark.browser

BREAKDOWN_GRAPHS = {
    "trafficking_type": "trafficking-type-graph",
    "gender": "gender-graph",
    "age_group": "age-group-graph",
    "citizenship": "citizenship-graph",
    "method": "method-graph",
    "caller": "caller-graph",
}


def expected_bars(dataset, dimension: str, filters: Filters) -> dict[str, str]:
    """Label -> text on the bar, for a breakdown chart (its own dimension left open)."""
    frame = dataset.aggregate([dimension], filters, open_dimension=dimension)
    if dimension == "method":  # listed as the hotline reports them: calls, online tips, emails, then the rest
        first = ["call", "online_tip", "email"]
        frame = frame.sort_values(
            dimension, key=lambda v: v.map(lambda m: first.index(m) if m in first else 3), kind="stable"
        )
    return {
        value_label(value): "" if suppressed else count_text(count)
        for value, count, suppressed in zip(frame[dimension], frame["count"], frame["suppressed"])
    }


# --- 1. first load --------------------------------------------------------------------------------
def test_page_loads_offline_with_every_chart_drawn(ui: Ui, demo):
    ui.open()
    page = ui.page
    expect(page.locator("header")).to_contain_text("Synthetic demo data")
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))
    expect(page.locator("#chips")).to_contain_text("No filters")

    marks = page.evaluate(
        """(ids) => Object.fromEntries(ids.map(id => {
            const root = document.querySelector('#' + id + ' .js-plotly-plot');
            return [id, {
                bars: root.querySelectorAll('.barlayer .point path').length,
                states: root.querySelectorAll('.choroplethlocation').length,
            }];
        }))""",
        list(GRAPH_IDS),
    )
    assert marks["map-graph"]["states"] >= 48, marks  # shapes from /assets/topojson, offline
    assert marks["trend-graph"]["bars"] >= demo.years[1] - demo.years[0] + 1, marks
    for dimension, graph_id in BREAKDOWN_GRAPHS.items():
        assert marks[graph_id]["bars"] == len(demo.values(dimension)), (graph_id, marks[graph_id])
        assert ui.bars(graph_id)["texts"] == list(expected_bars(demo, dimension, Filters()).values())

    # The numbers and labels drawn in the SVG are those of the data, top to bottom in schema order.
    for dimension, graph_id in BREAKDOWN_GRAPHS.items():
        expected = expected_bars(demo, dimension, Filters())
        assert ui.bars(graph_id)["drawn"] == list(expected.values()), graph_id
        top_to_bottom = page.evaluate(
            """(id) => Array.from(document.querySelectorAll('#' + id + ' .ytick text'))
                .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
                .map(t => t.textContent.trim())""",
            graph_id,
        )
        assert top_to_bottom == list(expected), graph_id

    # The map's shapes really came from this server, not from a CDN.
    topojson = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('topojson'))"
    )
    assert topojson and all(n.startswith(ui.server.url + "/assets/topojson/") for n in topojson), topojson
    ui.page.guard.assert_clean()


# --- 2. filter controls ----------------------------------------------------------------------------
def test_choosing_a_state_filters_everything(ui: Ui, demo):
    ui.open()
    ui.choose("filter-states", "Texas")
    texas = Filters(states=["TX"])
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, texas))
    ui.wait_search("?state=TX")
    expect(ui.page.locator("#chips button.chip")).to_have_text(re.compile(r"State:\s*Texas"))
    ui.wait_bars("gender-graph", expected_bars(demo, "gender", texas))
    assert ui.bars("gender-graph")["drawn"] == list(expected_bars(demo, "gender", texas).values())
    expect(ui.page.locator("#numbers-table")).to_contain_text("Texas (selected)")
    expect(ui.page.locator("#map-graph .gtitle")).to_contain_text("United States")  # the map keeps all states


def test_measure_radio_switches_to_rates(ui: Ui, demo):
    ui.open()
    ui.page.get_by_text("Per 100,000 people", exact=True).click()
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters(), "rate"))
    ui.wait_search("?measure=rate")
    expect(ui.page.locator(".kpi-label").first).to_contain_text("per 100,000 people")


def test_moving_the_year_slider_with_the_keyboard_filters_years(ui: Ui, demo):
    ui.open()
    first, last = demo.years
    thumbs = ui.page.locator("#filter-years [role=slider]")
    # Quick presses, as a keyboard user makes them: no reply to an earlier press may undo a later one.
    thumbs.first.focus()
    for _ in range(2016 - first):
        ui.page.keyboard.press("ArrowRight")
    thumbs.last.focus()
    for _ in range(last - 2018):
        ui.page.keyboard.press("ArrowLeft")
    expect(thumbs.first).to_have_attribute("aria-valuenow", "2016")
    expect(thumbs.last).to_have_attribute("aria-valuenow", "2018")
    ui.wait_search("?years=2016-2018")
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters(years=(2016, 2018))))
    expect(ui.page.locator("#chips button.chip")).to_have_text([re.compile(r"Years:\s*2016–2018")])
    expect(ui.page.locator(".kpi-label").nth(1)).to_have_text(re.compile("2017 to 2018", re.I))


# --- 3. clicking the charts ------------------------------------------------------------------------
def test_clicking_a_bar_toggles_its_filter(ui: Ui, demo):
    ui.open()
    labor = Filters(trafficking_types=["labor"])
    ui.click_point("trafficking-type-graph", "Labor")
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, labor))
    expect(ui.page.locator("#chips button.chip")).to_have_text([re.compile(r"Trafficking type:\s*Labor")])
    ui.wait_search("?type=labor")
    # The clicked chart still shows every type; the others are dimmed.
    ui.wait_bars("trafficking-type-graph", expected_bars(demo, "trafficking_type", labor))
    opacity = ui.page.evaluate(
        "Array.from(document.querySelector('#trafficking-type-graph .js-plotly-plot').data[0].marker.opacity)"
    )
    assert opacity[1] == 1 and all(o < 1 for i, o in enumerate(opacity) if i != 1), opacity
    ui.wait_bars("gender-graph", expected_bars(demo, "gender", labor))

    ui.click_point("trafficking-type-graph", "Labor")
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))
    expect(ui.page.locator("#chips button.chip")).to_have_count(0)
    ui.wait_search("")


def test_clicking_a_year_selects_that_year(ui: Ui, demo):
    ui.open()
    year = demo.years[0] + 4
    ui.click_point("trend-graph", str(year))
    one_year = Filters(years=(year, year))
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, one_year))
    ui.wait_search(f"?years={year}")
    expect(ui.page.locator("#chips button.chip")).to_have_text([re.compile(rf"Years:\s*{year}")])
    ui.wait_bars("caller-graph", expected_bars(demo, "caller", one_year))


def test_clicking_a_state_on_the_map_selects_it(ui: Ui, demo):
    ui.open()
    index = ui.page.evaluate(
        """() => Array.from(document.querySelectorAll('#map-graph .choroplethlocation'))
            .findIndex(p => p.__data__ && p.__data__.loc === 'CA')"""
    )
    assert index >= 0, "no California shape on the map"
    ui.click_center(ui.page.locator("#map-graph .choroplethlocation").nth(index))
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters(states=["CA"])))
    expect(ui.page.locator("#chips button.chip")).to_have_text([re.compile(r"State:\s*California")])
    ui.wait_search("?state=CA")


def test_chips_remove_one_filter_and_clear_all_removes_all(ui: Ui, demo):
    ui.open("?state=TX&type=labor&gender=female")
    chips = ui.page.locator("#chips button.chip")
    expect(chips).to_have_count(3)
    ui.page.get_by_role("button", name=re.compile("Remove filter Gender")).click()
    texas_labor = Filters(states=["TX"], trafficking_types=["labor"])
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, texas_labor))
    expect(chips).to_have_count(2)
    ui.wait_search("?state=TX&type=labor")

    clear = ui.page.get_by_role("button", name="Clear all")
    expect(clear).to_be_enabled()
    clear.click()
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))
    expect(chips).to_have_count(0)
    expect(ui.page.locator("#chips")).to_contain_text("No filters")
    expect(ui.page.locator("#clear-filters")).to_be_disabled()
    expect(ui.page.locator("#clear-filters")).to_be_hidden()  # nothing to clear
    ui.wait_search("")
    expect(ui.page.locator("#filter-states-value")).to_have_text("All")


# --- 4. shared links -------------------------------------------------------------------------------
def test_a_shared_link_opens_the_same_view(ui: Ui, demo):
    ui.open("?years=2015-2019&state=TX,OK&type=labor&measure=rate")
    page = ui.page
    chips = ui.chips()
    for expected in (
        "Years: 2015–2019",
        "State: Oklahoma",
        "State: Texas",
        "Trafficking type: Labor",
        "Measure: per 100,000 people",
    ):
        assert expected in chips, chips
    assert len(chips) == 5, chips
    expect(page.locator("#filter-states-value")).to_contain_text("Texas")
    expect(page.locator("#filter-states-value")).to_contain_text("Oklahoma")
    expect(page.locator("#filter-measure input[value=rate]")).to_be_checked()
    expect(page.locator(".kpi-label").first).to_contain_text("per 100,000 people")
    filters = Filters(years=(2015, 2019), states=["TX", "OK"], trafficking_types=["labor"])
    rate = demo.aggregate([], filters, measure="rate").iloc[0]
    assert not rate["suppressed"]
    expect(page.locator("#kpi-signals")).to_have_text(format_rate(rate["rate"]))
    assert ui.params() == {"years": "2015-2019", "state": "OK,TX", "type": "labor", "measure": "rate"}
    expect(page.locator("#notices")).to_be_empty()
    # Titles say what is shown.
    title = page.evaluate("document.querySelector('#gender-graph .js-plotly-plot').layout.title.text")
    assert " ".join(title.replace("<br>", " ").split()).endswith("labor trafficking, Oklahoma and Texas, 2015–2019")


def test_back_button_returns_to_the_previous_view(ui: Ui, demo):
    ui.open()
    ui.click_point("trafficking-type-graph", "Labor")
    ui.wait_search("?type=labor")
    ui.page.go_back()
    ui.wait_search("")
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))
    expect(ui.page.locator("#chips button.chip")).to_have_count(0)


# --- 5. bad links ----------------------------------------------------------------------------------
def test_a_bad_link_is_ignored_with_a_notice(ui: Ui, demo):
    response = ui.page.goto(f"{ui.server.url}/?years=abc&state=ZZ&foo=1")
    assert response.status == 200
    ui.wait_drawn()
    notice = ui.page.locator("#notices")
    expect(notice).to_be_visible()
    for part in ("abc", "ZZ", "foo"):
        expect(notice).to_contain_text(part)
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))
    expect(ui.page.locator("#chips button.chip")).to_have_count(0)
    ui.wait_search("")


@pytest.mark.parametrize(
    ("years", "notice"),
    [
        ("2019-2015", None),  # reversed: the same range, silently
        ("1990-2014", "narrowed"),  # partly before the data: clipped, with a notice
    ],
)
def test_odd_year_ranges_are_handled(ui: Ui, demo, years, notice):
    first, last = sorted(int(y) for y in years.split("-"))
    expected = (max(first, demo.years[0]), min(last, demo.years[1]))
    ui.open(f"?years={years}")
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters(years=expected)))
    label = f"{expected[0]}–{expected[1]}"
    expect(ui.page.locator("#chips button.chip")).to_have_text([re.compile(rf"Years:\s*{label}")])
    ui.wait_search(f"?years={expected[0]}-{expected[1]}")
    thumbs = ui.page.locator("#filter-years [role=slider]")
    expect(thumbs.first).to_have_attribute("aria-valuenow", str(expected[0]))
    expect(thumbs.last).to_have_attribute("aria-valuenow", str(expected[1]))
    if notice:
        expect(ui.page.locator("#notices")).to_contain_text(notice)
        expect(ui.page.locator("#notices")).to_contain_text(years)
    else:
        expect(ui.page.locator("#notices")).to_be_empty()


# --- 6. privacy on screen --------------------------------------------------------------------------
def test_a_narrow_selection_never_shows_a_small_count(ui: Ui, demo):
    query = "?state=WY,VT&type=labor&gender=male"
    filters = Filters(states=["WY", "VT"], trafficking_types=["labor"], genders=["male"])
    # The selection really is narrow: some cells the page draws are below the threshold.
    hidden = sum(int(demo.aggregate([d], filters, open_dimension=d)["suppressed"].sum()) for d in BREAKDOWN_GRAPHS)
    assert hidden > 0
    ui.open(query)
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, filters))
    for dimension in ("age_group", "method", "caller"):
        ui.wait_bars(BREAKDOWN_GRAPHS[dimension], expected_bars(demo, dimension, filters))
    shown = assert_no_small_numbers_shown(ui, demo.min_cell)
    # Hidden cells are drawn as words, never as zero.
    marks = shown["text_marks"]
    assert marks and set(marks) <= {f"<{demo.min_cell}", "hidden"}, marks
    assert ui.page.locator("#numbers-table td", has_text=f"fewer than {demo.min_cell}").count() > 0


def test_health_endpoint_describes_the_dataset(server, demo):
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
        assert response.headers.get_content_type() == "application/json"
        health = json.loads(response.read())
    assert health["records"] == int(demo.aggregate([])["count"].iloc[0])
    assert health["years"] == [2012, 2023] == list(demo.years)
    assert health["geography"] == "state"
    assert health["min_cell"] == demo.min_cell


# --- 7. phones -------------------------------------------------------------------------------------
def test_phone_layout_has_no_sideways_scroll(open_page, server, demo):
    ui = Ui(open_page({"width": 375, "height": 812}), server)
    ui.open()
    page = ui.page
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"the page is {width}px wide on a 375px phone"
    expect(page.locator("#kpi-signals")).to_be_visible()
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters()))
    kpi = page.locator("#kpi-signals").bounding_box()
    assert kpi["x"] >= 0 and kpi["x"] + kpi["width"] <= 376
    map_plot = page.locator("#map-graph .js-plotly-plot")
    expect(map_plot).to_be_visible()
    box = map_plot.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 376, box
    assert page.locator("#map-graph .choroplethlocation").count() >= 48
    # The filters fold away behind a button, and open without widening the page.
    states = page.locator("#filter-states")
    expect(states).to_be_hidden()
    page.get_by_role("button", name="Show filters").click()
    expect(states).to_be_visible()
    expect(page.get_by_role("button", name="Hide filters")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"with the filters open the page is {width}px wide"
    assert page.evaluate(TEXT_OVERFLOW_JS) == []


def test_chart_titles_and_footnotes_fit_on_a_laptop_screen(ui: Ui):
    ui.open("?state=WY,VT&type=labor&gender=male")  # long titles
    assert ui.page.evaluate(TEXT_OVERFLOW_JS) == []
