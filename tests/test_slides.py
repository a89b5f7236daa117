"""The slide deck and the report: what goes on a slide or page, read back from the files.

Most tests give the builders small pictures made here; one draws a real map with kaleido in the
system Chromium, through a proxy that records every request, to show that exports stay offline
and that the map is drawn from the app's own map shapes.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader, PdfWriter
from ui_helpers import small_dataset

from components import areamap, breakdowns, presenter, slides, static_images, theme, trend
from hotline import Filters
from hotline.viewstate import ViewState

VIEW = ViewState(filters=Filters(trafficking_types=("labor",), years=(2019, 2021)))


def png(width: int, height: int, color=(0, 114, 178)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def one_page_pdf(width: float = 960, height: float = 540) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def deck():
    return presenter.deck(small_dataset(), VIEW)


# --- reading and reframing the page's figures -------------------------------------------------------
def test_slug_makes_a_file_name_from_a_title():
    assert slides.slug("Signals by state, Texas,<br>2015–2019") == "signals-by-state-texas-2015-2019"
    assert slides.slug("Victims by country, Côte d’Ivoire, 2020") == "victims-by-country-cote-d-ivoire-2020"
    assert slides.slug("<b>…</b>") == "chart"
    assert len(slides.slug("word " * 40)) <= 80


def test_the_deck_has_every_chart_of_the_page_in_page_order(deck):
    dataset = small_dataset()
    assert len(deck.charts) == 2 + len(breakdowns.present(dataset))
    assert deck.charts[0].title == slides.plain(areamap.render(dataset, VIEW)["layout"]["title"]["text"])
    assert deck.charts[1].title.startswith("Signals by year")
    assert [c.figure for c in deck.charts[2:]] == [
        breakdowns.render(dataset, VIEW, d) for d in breakdowns.present(dataset)
    ]
    for chart in deck.charts:
        assert "<br>" not in chart.title
        # A chart is not filtered by its own dimension, so its title does not name that filter.
        assert ("labor trafficking" in chart.title) != chart.title.startswith("Signals by trafficking type")
        # The trend shows every year, the selected ones highlighted; every other chart the selected years.
        assert ("2018–2022" if chart is deck.charts[1] else "2019–2021") in chart.title
        assert "Counts below 10 are hidden." in chart.footnote
    assert deck.summary == "Filters: labor trafficking, United States, 2019–2021. Measure: signals."


def test_a_bare_figure_keeps_the_data_and_drops_title_and_footnote(deck):
    for chart in deck.charts:
        bare = slides.bare_figure(chart.figure)
        assert bare["data"] == chart.figure["data"]  # the same numbers, so the same cells hidden
        assert "title" not in bare["layout"]
        assert all(a.get("name") != theme.FOOTNOTE_NAME for a in bare["layout"]["annotations"])
        assert bare["layout"]["font"]["size"] > chart.figure["layout"]["font"]["size"]
    assert chart.figure["layout"]["title"]["text"]  # the page's figure is left as it was


def test_a_report_page_has_its_title_filters_and_footnote(deck):
    chart = deck.charts[1]
    page = slides.page_figure(chart, deck.summary)
    layout = page["layout"]
    assert (layout["width"], layout["height"]) == (1280, 720)
    assert slides.plain(layout["title"]["text"]) == chart.title
    notes = [slides.plain(a["text"]) for a in layout["annotations"] if a.get("name") == theme.FOOTNOTE_NAME]
    assert notes == [f"{deck.summary} {chart.footnote}"]
    assert page["data"] == chart.figure["data"]


# --- the files ---------------------------------------------------------------------------------------
def test_the_pptx_has_one_widescreen_slide_per_chart(deck):
    pictures = [png(1920, 756) for _ in deck.charts]
    content = slides.pptx_bytes(deck, pictures)
    presentation = Presentation(io.BytesIO(content))
    assert presentation.slide_width * 9 == presentation.slide_height * 16
    assert len(presentation.slides) == len(deck.charts)
    for slide, chart in zip(presentation.slides, deck.charts):
        assert slide.shapes.title.text == chart.title
        texts = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert deck.summary in texts and chart.footnote in texts
        (picture,) = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert Image.open(io.BytesIO(picture.image.blob)).size == (1920, 756)
        assert picture.left + picture.width <= presentation.slide_width
        assert picture.top + picture.height <= presentation.slide_height
        assert picture._element.nvPicPr.cNvPr.get("descr") == chart.title
    assert presentation.core_properties.title == deck.heading


def test_long_titles_get_smaller_type_on_a_slide():
    short, long = "Signals by gender, Texas, 2015–2019", "Signals per 100,000 people per year by age group, " * 3
    assert slides.title_points(short) == 26 > slides.title_points(long)


def test_the_pptx_needs_one_picture_per_chart(deck):
    with pytest.raises(ValueError):
        slides.pptx_bytes(deck, [png(10, 10)])


def test_the_pdf_joins_one_page_per_chart(deck):
    content = slides.pdf_bytes([one_page_pdf(), one_page_pdf(720, 405)], "A heading")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2
    assert float(reader.pages[1].mediabox.width) == 720
    assert reader.metadata.title == "A heading"


def test_builders_draw_bare_pictures_and_full_pages(deck):
    """The renderer is asked for 1920-pixel-wide chart pictures and for 16:9 PDF pages."""
    calls = []

    def fake_render(figures, *, image_format, width, height, scale=1):
        calls.append((image_format, width * scale, len(figures), figures))
        if image_format == "png":
            return [png(int(width * scale), int(height * scale)) for _ in figures]
        return [one_page_pdf(width * 0.75, height * 0.75) for _ in figures]

    presentation = Presentation(io.BytesIO(slides.build_pptx(deck, fake_render)))
    reader = PdfReader(io.BytesIO(slides.build_pdf(deck, fake_render)))
    assert len(presentation.slides) == len(reader.pages) == len(deck.charts)
    (png_format, png_width, count, figures), (pdf_format, _, pdf_count, pages) = calls
    assert (png_format, pdf_format) == ("png", "pdf") and count == pdf_count == len(deck.charts)
    assert png_width >= 1920
    assert all("title" not in f["layout"] for f in figures)
    assert [slides.plain(p["layout"]["title"]["text"]) for p in pages] == [c.title for c in deck.charts]


def test_file_names_say_what_the_view_shows():
    name = presenter.file_name(small_dataset(), VIEW, "pptx")
    assert name == "hotline-signals-labor-trafficking-united-states-2019-2021.pptx"


# --- drawing for real, offline -------------------------------------------------------------------------
class RecordingProxy:
    """An HTTP proxy on this machine that answers every request 502 and remembers what was asked."""

    def __init__(self):
        self.requests: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    first_line = connection.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
                    if first_line:  # Chromium opens spare connections it may never use
                        self.requests.append(first_line)
                    connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


def test_the_map_is_drawn_offline_from_the_apps_own_shapes():
    if static_images.browser_path() is None:
        if os.environ.get("CI"):
            pytest.fail("no Chromium for kaleido: CI must install it")
        pytest.skip("no Chromium for kaleido")
    dataset = small_dataset()
    figure = slides.bare_figure(areamap.render(dataset, ViewState()))
    proxy = RecordingProxy()
    try:
        (picture,) = static_images.render([figure], image_format="png", width=480, height=300, proxy=proxy.address)
    finally:
        proxy.close()
    # Chromium calls home by itself (updates, sign-in, search) whatever it draws; on the server those
    # calls go to a proxy that refuses them. What the chart needs (plotly.js, map shapes, fonts) is local.
    own_calls = re.compile(
        r"^\S+ (https?://)?[a-z0-9.-]*(google\.com|googleapis\.com|gstatic\.com|duckduckgo\.com)[:/]"
    )
    assert [r for r in proxy.requests if not own_calls.match(r)] == []
    image = Image.open(io.BytesIO(picture)).convert("RGB")
    assert image.size == (480, 300)
    # Drawn states: pixels in the map's blues left of the colour bar, where a blank or failed map has none.
    map_area = image.crop((0, 0, 360, 300))
    blues = [c for c in map_area.get_flattened_data() if c[2] > 150 and c[0] < 200 and c[2] - c[0] > 40]
    assert len(blues) > 0.03 * 360 * 300


def test_a_missing_browser_is_a_clear_message(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(static_images.ExportError, match="No Chromium browser was found"):
        static_images.render([trend.render(small_dataset(), VIEW)], image_format="png", width=100, height=100)


def test_the_server_side_browser_can_reach_nothing():
    """Its proxy is an address on this machine where nothing listens: every request is refused at once."""
    host, port = static_images.NO_NETWORK_PROXY.split(":")
    assert host == "127.0.0.1"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(2)
        assert probe.connect_ex((host, int(port))) != 0


def test_charts_are_drawn_even_where_an_event_loop_is_running():
    """An async server worker (or Playwright's sync API, in this very test process) runs a loop."""
    if static_images.browser_path() is None:
        if os.environ.get("CI"):
            pytest.fail("no Chromium for kaleido: CI must install it")
        pytest.skip("no Chromium for kaleido")
    figure = slides.bare_figure(trend.render(small_dataset(), VIEW))

    async def draw_inside_a_loop():
        return static_images.render([figure], image_format="png", width=200, height=120)

    # The loop gets a thread of its own: this test process may already run Playwright's loop here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        (picture,) = pool.submit(asyncio.run, draw_inside_a_loop()).result()
    assert Image.open(io.BytesIO(picture)).size == (200, 120)


def test_a_drawing_that_fails_once_is_tried_again_and_a_second_failure_is_a_clear_message(monkeypatch):
    """kaleido's page can lose a race on a busy machine; one fresh try, then a message a user can act on."""
    monkeypatch.setenv("BROWSER_PATH", sys.executable)  # a file that exists: render() gets past the check
    calls = []

    async def flaky(figures, options, path, proxy):
        calls.append(len(figures))
        if len(calls) == 1:
            raise RuntimeError("kaleido_scopes is not defined")
        return [b"drawn"] * len(figures)

    monkeypatch.setattr(static_images, "_render_all", flaky)
    assert static_images.render([{}, {}], image_format="png", width=10, height=10) == [b"drawn", b"drawn"]
    assert calls == [2, 2]

    async def broken(figures, options, path, proxy):
        raise RuntimeError("the browser went away")

    monkeypatch.setattr(static_images, "_render_all", broken)
    with pytest.raises(static_images.ExportError, match=r"could not be drawn \(RuntimeError\)"):
        static_images.render([{}], image_format="png", width=10, height=10)
