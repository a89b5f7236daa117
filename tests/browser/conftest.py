"""Fixtures for the browser tests: the app in a subprocess, headless Chromium, and a guarded page.

One server and one browser serve the whole session; every test gets a fresh browser context and
page. Each page blocks every request that does not go to this machine (so a test proves the page
works with no internet) and records blocked requests, console errors, uncaught page errors and
failed responses from the app; the test fails if any of them is not empty at the end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from components.text import format_rate, suppressed_label
from hotline import Filters

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 30  # seconds until /healthz must answer
SERVER_LIFETIME = 1800  # seconds: the server stops by itself even if pytest is killed
DESKTOP = {"width": 1280, "height": 900}
LOCAL_URL = re.compile(r"^(https?://(127\.0\.0\.1|localhost)(:\d+)?(/|$)|data:|blob:)")

# Every graph on the demo page.
GRAPH_IDS = (
    "map-graph",
    "trend-graph",
    "trafficking-type-graph",
    "gender-graph",
    "age-group-graph",
    "citizenship-graph",
    "method-graph",
    "caller-graph",
)


# --- the app -------------------------------------------------------------------------------------
@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def health(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
            return json.loads(response.read())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(log_path: Path, *extra_args: str) -> Server:
    """Start `python app.py` on a free port and wait until /healthz answers."""
    port = _free_port()
    command = [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port), *extra_args]
    timeout = shutil.which("timeout")  # coreutils: ends the server even if pytest dies
    if timeout:
        command = [timeout, "--kill-after=5", str(SERVER_LIFETIME), *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    # The same key seed as the test process (tests/conftest.py), so the page's perturbed numbers are the
    # ones the tests compute with the domain API.
    env["HOTLINE_PRIVACY_SEED"] = os.environ["HOTLINE_PRIVACY_SEED"]
    env["PYTHONUNBUFFERED"] = "1"
    log_file = open(log_path, "wb")  # a file, not a pipe: a full pipe would block the server
    try:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT
        )
    finally:
        log_file.close()
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if process.poll() is not None:
            pytest.fail(f"the app exited with code {process.returncode} before answering:\n{server.log()}")
        try:
            server.health()
            return server
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            stop_server(server)
            pytest.fail(f"the app did not answer /healthz within {SERVER_START_TIMEOUT} s:\n{server.log()}")
        time.sleep(0.1)


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=5)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    """The app on the synthetic demo data (default min_cell)."""
    running = start_server(tmp_path_factory.mktemp("server") / "app.log")
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def demo():
    """The same dataset the server serves, for computing what the page should show."""
    import hotline

    return hotline.load_demo()


# --- a tiny dataset with exact numbers ------------------------------------------------------------
# Signals planted so that some cells are small: OK labor (3) and WY labor (7) must never show.
SMALL_ROWS = [
    # year, state, trafficking_type, gender, count
    (2020, "CA", "sex", "female", 200),
    (2021, "CA", "sex_and_labor", "unknown", 15),
    (2021, "TX", "labor", "female", 40),
    (2021, "TX", "sex", "female", 120),
    (2022, "TX", "sex", "male", 30),
    (2021, "OK", "labor", "male", 3),
    (2022, "NY", "not_specified", "female", 60),
    (2022, "WY", "labor", "male", 7),
]


@pytest.fixture(scope="session")
def small_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small_signals.csv"
    lines = ["year,state,trafficking_type,gender,count"] + [",".join(map(str, row)) for row in SMALL_ROWS]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="session")
def small_server(tmp_path_factory, small_csv) -> Server:
    """The app on SMALL_ROWS: only year, state, trafficking type and gender."""
    running = start_server(tmp_path_factory.mktemp("small-server") / "app.log", "--data", str(small_csv))
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def small(small_csv):
    import hotline

    return hotline.load(small_csv)


# --- the browser -----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} not found (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must provide it")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Guard:
    """What went wrong on a page that no assertion about content would notice."""

    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        found = {
            "requests blocked (not to this machine)": self.blocked,
            "console errors": self.console_errors,
            "page errors": self.page_errors,
            "failed responses from the app": self.failed_responses,
        }
        return {name: items for name, items in found.items() if items}

    def assert_clean(self) -> None:
        assert not self.problems(), f"the page was not clean: {json.dumps(self.problems(), indent=2)}"


def guarded_page(browser, viewport: dict):
    """A new context and page that block and record non-local requests, errors and failures."""
    context = browser.new_context(viewport=viewport, service_workers="block")
    context.set_default_timeout(15_000)
    guard = Guard()

    def route(route_request):
        url = route_request.request.url
        if LOCAL_URL.match(url):
            route_request.continue_()
        else:
            guard.blocked.append(url)
            route_request.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: guard.console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: guard.page_errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            guard.failed_responses.append(f"{response.status} {response.url}")
            if response.status >= 400 and LOCAL_URL.match(response.url)
            else None
        ),
    )
    page.guard = guard
    # Playwright's wait_for_function compiles its predicate with `new Function` inside the page, which
    # the app's Content-Security-Policy forbids (no 'unsafe-eval'): poll with evaluate() instead.
    page.wait_for_function = lambda expression, arg=None, timeout=None, **_: wait_until(page, expression, arg, timeout)
    return context, page


def wait_until(page, expression: str, arg=None, timeout: float | None = None, interval: float = 0.05):
    """Wait until `expression` (a JS function or expression) is truthy in the page; like wait_for_function."""
    from playwright.sync_api import Error, TimeoutError

    deadline = time.monotonic() + (timeout if timeout is not None else 15_000) / 1000
    while True:
        try:
            value = page.evaluate(expression, arg)
            if value:
                return value
        except TimeoutError:
            raise
        except Error as error:  # a navigation in progress, or the expression reading what is not there yet
            if "Target page, context or browser has been closed" in str(error):
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"wait_until: {expression[:80]!r} still false after {timeout or 15_000} ms")
        time.sleep(interval)


@pytest.fixture
def open_page(browser, request):
    """open_page(viewport=...) -> a guarded page; all of them are checked clean at teardown."""
    opened = []

    def _open(viewport: dict = DESKTOP):
        context, page = guarded_page(browser, viewport)
        opened.append((context, page))
        return page

    yield _open
    problems = {}
    for context, page in opened:
        problems.update(page.guard.problems())
        context.close()
    failed = getattr(request.node, "rep_call", None)
    if problems and not (failed and failed.failed):  # report only if the test itself passed
        pytest.fail(f"the page was not clean: {json.dumps(problems, indent=2)}")


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


# --- what the page should say --------------------------------------------------------------------
def count_text(value) -> str:
    return f"{int(value):,}"


def kpi_text(dataset, filters: Filters, measure: str = "count") -> str:
    """The headline number as the page should write it, suppressed or not."""
    row = dataset.aggregate([], filters, measure=measure).iloc[0]
    if row["suppressed"]:
        return suppressed_label(row["suppression"], dataset.min_cell)
    return format_rate(row["rate"]) if measure == "rate" else count_text(row["count"])


# --- reading and driving the page --------------------------------------------------------------------
DASH_IDLE_JS = """() => {
    const store = window.store && window.store.getState();
    if (!store || !store.callbacks) return false;
    const pending = Object.entries(store.callbacks)
        .filter(([key]) => key !== 'stored' && key !== 'completed')
        .flatMap(([, list]) => Array.isArray(list) ? list : []);
    return pending.length === 0;
}"""

# Every graph on the page has been drawn by plotly from a figure with traces.
GRAPHS_DRAWN_JS = """(ids) => ids.every(id => {
    const plot = document.querySelector('#' + id + ' .js-plotly-plot');
    return plot && Array.isArray(plot.data) && plot.data.length > 0 && plot._fullLayout;
})"""

# The first bar trace of a graph as the user sees it: category labels and the text drawn on each bar.
BARS_JS = """(id) => {
    const plot = document.querySelector('#' + id + ' .js-plotly-plot');
    if (!plot || !plot.data) return null;
    const trace = plot.data.find(t => t.type === 'bar');
    if (!trace) return null;
    const categories = Array.from(trace.orientation === 'h' ? trace.y : trace.x, String);
    const drawn = Array.from(plot.querySelectorAll('.barlayer .trace:first-child .point'),
        point => { const t = point.querySelector('.bartext'); return t ? t.textContent : ''; });
    return {categories: categories, texts: Array.from(trace.text || [], String), drawn: drawn};
}"""


class Ui:
    """The page of one test, with the few gestures and readings the tests share."""

    def __init__(self, page, server: Server):
        self.page = page
        self.server = server

    # navigation and waiting
    def open(self, query: str = "", graphs=GRAPH_IDS):
        self.page.goto(f"{self.server.url}/{query}")
        self.wait_drawn(graphs)
        return self

    def wait_idle(self):
        self.page.wait_for_function(DASH_IDLE_JS)

    def wait_drawn(self, graphs=GRAPH_IDS):
        self.page.wait_for_function(GRAPHS_DRAWN_JS, arg=list(graphs))
        self.page.wait_for_selector("#kpi-signals")
        self.wait_idle()

    def wait_search(self, expected: str):
        """Wait until the address bar's query string is `expected` ("" for none)."""
        try:
            self.page.wait_for_function("(q) => window.location.search === q", arg=expected, timeout=10_000)
        except Exception as error:  # say what the address was
            raise AssertionError(f"address bar query {self.search()!r}, expected {expected!r}") from error

    def search(self) -> str:
        return self.page.evaluate("window.location.search")

    def params(self) -> dict[str, str]:
        return dict(self.page.evaluate("Array.from(new URLSearchParams(window.location.search).entries())"))

    # readings
    def kpi(self, key: str = "signals") -> str:
        return self.page.inner_text(f"#kpi-{key}").strip()

    def chips(self) -> list[str]:
        return [" ".join(t.replace("×", "").split()) for t in self.page.locator("#chips button.chip").all_inner_texts()]

    def bars(self, graph_id: str) -> dict | None:
        return self.page.evaluate(BARS_JS, graph_id)

    def wait_bars(self, graph_id: str, expected: dict[str, str]):
        """Wait until the graph's first bar trace reads `expected` (category label -> text on the bar)."""
        try:
            self.page.wait_for_function(
                """([id, expected]) => {
                    const plot = document.querySelector('#' + id + ' .js-plotly-plot');
                    const trace = plot && plot.data && plot.data.find(t => t.type === 'bar');
                    if (!trace) return false;
                    const labels = Array.from(trace.orientation === 'h' ? trace.y : trace.x, String);
                    const texts = Array.from(trace.text || [], String);
                    return Object.entries(expected).every(([k, v]) => texts[labels.indexOf(k)] === v);
                }""",
                arg=[graph_id, expected],
                timeout=10_000,
            )
        except Exception as error:
            raise AssertionError(f"{graph_id} bars {self.bars(graph_id)}, expected {expected}") from error

    # gestures
    def choose(self, control_id: str, option_label: str):
        """Pick an option of a dcc.Dropdown by typing its label and pressing Enter, then close it."""
        self.page.click(f"#{control_id}")
        search = self.page.locator("input.dash-dropdown-search")
        search.wait_for(state="visible")
        search.focus()
        search.fill(option_label)
        from playwright.sync_api import expect

        expect(self.page.locator(".dash-dropdown-option").first).to_have_text(option_label)
        search.press("Enter")
        self.page.keyboard.press("Escape")

    def click_point(self, graph_id: str, category: str, trace: int = 0):
        """Click the bar of `category` in trace number `trace` of a bar chart, as a mouse would."""
        index = self.page.evaluate(
            """([id, category, trace]) => {
                const plot = document.querySelector('#' + id + ' .js-plotly-plot');
                const t = plot.data.filter(d => d.type === 'bar')[trace];
                return Array.from(t.orientation === 'h' ? t.y : t.x, String).indexOf(category);
            }""",
            [graph_id, category, trace],
        )
        assert index >= 0, f"{category!r} is not a bar of {graph_id}"
        bar = self.page.locator(f"#{graph_id} .barlayer .trace").nth(trace).locator(".point").nth(index).locator("path")
        self.click_center(bar)

    def click_center(self, locator):
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, "nothing to click"
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        self.page.mouse.move(x, y)
        self.page.mouse.click(x, y)


