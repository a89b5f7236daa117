"""Take the README's screenshot (docs/screenshot.png) of the demo data in Debian's headless Chromium.

    python scripts/screenshot.py [--view "?years=2015-2019&state=OK,TX&type=labor"] [--out docs/screenshot.png]

Starts the app on 127.0.0.1 and a free port, opens the view at 1280 px wide, waits until every chart
has drawn, saves the top of the page, and stops the app. Run it after a change to what the page shows,
so that the README stays true.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VIEW = "?years=2015-2019&state=OK,TX&type=labor"
CHROMIUM = "/usr/bin/chromium"
SIZE = {"width": 1280, "height": 1180}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                json.loads(response.read())
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--view", default=DEFAULT_VIEW, help="the query string of the view to show")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshot.png")
    args = parser.parse_args(argv)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport=SIZE)
            page.goto(url + "/" + args.view)
            # Every chart drawn: plotly has put its SVG in each graph, and no callback is still running.
            page.locator(".js-plotly-plot .main-svg").first.wait_for()
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1500)  # transitions of the bars and the map's colours
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"saved {args.out.relative_to(REPO_ROOT) if args.out.is_relative_to(REPO_ROOT) else args.out}")


if __name__ == "__main__":
    main()
