"""Months in the browser: a click on a year turns the trend into that year by month, with the
aggregate's numbers; a click on a month selects it (address, chip, headline number)."""

from __future__ import annotations

import re

import pytest

from hotline import Filters

from .conftest import Ui, kpi_text

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

pytestmark = pytest.mark.browser

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TREND_JS = """() => {
    const plot = document.querySelector('#trend-graph .js-plotly-plot');
    return plot._fullData.filter(t => t.type === 'bar')
        .map(t => [t.name, Array.from(t.x, String), Array.from(t.y, v => v === null ? null : Number(v))]);
}"""


def test_a_year_by_month_and_a_month_selected(ui: Ui, demo):
    ui.open("?state=TX")
    ui.click_point("trend-graph", "2016")
    ui.wait_search("?years=2016&state=TX")
    ui.page.wait_for_function("() => document.querySelector('#trend-graph .js-plotly-plot').data[0].x[0] === 'Jan'")
    one_year = Filters(years=(2016, 2016), states=("TX",))
    expected = demo.aggregate(["month", "trafficking_type"], one_year, open_dimension="month")
    drawn = ui.page.evaluate(TREND_JS)
    for name, x, y in drawn:
        value = {"Sex": "sex", "Labor": "labor", "Sex and labor": "sex_and_labor", "Not specified": "not_specified"}[name]
        rows = expected[expected["trafficking_type"] == value]
        assert x == MONTHS
        assert y == [None if s else float(c) for c, s in zip(rows["count"], rows["suppressed"])]

    ui.click_point("trend-graph", "Mar")
    ui.wait_search("?years=2016&state=TX&month=3")
    march = Filters(years=(2016, 2016), states=("TX",), months=(3,))
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, march))
    expect(ui.page.locator("#chips button.chip", has_text="Month")).to_have_text(re.compile(r"Month:\s*March"))
    ui.page.locator("#chips button.chip", has_text="Month").click()
    ui.wait_search("?years=2016&state=TX")
