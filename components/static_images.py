"""Figures drawn to PNG or PDF on the server, by kaleido in the system's headless Chromium.

The page draws its charts with plotly.js in the user's browser; the slide deck and the report
need the same figures as files, so the server draws them with the same plotly.js in a Chromium of
its own. Three settings keep that Chromium off the network: plotly.js comes from the plotly
package (kaleido's default), MathJax is off (kaleido would otherwise load it from a CDN), and the
map shapes are read from assets/topojson (plotly.js would otherwise fetch them from a CDN). Chromium
itself calls home when it starts (update checks, sign-in, the default search engine): flags turn that
off, and as a last guard every request goes to a proxy on this machine that does not exist, so
anything that still tries to leave the machine fails at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TOPOJSON_DIR = Path(__file__).resolve().parents[1] / "assets" / "topojson"
# Nothing listens on the discard port: a request through this proxy is refused at once.
NO_NETWORK_PROXY = "127.0.0.1:9"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
SECONDS_PER_FIGURE = 60
ATTEMPTS = 2  # a failed drawing is tried once more in a fresh Chromium (see render)
QUIET_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-sync",
    "--no-pings",
    "--dns-prefetch-disable",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-client-side-phishing-detection",
    "--disable-component-extensions-with-background-pages",
    "--no-service-autorun",
    "--disable-search-engine-choice-screen",
    "--disable-features=NetworkTimeServiceQuerying,Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,"
    "CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions",
)

# Two cores serve every user: one Chromium at a time; a second export waits for the first.
_one_at_a_time = threading.Lock()
log = logging.getLogger(__name__)


class ExportError(Exception):
    """The figures could not be drawn; the message says why in words a user can act on."""


def browser_path() -> str | None:
    """The Chromium to draw with: BROWSER_PATH (kaleido's own setting) if set, else the first on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured
    return next((found for name in BROWSER_NAMES if (found := shutil.which(name))), None)


def render(
    figures: Sequence[dict],
    *,
    image_format: str,
    width: int,
    height: int,
    scale: float = 1,
    proxy: str = NO_NETWORK_PROXY,
) -> list[bytes]:
    """Each figure as a `image_format` ("png", "svg" or "pdf") file of width x height layout pixels times `scale`."""
    path = browser_path()
    if path is None or not Path(path).is_file():
        raise ExportError("No Chromium browser was found on the server to draw the charts (set BROWSER_PATH).")
    options = {"format": image_format, "width": width, "height": height, "scale": scale}
    with _one_at_a_time:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return _run_to_completion(_render_all(list(figures), options, path, proxy))
            except ExportError:
                raise
            except Exception as error:  # kaleido and choreographer raise many kinds; the user needs one message
                if attempt == ATTEMPTS:
                    raise ExportError(f"The charts could not be drawn ({type(error).__name__}).") from error
                # On a busy machine kaleido's page sometimes runs the drawing call before its own script has
                # defined it ("kaleido_scopes is not defined"); a fresh Chromium draws the same figures fine.
                log.warning("drawing the charts failed (%s); trying once more in a fresh browser", type(error).__name__)


def _run_to_completion(work: Coroutine):
    """Run a coroutine from synchronous code, even where this thread already runs an event loop
    (an async server worker, or Playwright's sync API in the test process): then in a fresh thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


async def _render_all(figures: list[dict], options: dict, path: str, proxy: str) -> list[bytes]:
    import kaleido  # imported here: it starts logging and checks plotly's version on import

    topojson = TOPOJSON_DIR.as_uri() + "/"
    async with kaleido.Kaleido(
        n=1, timeout=SECONDS_PER_FIGURE, mathjax=False, path=path, proxy_server=proxy, browser_cls=_quiet_chromium()
    ) as renderer:
        return [await renderer.calc_fig(figure, opts=dict(options), topojson=topojson) for figure in figures]


def _quiet_chromium():
    """choreographer's Chromium with flags that stop its calls home (choreographer takes no extra flags)."""
    from choreographer.browsers.chromium import Chromium

    class QuietChromium(Chromium):
        def get_cli(self):
            return [*super().get_cli(), *QUIET_FLAGS]

    return QuietChromium
