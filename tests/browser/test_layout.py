"""The page at a phone's, a tablet's, a laptop's and a wide screen's width (375, 768, 1,280 and 1,920
pixels): nothing wider than the window, year-slider labels apart, the map filling its card, the
headline numbers and every chart drawn. A screenshot of each width is kept (in HOTLINE_SCREENSHOTS
when set, else the test's temporary folder) for a human to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import GRAPH_IDS, Ui

pytestmark = pytest.mark.browser

WIDTHS = (375, 768, 1280, 1920)

# Overlaps between the labels under the year slider, and labels outside the filter panel.
SLIDER_MARKS_JS = """() => {
    const panel = document.querySelector('.sidebar').getBoundingClientRect();
    const marks = Array.from(document.querySelectorAll('#filter-years .dash-slider-mark'), m => {
        const box = m.getBoundingClientRect();
        return {text: m.textContent, left: box.left, right: box.right};
    });
    const problems = [];
    marks.forEach((m, i) => {
        if (m.left < panel.left - 1 || m.right > panel.right + 1) problems.push(`${m.text} outside the panel`);
        const next = marks[i + 1];
        if (next && m.right + 4 > next.left) problems.push(`${m.text} touches ${next.text}`);
    });
    return {count: marks.length, problems: problems};
}"""

# How much of its card the map's shapes take: width and height of all areas together, as shares of
# the card's width and of the height plotly gives the map.
MAP_FILL_JS = """() => {
    const plot = document.querySelector('#map-graph .js-plotly-plot');
    const card = plot.getBoundingClientRect();
    const boxes = Array.from(plot.querySelectorAll('path.choroplethlocation'), p => p.getBoundingClientRect())
        .filter(b => b.width > 0);
    const left = Math.min(...boxes.map(b => b.left)), right = Math.max(...boxes.map(b => b.right));
    const top = Math.min(...boxes.map(b => b.top)), bottom = Math.max(...boxes.map(b => b.bottom));
    const layout = plot._fullLayout;
    const domain = layout.geo.domain.y;  // the map's share of the plot area (the colour scale is under it)
    const plotHeight = (layout.height - layout.margin.t - layout.margin.b) * (domain[1] - domain[0]);
    return {width: (right - left) / card.width, height: (bottom - top) / plotHeight};
}"""


def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ["HOTLINE_SCREENSHOTS"]) if os.environ.get("HOTLINE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_uses_its_space_at_every_width(open_page, server, width, tmp_path):
    page = open_page({"width": width, "height": 900})
    Ui(page, server).open()
    if width < 992:  # the filters fold away on narrow screens
        page.click("#filters-toggle")
        page.wait_for_selector("#filter-years .dash-slider-mark")
        page.wait_for_selector("#filters-collapse.collapse.show")  # opened, not mid-animation (clipped)
    page.screenshot(path=str(screenshots(tmp_path) / f"page-{width}.png"), full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    marks = page.evaluate(SLIDER_MARKS_JS)
    assert marks["count"] >= 2 and marks["problems"] == []
    fill = page.evaluate(MAP_FILL_JS)
    # The map is held by its card's height or its width: it fills one of them (the US is wider than tall).
    assert fill["width"] >= 0.75 or fill["height"] >= 0.85, fill
    assert len(page.locator(".kpi-card").all()) == 5
    if width >= 1280:  # the headline numbers in one row
        tops = {round(box["y"]) for box in (c.bounding_box() for c in page.locator(".kpi-card").all())}
        assert len(tops) == 1
    for graph in GRAPH_IDS:
        box = page.locator(f"#{graph} .main-svg").first.bounding_box()
        assert box and box["width"] >= min(260, width - 40), graph


def test_the_year_labels_stay_apart_on_a_one_year_and_a_long_table(small_server, open_page):
    """A short span (the small data: 2020-2022) is labelled at its ends only."""
    page = open_page({"width": 992, "height": 800})  # the narrowest sidebar beside the charts
    Ui(page, small_server).open(graphs=("map-graph", "trend-graph"))
    marks = page.evaluate(SLIDER_MARKS_JS)
    assert marks["problems"] == []
    assert page.locator("#filter-years .dash-slider-mark").all_inner_texts() == ["2020", "2022"]
