"""Each chart at an address of its own (components/chart_links.py): /chart/<name>.<format>?<query>
and /embed/<name>?<query>, served by the real app (Flask's test client), compared with what the page
draws and writes for the same view: its figures (the panels' render functions) and its CSV and
Excel files (the chart tables). Images are drawn by kaleido in the system Chromium.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import struct
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from ui_helpers import as_sent, demo, integers_in, is_small, small_dataset, views

import app as app_module
from components import chart_access, chart_links, chart_tools, presenter, static_images
from hotline import Filters
from hotline.viewstate import ViewState, choices_of, to_query

NEEDS_CHROMIUM = pytest.mark.skipif(static_images.browser_path() is None, reason="no Chromium to draw with")


@pytest.fixture(scope="module")
def small_app():
    # Above the per-client limit on files (components/rate_limits.py): these tests ask for hundreds.
    saved = os.environ.get("HOTLINE_EXPORT_RATE_LIMIT")
    os.environ["HOTLINE_EXPORT_RATE_LIMIT"] = "100000 per minute"
    try:
        built = app_module.create_app(small_dataset(10))
    finally:
        if saved is None:
            del os.environ["HOTLINE_EXPORT_RATE_LIMIT"]
        else:
            os.environ["HOTLINE_EXPORT_RATE_LIMIT"] = saved
    return built, built.server.test_client()


def page_figures(dataset, view: ViewState) -> dict[str, dict]:
    """The page's figures for `view`, as the browser receives them, by chart key."""
    return {chart_tools.key_of(g): as_sent(render(view)) for g, render in presenter.chart_renderers(dataset)}


