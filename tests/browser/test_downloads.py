"""Chart numbers in other forms, in the browser: CSV and Excel files downloaded and opened, the
"Show as table" toggle driven from the keyboard, and the text summary screen readers hear.

Expected contents come from the domain API and components.chart_tables, never from the page.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from components import chart_tables, downloads
from hotline import Filters
from hotline.viewstate import ViewState

from .conftest import Ui

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

pytestmark = pytest.mark.browser

SMALL_GRAPHS = ("map-graph", "trend-graph", "trafficking-type-graph", "gender-graph")
HIDDEN_WORDS = ("fewer than 10", "hidden to protect a small count")


def download(page, button: str):
    """Click a download button; return the file's suggested name and its bytes."""
    with page.expect_download() as info:
        page.click(button)
    done = info.value
    assert done.failure() is None, done.failure()
    return done.suggested_filename, Path(done.path()).read_bytes()


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def no_small_numbers(values, min_cell: int) -> list:
    """Whole numbers 1..min_cell-1 among cell values (numbers, or text made only of digits)."""
    found = []
    for value in values:
        if isinstance(value, str) and re.fullmatch(r"\d+", value):
            value = int(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value <= min_cell - 1:
            found.append(value)
    return found


def test_map_and_table_files_on_small_data_hold_hidden_cells_as_words(small_ui: Ui, small):
    small_ui.open("?type=labor", graphs=SMALL_GRAPHS)
    page = small_ui.page
    view = ViewState(filters=Filters(trafficking_types=["labor"]))
    chart = chart_tables.map_table(small, view)
    assert chart.title == "Signals by state, labor trafficking, United States, 2020–2022"

    name, content = download(page, "#map-csv")
    assert name == "signals-by-state-labor-trafficking-united-states-2020-2022.csv"
    rows = csv_rows(content)
    assert rows[0] == [chart.title]
    assert rows[1] == ["State", "Signals"]
    values = {row[0]: row[1] for row in rows[2:] if len(row) == 2}
    assert values["Oklahoma"] == values["Wyoming"] == "fewer than 10"  # planted 3 and 7
    texas = small.aggregate(["state"], view.filters, measure="rate", open_dimension="state").set_index("state")
    assert values["Texas"] == f"{int(texas.loc['TX', 'count']):,}"  # planted 40, published with its noise
    assert "Counts below 10 are hidden" in rows[-1][0]
    assert no_small_numbers([cell for row in rows for cell in row], small.min_cell) == []

    name, content = download(page, "#map-excel")
    assert name == "signals-by-state-labor-trafficking-united-states-2020-2022.xlsx"
    sheet = xlsx_sheet(content)
    assert sheet["A1"].value == chart.title
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=3) if row[0].value}
    assert cells["Oklahoma"].value == "fewer than 10" and cells["Oklahoma"].data_type == "s"
    assert cells["Texas"].value == int(texas.loc['TX', 'count']) and cells["Texas"].data_type == "n"

    table = chart_tables.state_table(small, view)
    name, content = download(page, "#table-excel")
    assert name == downloads.file_name(table.title, "xlsx")
    sheet = xlsx_sheet(content)
    assert sheet["A1"].value == table.title
    assert [c.value for c in sheet[2]][:4] == ["State", "Region", "Signals", "Per 100k people a year"]
    rows = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=3) if row[0].value}
    assert rows["Oklahoma"][2:4] == ["fewer than 10", "fewer than 10"]
    assert rows["Wyoming"][2] == "fewer than 10"
    assert no_small_numbers([row[2] for row in rows.values()], small.min_cell) == []

    name, content = download(page, "#table-csv")
    assert name == downloads.file_name(table.title, "csv")
    rows = csv_rows(content)
    assert rows[0] == [table.title] and rows[1] == table.columns
    oklahoma = next(row for row in rows if row and row[0] == "Oklahoma")
    assert oklahoma[2] == "fewer than 10"