# Text the user reads as numbers: bar labels, text marks, table cells, KPI values.
VISIBLE_NUMBERS_JS = """() => {
    const texts = (selector) => Array.from(document.querySelectorAll(selector), e => e.textContent.trim());
    return {
        bar_labels: texts('.js-plotly-plot .bartext'),
        text_marks: texts('.js-plotly-plot .textpoint'),
        table_cells: texts('#numbers-table td'),
        kpis: texts('.kpi-value'),
        kpi_details: texts('.kpi-detail'),
    };
}"""

# Everything plotly was given that could be shown on hover or as a mark.
FIGURE_TEXT_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(plot =>
    plot.data.flatMap(t => [].concat(Array.from(t.text || []), Array.from(t.hovertext || []))
        .filter(s => typeof s === 'string')))"""

FIGURE_VALUES_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(plot =>
    plot.data.filter(t => t.type === 'bar' || t.type === 'choropleth').flatMap(t =>
        Array.from(t.type === 'choropleth' ? t.z : (t.orientation === 'h' ? t.x : t.y) || [])
            .filter(v => v !== null).map(Number)))"""


# Titles and footnotes that stick out of their chart's SVG (and so are cut off on screen and in PNGs).
TEXT_OVERFLOW_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(plot => {
    const svg = plot.querySelector('.main-svg').getBoundingClientRect();
    const id = plot.closest('[id$="-graph"]').id;
    return Array.from(plot.querySelectorAll('.gtitle, .annotation-text')).flatMap(text => {
        const box = text.getBoundingClientRect();
        const out = Math.max(box.right - svg.right, svg.left - box.left);
        return out > 1 ? [`${id}: "${text.textContent.slice(0, 40)}…" sticks out ${Math.round(out)}px`] : [];
    });
})"""


def assert_no_small_numbers_shown(ui: Ui, min_cell: int) -> dict[str, list[str]]:
    """No count between 1 and min_cell - 1 is written, drawn or hidden in a hover (a count view)."""
    shown = ui.page.evaluate(VISIBLE_NUMBERS_JS)
    for kind, texts in shown.items():
        tokens = [token for text in texts for token in re.split(r"[\s→()]+", text) if token]
        small = [t for t in tokens if t.replace(",", "").isdigit() and 0 < int(t.replace(",", "")) < min_cell]
        assert not small, f"{kind} show counts below {min_cell}: {small} in {texts}"
    for text in ui.page.evaluate(FIGURE_TEXT_JS):
        for number in re.findall(r":\s*(\d[\d,]*) signals", text):
            assert not 0 < int(number.replace(",", "")) < min_cell, f"a hover shows {text!r}"
    values = ui.page.evaluate(FIGURE_VALUES_JS)
    assert not [v for v in values if 0 < v < min_cell], "a bar or map colour encodes a small count"
    return shown


@pytest.fixture
def ui(page, server) -> Ui:
    return Ui(page, server)


@pytest.fixture
def small_ui(page, small_server) -> Ui:
    return Ui(page, small_server)


# --- uploads (tests/browser/test_upload.py) ------------------------------------------------------
UPLOAD_MAX_MB = 0.01  # about 10 KB: room for SMALL_ROWS, small enough to test the limit


@pytest.fixture(scope="session")
def upload_server(tmp_path_factory) -> Server:
    """The app on the demo data with uploads allowed, under a small size limit."""
    log_path = tmp_path_factory.mktemp("upload-server") / "app.log"
    running = start_server(log_path, "--allow-upload", "--upload-max-mb", str(UPLOAD_MAX_MB))
    yield running
    stop_server(running)