def page_tables(dataset, view: ViewState) -> dict:
    """What each chart's CSV and Excel buttons write for `view` (components/chart_access.py)."""
    return {key: table_of(view) for key, (_, table_of) in chart_access.charts(dataset).items()}


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def read_xlsx(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [row[: len(rows[1])] for row in rows]


def as_text(cell) -> str:
    return str(cell) if not isinstance(cell, float) else repr(cell)


def small_numbers(rows: list[list], min_cell: int) -> list:
    """Cells of a file's table body that are a count from 1 to min_cell - 1 (the first column labels rows)."""
    found = []
    for row in rows:
        for cell in row[1:]:
            if isinstance(cell, (int, float)) and not isinstance(cell, bool) and float(cell).is_integer():
                if is_small(cell, min_cell):
                    found.append(row)
            elif isinstance(cell, str) and re.fullmatch(r"\d[\d,]*", cell) and is_small(int(cell.replace(",", "")), min_cell):
                found.append(row)
    return found


# --- the files are the page's -------------------------------------------------------------------------
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_csv_xlsx_and_figure_addresses_give_what_the_page_gives(small_app, data):
    _, client = small_app
    dataset = small_dataset(10)
    choices = choices_of(dataset)
    view = data.draw(views(dataset, max_span=4), label="view")
    query = to_query(view, choices)
    tables, figures = page_tables(dataset, view), page_figures(dataset, view)
    name = data.draw(st.sampled_from(sorted(figures)), label="chart")
    expected = tables[name]
    body = [[as_text(c) for c in row] for row in expected.rows]

    csv_response = client.get(f"/chart/{name}.csv{query}")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    rows = read_csv(csv_response.data)
    assert rows[0] == [expected.title] and rows[1] == expected.columns
    assert [[c for c in row] for row in rows[2 : 2 + len(expected.rows)]] == body
    assert rows[-1] == [expected.footnote]

    xlsx_response = client.get(f"/chart/{name}.xlsx{query}")
    assert xlsx_response.status_code == 200
    sheet = read_xlsx(xlsx_response.data)
    assert sheet[0][0] == expected.title and sheet[1] == expected.columns
    assert sheet[2 : 2 + len(expected.rows)] == [list(row) for row in expected.rows]
    if view.measure == "count":  # a rate of 1.5 per 100,000 is not a count of 1
        assert small_numbers(sheet[2 : 2 + len(expected.rows)], dataset.min_cell) == []
        assert small_numbers(rows[2 : 2 + len(expected.rows)], dataset.min_cell) == []

    figure_response = client.get(f"/chart/{name}.json{query}")
    assert figure_response.status_code == 200
    assert as_sent(json.loads(figure_response.data)) == figures[name]


def test_a_file_names_what_it_shows_and_csv_downloads(small_app):
    _, client = small_app
    response = client.get("/chart/gender.csv?state=TX&gender=male")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="signals-by-gender-texas-2018-2022.csv"'


@pytest.mark.parametrize(
    ("address", "status", "words"),
    [
        ("/chart/nope.png", 404, "There is no chart named 'nope'. The charts are: map, trend, trafficking-type, gender"),
        ("/chart/trend.gif", 404, "Charts are served as .png, .svg, .csv, .xlsx, .json; not .gif."),
        ("/chart/trend.png?state=ZZ", 400, "Ignored state 'ZZ': not in this dataset."),
        ("/chart/trend.csv?years=abc", 400, "Ignored years 'abc'"),
        ("/chart/trend.csv?color=red", 400, "Ignored unknown parameter 'color'."),
        ("/embed/nope?state=TX", 404, "There is no chart named 'nope'."),
        ("/embed/trend?measure=%00", 400, "Ignored measure"),
        ("/chart/" + "x" * 300 + ".csv", 404, "There is no chart named 'xxxxxxxx"),
    ],
)
def test_unknown_charts_and_bad_queries_get_a_clear_refusal(small_app, address, status, words):
    _, client = small_app
    response = client.get(address)
    assert response.status_code == status
    assert response.mimetype == "text/plain"
    message = response.get_data(as_text=True)
    assert words in message and "Traceback" not in message and len(message) < 300


def test_presentation_mode_is_not_part_of_a_chart(small_app):
    _, client = small_app
    assert client.get("/chart/trend.csv?state=TX&present=1&slide=3").data == client.get("/chart/trend.csv?state=TX").data


# --- the embed page -----------------------------------------------------------------------------------------
def test_the_embed_page_holds_the_pages_figure_and_a_link_back(small_app):
    _, client = small_app
    dataset = small_dataset(10)
    view = ViewState(filters=Filters(states=("TX", "OK"), trafficking_types=("labor",)))
    response = client.get("/embed/trend?type=labor&state=OK,TX")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    block = re.search(r'<script id="embed-figure" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert as_sent(json.loads(block)) == page_figures(dataset, view)["trend"]
    assert 'href="http://localhost/?state=OK,TX&amp;type=labor"' in page
    assert "<title>Signals by year and trafficking type, labor trafficking, Oklahoma and Texas, 2018–2022</title>" in page
    assert re.findall(r"<script(?![^>]*application/json)[^>]*>", page) == [
        '<script src="/embed/plotly.min.js">',
        '<script src="/assets/embed/embed.js">',
    ], "the page may only load scripts from this server, never run inline code"
    assert client.get("/embed/plotly.min.js").status_code == 200
    assert client.get("/assets/embed/embed.js").status_code == 200


def test_text_from_the_data_cannot_end_the_figure_block():
    dataset = small_dataset(10)
    hostile = replace(dataset.source, label="</script><script>alert(1)</script>")
    altered = type(dataset)(dataset.cube, min_cell=10, source=hostile, records=dataset.records)
    page = chart_links.embed_page(altered, choices_of(altered), "trend", "", prefix="/", dashboard_url="http://x/")
    assert "<script>alert" not in page and page.count("</script>") == 4


# --- images ------------------------------------------------------------------------------------------------
def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", content[16:24])


def svg_texts(content: bytes, css_class: str) -> list[str]:
    """The text of the SVG's <text> elements of one class (plotly writes a bar's label as class "bartext")."""
    svg = content.decode()
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(rf'<text class="{css_class}[^"]*"[^>]*>(.*?)</text>', svg)]


@NEEDS_CHROMIUM
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_png_and_svg_are_the_pages_chart_drawn_on_the_server(small_app, data):
    built, client = small_app
    dataset = small_dataset(10)
    view = data.draw(views(dataset, max_span=4), label="view")
    name = data.draw(st.sampled_from(["gender", "trafficking-type", "caller", "method"]), label="chart")
    query = to_query(view, choices_of(dataset))
    figure = page_figures(dataset, view)[name]

    svg = client.get(f"/chart/{name}.svg{query}")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    labels = [t for t in figure["data"][0]["text"] if t]
    assert svg_texts(svg.data, "bartext") == labels  # the numbers written on the bars, as on the page
    assert [n for label in svg_texts(svg.data, "bartext") for n in integers_in(label) if is_small(n, 10)] == []
    title_lines = figure["layout"]["title"]["text"].split("<br>")
    assert all(line in svg.data.decode() for line in title_lines)

    png = client.get(f"/chart/{name}.png{query}")
    assert png.status_code == 200 and png.mimetype == "image/png"
    width, height = chart_links.image_size(name, figure)
    assert png_size(png.data) == (width * chart_links.PNG_SCALE, height * chart_links.PNG_SCALE)


@NEEDS_CHROMIUM
def test_an_image_is_drawn_once_per_view_whatever_the_order_of_the_query():
    dataset = demo()
    choices = choices_of(dataset)
    cache = chart_links.ImageCache()
    drawn = []

    def draw(figures, **options):
        drawn.append(figures[0])
        return static_images.render(figures, **options)

    first = chart_links.chart_file(dataset, choices, "trend", "png", "?state=TX&type=labor", cache=cache, draw=draw)
    again = chart_links.chart_file(dataset, choices, "trend", "png", "type=labor&state=TX", cache=cache, draw=draw)
    assert first.content == again.content and len(drawn) == 1 and cache.hits == 1
    view = ViewState(filters=Filters(states=("TX",), trafficking_types=("labor",)))
    assert as_sent(drawn[0]) == page_figures(dataset, view)["trend"]
    assert first.file_name == "signals-by-year-and-trafficking-type-labor-trafficking-texas-2012-2023.png"
    other = chart_links.chart_file(dataset, choices, "trend", "png", "state=TX", cache=cache, draw=draw)
    assert other.content != first.content and len(drawn) == 2


def test_the_image_cache_is_bounded_in_bytes():
    cache = chart_links.ImageCache(max_bytes=1000, max_entries=10)
    for i in range(50):
        cache.get_or_make(("k", i), lambda: b"x" * 300)
    assert len(cache) == 3
    cache.get_or_make(("big",), lambda: b"x" * 5000)  # served, never kept
    assert len(cache) == 3 and cache.misses == 51