def test_show_as_table_by_keyboard_reveals_the_charts_numbers(ui: Ui, demo):
    ui.open("?state=WY,VT&type=labor&gender=male")
    page = ui.page
    toggle = page.locator("#method-table-toggle")
    shown = page.locator("#method-table-view")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(shown).to_be_hidden()

    # Tab from the card before it until the toggle has focus, then press Enter.
    page.focus("#citizenship-excel")
    for _ in range(20):
        if page.evaluate("document.activeElement && document.activeElement.id") == "method-table-toggle":
            break
        page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_text(re.compile("^Show as table"))
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_text(re.compile("^Hide table"))
    expect(shown).to_be_visible()

    chart = chart_tables.breakdown_table(
        demo, ViewState(filters=Filters(states=["WY", "VT"], trafficking_types=["labor"], genders=["male"])), "method"
    )
    table = shown.locator("table")
    expect(table.locator("caption")).to_have_text(chart.title)
    expect(table.locator("thead th[scope=col]")).to_have_text(chart.columns)
    # Each row as the chart draws it: the text on the bar, or the words of the grey mark's hover.
    drawn = page.evaluate(
        """() => {
            const plot = document.querySelector('#method-graph .js-plotly-plot');
            const bars = plot.data[0];
            const hidden = {};
            plot.data.slice(1).forEach(t => Array.from(t.hovertext || []).forEach(h => {
                const at = h.indexOf(': ');
                hidden[h.slice(0, at)] = h.slice(at + 2);
            }));
            return Array.from(bars.y, (label, i) => [String(label), bars.text[i] || hidden[label] || '']);
        }"""
    )
    listed = [
        [r.locator("th[scope=row]").inner_text().strip(), r.locator("td").inner_text().strip()]
        for r in table.locator("tbody tr").all()
    ]
    assert listed == drawn
    assert [row[0] for row in listed] == [row[0] for row in chart.rows]
    assert [row[1] for row in listed] == [chart_tables.display(row[1]) for row in chart.rows]
    assert any(words in HIDDEN_WORDS for _, words in listed), listed

    page.keyboard.press("Space")  # the same button, still focused, closes it again
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(shown).to_be_hidden()


def test_each_chart_is_described_in_words_for_screen_readers(ui: Ui, demo):
    ui.open("?type=labor")
    page = ui.page
    view = ViewState(filters=Filters(trafficking_types=["labor"]))
    cases = {
        "gender": ("Bar chart", chart_tables.breakdown_table(demo, view, "gender")),
        "trend": ("Stacked bar chart", chart_tables.trend_table(demo, view)),
        "map": ("Map", chart_tables.map_table(demo, view)),
    }
    for key, (kind, chart) in cases.items():
        figure = page.locator(f"#{key}-graph").locator("xpath=ancestor::div[@role='figure'][1]")
        summary_id = figure.get_attribute("aria-describedby")
        assert summary_id == f"{key}-summary"
        summary = page.locator(f"#{summary_id}")
        expect(summary).to_have_text(chart_tables.describe(chart, kind))
        expect(summary).to_have_class(re.compile(r"\bvisually-hidden\b"))
        assert summary.bounding_box()["width"] <= 1  # in the accessibility tree, not on screen
    female = next(row[1] for row in cases["gender"][1].rows if row[0] == "Female")
    expect(page.locator("#gender-summary")).to_contain_text(f"Female {female:,}")


def test_a_chart_file_follows_the_view_on_screen(ui: Ui, demo):
    ui.open()
    ui.click_point("trafficking-type-graph", "Labor")
    ui.wait_search("?type=labor")
    ui.wait_idle()
    name, content = download(ui.page, "#gender-csv")
    chart = chart_tables.breakdown_table(demo, ViewState(filters=Filters(trafficking_types=["labor"])), "gender")
    assert name == "signals-by-gender-labor-trafficking-united-states-2012-2023.csv"
    assert csv_rows(content)[: 2 + len(chart.rows)] == [
        [chart.title],
        chart.columns,
        *([str(cell) for cell in row] for row in chart.rows),
    ]


def test_a_closed_table_is_emptied_and_reopens_with_the_view_on_screen(ui: Ui, demo):
    """Closed tables are not redrawn (components/chart_access.py), so closing one empties it: reopened
    after a change of view, it never shows the numbers of the view it was closed on."""
    ui.open("?state=TX")
    page = ui.page
    toggle, shown = page.locator("#gender-table-toggle"), page.locator("#gender-table-view")
    toggle.click()
    texas = chart_tables.breakdown_table(demo, ViewState(filters=Filters(states=["TX"])), "gender")
    expect(shown.locator("table caption")).to_have_text(texas.title)
    toggle.click()
    expect(shown).to_be_hidden()
    expect(shown.locator("table")).to_have_count(0)

    ui.click_point("trafficking-type-graph", "Labor")
    ui.wait_idle()
    toggle.click()
    labor = chart_tables.breakdown_table(
        demo, ViewState(filters=Filters(states=["TX"], trafficking_types=["labor"])), "gender"
    )
    expect(shown.locator("table caption")).to_have_text(labor.title)
    listed = [r.locator("td").inner_text().strip() for r in shown.locator("tbody tr").all()]
    assert listed == [chart_tables.display(row[1]) for row in labor.rows]
