"""A chart that travels, in the browser: a page on another origin embeds /embed/trend?... in an
<iframe> and the chart draws in it with the page's numbers; each chart's "Copy link" and "Embed"
give the address of the chart on screen, and that address serves it.
"""

from __future__ import annotations

import http.server
import threading
import urllib.request

import pytest

from components import trend
from hotline import Filters
from hotline.viewstate import ViewState

from .conftest import DESKTOP, Ui, _free_port, start_server, stop_server

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

pytestmark = pytest.mark.browser

VIEW = ViewState(filters=Filters(states=("TX", "OK"), trafficking_types=("labor", "sex")))
QUERY = "?state=OK,TX&type=labor,sex"

# The chart in the frame as plotly drew it: each bar trace's name and heights (typed arrays decoded).
FRAMED_BARS_JS = """() => {
    const plot = document.querySelector('#embed-chart.js-plotly-plot');
    if (!plot || !plot.data || !plot._fullLayout) return null;
    return plot._fullData.filter(t => t.type === 'bar').map(t => [t.name, Array.from(t.y, v => v === null ? null : Number(v))]);
}"""


class _TestPage(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def host_page():
    """Another site: a page on its own port of 127.0.0.1 (another origin) that will frame the chart."""
    port = _free_port()
    handler = type("Handler", (_TestPage,), {})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", handler
    httpd.shutdown()


@pytest.fixture(scope="module")
def framing_server(tmp_path_factory, host_page):
    """The app, started by an operator who lets the host page frame it."""
    origin, _ = host_page
    running = start_server(tmp_path_factory.mktemp("framing") / "app.log", "--frame-ancestors", origin)
    yield running
    stop_server(running)


def test_another_site_embeds_the_trend_and_sees_the_pages_numbers(open_page, framing_server, host_page, demo):
    origin, handler = host_page
    address = f"{framing_server.url}/embed/trend{QUERY}"
    handler.body = (
        '<!DOCTYPE html><html lang="en"><head><title>An article</title></head><body><h1>An article</h1>'
        f'<iframe id="chart" src="{address}" title="Signals in Texas and Oklahoma" width="720" height="520"></iframe>'
        "</body></html>"
    ).encode()
    page = open_page(DESKTOP)
    page.goto(origin + "/")
    frame = page.frame_locator("#chart")
    expect(frame.locator("#embed-chart .main-svg").first).to_be_visible(timeout=20_000)
    framed = page.frames[1]
    framed.wait_for_function(FRAMED_BARS_JS)
    expected = trend.render(demo, VIEW)
    bars = [[t["name"], list(t["y"])] for t in expected["data"] if t["type"] == "bar"]
    assert framed.evaluate(FRAMED_BARS_JS) == bars
    title = framed.evaluate("document.querySelector('#embed-chart .gtitle').textContent")
    assert title == expected["layout"]["title"]["text"].replace("<br>", "")  # its lines, as drawn
    assert title.startswith("Signals by year and trafficking type, labor")
    footnote = framed.evaluate("document.querySelector('#embed-chart .annotation-text').textContent")
    assert "Synthetic demo data" in footnote and "Counts below 10 are hidden." in footnote
    link = frame.get_by_role("link", name="Open this view in the full dashboard")
    assert link.get_attribute("href") == f"{framing_server.url}/{QUERY}"
    # The frame is the size it was given and the chart fills its width.
    width = framed.evaluate("document.querySelector('#embed-chart .main-svg').getBoundingClientRect().width")
    assert 680 <= width <= 720


def test_without_the_operators_consent_no_other_site_may_frame_the_chart(server):
    with urllib.request.urlopen(f"{server.url}/embed/trend{QUERY}", timeout=10) as response:
        policy = response.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy
        assert response.headers.get("X-Frame-Options") == "DENY"


def test_copy_link_and_embed_give_the_address_of_the_chart_on_screen(page, server, demo):
    ui = Ui(page, server).open(QUERY + "&present=0")
    ui.wait_search(QUERY)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page.click("#trend-copy-link")
    field = page.locator("#trend-share-field")
    expect(field).to_have_value(f"{server.url}/embed/trend{QUERY}")
    expect(page.locator("#trend-share [role=status]")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == f"{server.url}/embed/trend{QUERY}"
    expect(page.locator("#trend-copy-link")).to_have_attribute("aria-expanded", "true")
    png = page.locator("#trend-share a", has_text="PNG").get_attribute("href")
    assert png == f"{server.url}/chart/trend.png{QUERY}"

    page.click("#gender-embed")
    snippet = page.locator("#gender-share-field").input_value()
    assert snippet.startswith(f'<iframe src="{server.url}/embed/gender?state=OK,TX&amp;type=labor,sex" title="')
    expect(page.locator("#gender-embed")).to_have_attribute("aria-expanded", "true")
    page.click("#gender-embed")  # a second press closes the panel
    expect(page.locator("#gender-share")).to_be_hidden()

    # What the link gives is the chart of that view.
    with urllib.request.urlopen(f"{server.url}/chart/gender.csv{QUERY}", timeout=30) as response:
        first_lines = response.read().decode("utf-8-sig").splitlines()[:2]
    assert first_lines[0] == '"Signals by gender, labor and sex trafficking, Oklahoma and Texas, 2012–2023"'
