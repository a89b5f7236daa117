"""From a click on a bar to every chart repainted, in headless Chromium (Playwright), on the demo data.

    python -m benchmarks.browser                 # 20 clicks
    python -m benchmarks.browser --clicks 40

Starts `python app.py` on 127.0.0.1 (demo data), opens the page in /usr/bin/chromium (or BROWSER_PATH),
and clicks bars of the breakdown charts as a mouse does. Each time is measured in the page: from the
mouse button going down to the last chart's `plotly_afterplot` event once every chart has repainted
after the click (the clicked chart included) and Dash has no callback in flight. After each click
"Clear all" brings the page back to the default view (not timed).

Clicks go round a fixed list of bars; the first round's views are new to the server (its cache of views
misses), later rounds find them cached. Both are printed, with the median over each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
GRAPHS = ("map-graph", "trend-graph", "trafficking-type-graph", "gender-graph", "age-group-graph",
          "citizenship-graph", "method-graph", "caller-graph")  # fmt: skip
BARS = [("gender-graph", 0), ("trafficking-type-graph", 1), ("age-group-graph", 0), ("method-graph", 0),
        ("caller-graph", 1), ("citizenship-graph", 0)]  # fmt: skip

# Installed once per page: the time of each chart's last repaint, and of the last mouse press.
RECORDER_JS = """(ids) => {
    window.__repaint = window.__repaint || {pressed: 0, painted: {}};
    if (!window.__repaintPress) {
        document.addEventListener('mousedown', () => { window.__repaint.pressed = performance.now(); }, true);
        window.__repaintPress = true;
    }
    for (const id of ids) {
        const plot = document.querySelector('#' + id + ' .js-plotly-plot');
        if (plot && plot.on && !plot.__repaintHooked) {
            plot.on('plotly_afterplot', () => { window.__repaint.painted[id] = performance.now(); });
            plot.__repaintHooked = true;
        }
    }
    return true;
}"""

REPAINTED_JS = """(ids) => {
    const r = window.__repaint;
    const store = window.store && window.store.getState();
    const pending = store && store.callbacks ? Object.entries(store.callbacks)
        .filter(([key]) => key !== 'stored' && key !== 'completed')
        .flatMap(([, list]) => Array.isArray(list) ? list : []).length : 1;
    if (!r || !r.pressed || pending) return null;
    const times = ids.map(id => r.painted[id] || 0);
    return times.every(t => t > r.pressed) ? Math.max(...times) - r.pressed : null;
}"""

DRAWN_JS = """(ids) => ids.every(id => {
    const plot = document.querySelector('#' + id + ' .js-plotly-plot');
    return plot && Array.isArray(plot.data) && plot.data.length > 0 && plot._fullLayout;
}) && window.store && Object.entries(window.store.getState().callbacks || {})
    .filter(([key]) => key !== 'stored' && key !== 'completed')
    .every(([, list]) => !Array.isArray(list) || list.length === 0)"""

def poll(page, expression: str, arg, timeout: float = 30.0):
    """Like wait_for_function, which compiles code in the page (the app's CSP forbids eval): evaluate()."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression, arg)
        if value:
            return value
        time.sleep(0.01)
    raise TimeoutError(f"the page did not get there in {timeout:g} s")


def start_app(log) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=REPO_ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=5).read()
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the app did not start") from None
            time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=20, help="bars clicked (default 20)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryFile() as log:
        process, url = start_app(log)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url + "/")
                poll(page, DRAWN_JS, list(GRAPHS))
                new, cached = [], []
                for number in range(args.clicks):
                    graph, index = BARS[number % len(BARS)]
                    bar = page.locator(f"#{graph} .barlayer .trace").first.locator(".point").nth(index).locator("path")
                    bar.scroll_into_view_if_needed()
                    box = bar.bounding_box()
                    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
                    page.mouse.move(x, y)
                    page.evaluate(RECORDER_JS, list(GRAPHS))  # hovering repaints nothing, but start afresh
                    page.evaluate("() => { window.__repaint.painted = {}; }")
                    page.mouse.click(x, y)
                    elapsed = poll(page, REPAINTED_JS, list(GRAPHS))
                    if not page.evaluate("() => window.location.search"):
                        raise SystemExit(f"a click on {graph} selected nothing: the benchmark measured no update")
                    (new if number < len(BARS) else cached).append(elapsed)
                    page.click("#clear-filters")
                    page.wait_for_timeout(50)
                    poll(page, DRAWN_JS, list(GRAPHS))
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"Command: `python -m benchmarks.browser --clicks {args.clicks}` (Chromium {CHROMIUM}, demo data, "
          f"1280x900, one `python app.py` on 127.0.0.1, {os.cpu_count()} cores)")  # fmt: skip
    print()
    print("| clicks | views | median ms | min ms | max ms |")
    print("|---:|---|---:|---:|---:|")
    for label, times in (("new to the server", new), ("seen before (cache of views)", cached), ("all", new + cached)):
        if times:
            print(f"| {len(times)} | {label} | {statistics.median(times):.0f} | {min(times):.0f} | {max(times):.0f} |")
    print()
    print("From mouse button down on a bar to the last of the 8 charts' plotly_afterplot, every chart repainted "
          "and no Dash callback in flight.")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
