"""Each chart as an address of its own: an image or a table file, and a page to embed, for any view.

    /chart/<name>.png   .svg   .csv   .xlsx   .json   followed by the page's own query string
    /embed/<name>?<query>                      one live chart, its title, footnote and a link back

`<name>` is the chart's key (chart_tools.key_of: "map", "trend", "gender"...). The image is the
figure the page draws, from the panel's own render function, drawn on the server by kaleido; the
CSV and Excel files are the ones the chart's own buttons write (chart_tables.py). So titles,
footnotes and hidden cells are the page's. The embed page is plain HTML with plotly.js served from
this server; whether another site may frame it is the operator's choice (the Content-Security-Policy's
frame-ancestors, set by components/security.py), not this module's.

A file or page answers one request from one version of the data (`dataset.current()`). Drawn images
are kept in a small in-process cache keyed by (data fingerprint, canonical query, name, format): the
same view's chart is drawn by Chromium once.
"""

from __future__ import annotations

import html
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import cachetools
from flask import Response, request
from plotly.io.json import to_json_plotly

from components import chart_access, chart_tables, chart_tools, downloads, panel, presenter, slides, static_images
from hotline.dataset import Dataset
from hotline.viewstate import Choices, ViewState, parse_query, to_query

FILE_FORMATS = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "csv": downloads.CSV_MEDIA_TYPE,
    "xlsx": downloads.XLSX_MEDIA_TYPE,
    "json": "application/json",
}
IMAGE_FORMATS = ("png", "svg")
PLOTLY_JS = Path(__import__("plotly").__file__).resolve().parent / "package_data" / "plotly.min.js"
# Layout pixels of a drawn chart: the half-width cards (map, trend) a little wider than on a
# 1,280-pixel screen, the third-width breakdowns as wide as a phone held sideways; PNG at twice that.
WIDE_CHARTS = ("map", "trend")
WIDE_WIDTH, NARROW_WIDTH = 760, 520
PNG_SCALE = 2
CACHE_BYTES = 32 * 1024 * 1024
CACHE_ENTRIES = 256
ONE_DAY = 86_400

log = logging.getLogger(__name__)


class ChartRequestError(Exception):
    """A request this module refuses, with the status and the one-line reason the user is shown."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ChartFile:
    content: bytes
    media_type: str
    file_name: str


class ImageCache:
    """Drawn charts by key, bounded in bytes and entries; thread-safe. Holds only published figures' images."""

    def __init__(self, max_bytes: int = CACHE_BYTES, max_entries: int = CACHE_ENTRIES) -> None:
        floor = max(1, max_bytes // max_entries)  # every entry weighs at least this: bounds the count too
        self._values = cachetools.LRUCache(maxsize=max_bytes, getsizeof=lambda value: max(len(value), floor))
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_make(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self.hits += 1
                return found
            self.misses += 1
        made = make()  # outside the lock: drawing takes seconds (static_images draws one at a time anyway)
        with self._lock:
            try:
                self._values[key] = made
            except ValueError:  # larger than the whole cache: served, not kept
                pass
        return made

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


# --- what a name and a query mean ------------------------------------------------------------------
def chart_names(dataset: Dataset) -> list[str]:
    """The charts of this dataset's page, by the key their tools go by, in page order."""
    return [chart_tools.key_of(graph_id) for graph_id, _ in presenter.chart_renderers(dataset)]


def read_view(query: str, choices: Choices) -> ViewState:
    """The view of a chart address. Unlike the page, which ignores what it cannot read and says so in
    a notice, a file has nowhere to show a notice: a bad part is refused, with the page's own words."""
    view, notices = parse_query(query, choices)
    if notices:
        raise ChartRequestError(400, "This chart address has parts that cannot be read: " + " ".join(notices))
    return replace(view, present=False, slide=1)


def canonical_query(view: ViewState, choices: Choices) -> str:
    return to_query(replace(view, present=False, slide=1), choices)


def figure_of(dataset: Dataset, name: str, view: ViewState) -> dict:
    """The chart's figure exactly as the page draws it for `view`."""
    renderers = {chart_tools.key_of(graph_id): render for graph_id, render in presenter.chart_renderers(dataset)}
    if name not in renderers:
        raise ChartRequestError(404, _unknown_chart(name, dataset))
    return panel.render_safely(lambda: renderers[name](view))


def table_of(dataset: Dataset, name: str, view: ViewState) -> chart_tables.ChartTable:
    """The chart's numbers exactly as its CSV and Excel buttons write them for `view`."""
    tables = chart_access.charts(dataset)
    if name not in tables:
        raise ChartRequestError(404, _unknown_chart(name, dataset))
    return tables[name][1](view)


def _unknown_chart(name: str, dataset: Dataset) -> str:
    shown = name if len(name) <= 40 else name[:39] + "…"
    return f"There is no chart named {shown!r}. The charts are: {', '.join(chart_names(dataset))}."


def image_size(name: str, figure: dict) -> tuple[int, int]:
    height = int(figure.get("layout", {}).get("height") or 380)
    return (WIDE_WIDTH if name in WIDE_CHARTS else NARROW_WIDTH), height


# --- the files --------------------------------------------------------------------------------------
def chart_file(
    dataset: Dataset,
    choices: Choices,
    name: str,
    file_format: str,
    query: str,
    *,
    cache: ImageCache | None = None,
    draw: Callable[..., list[bytes]] = static_images.render,
) -> ChartFile:
    """The file at /chart/<name>.<file_format>?<query>. Raises ChartRequestError for a bad request."""
    if file_format not in FILE_FORMATS:
        formats = ", ".join(f".{f}" for f in FILE_FORMATS)
        raise ChartRequestError(404, f"Charts are served as {formats}; not .{file_format[:10]}.")
    if name not in chart_names(dataset):
        raise ChartRequestError(404, _unknown_chart(name, dataset))
    view = read_view(query, choices)
    media_type = FILE_FORMATS[file_format]
    if file_format in ("csv", "xlsx"):
        chart = table_of(dataset, name, view)
        parts = (chart.title, chart.columns, chart.rows, chart.footnote)
        content = downloads.xlsx_bytes(*parts) if file_format == "xlsx" else downloads.csv_bytes(*parts)
        return ChartFile(content, media_type, downloads.file_name(chart.title, file_format))
    figure = figure_of(dataset, name, view)
    title = slides.chart_of(figure).title or name
    if file_format == "json":
        return ChartFile(to_json_plotly(figure).encode(), media_type, downloads.file_name(title, "json"))

    def make() -> bytes:
        width, height = image_size(name, figure)
        scale = PNG_SCALE if file_format == "png" else 1
        return draw([figure], image_format=file_format, width=width, height=height, scale=scale)[0]

    key = (dataset.fingerprint, canonical_query(view, choices), name, file_format)
    content = cache.get_or_make(key, make) if cache is not None else make()
    return ChartFile(content, media_type, slides.slug(title) + f".{file_format}")


# --- the embed page ---------------------------------------------------------------------------------
def embed_page(dataset: Dataset, choices: Choices, name: str, query: str, *, prefix: str, dashboard_url: str) -> str:
    """The HTML of /embed/<name>: the live chart, a text summary for screen readers, a link to the dashboard.

    No inline script (the CSP allows none): the figure travels as a JSON data block that
    assets/embed/embed.js draws with the locally served plotly.js.
    """
    if name not in chart_names(dataset):
        raise ChartRequestError(404, _unknown_chart(name, dataset))
    view = read_view(query, choices)
    figure = figure_of(dataset, name, view)
    kinds = chart_access.charts(dataset)
    summary = chart_tables.describe(kinds[name][1](view), kinds[name][0]) if name in kinds else ""
    title = slides.chart_of(figure).title or name
    # "<" escaped: titles come from the data, which may be an uploaded file; "</script>" must not end the block.
    figure_json = to_json_plotly(figure).replace("<", "\\u003c")
    config = json.dumps(
        {"displaylogo": False, "responsive": True, "topojsonURL": f"{prefix}assets/topojson/"}
    ).replace("<", "\\u003c")
    link = dashboard_url + canonical_query(view, choices)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="{prefix}assets/embed/embed.css">
</head>
<body class="embed">
<main>
<figure class="embed-figure">
<div id="embed-chart" class="embed-chart" role="img" aria-label="{html.escape(title)}" aria-describedby="embed-summary"></div>
<figcaption id="embed-summary" class="visually-hidden">{html.escape(summary)}</figcaption>
</figure>
<p class="embed-link"><a href="{html.escape(link)}" target="_blank" rel="noopener">Open this view in the full dashboard</a></p>
</main>
<script id="embed-figure" type="application/json">{figure_json}</script>
<script id="embed-config" type="application/json">{config}</script>
<script src="{prefix}embed/plotly.min.js"></script>
<script src="{prefix}assets/embed/embed.js"></script>
</body>
</html>
"""


# --- the routes --------------------------------------------------------------------------------------
def register(app, dataset: Dataset, choices: Choices, *, prefix: str = "/") -> ImageCache:
    """Add the chart and embed routes under `prefix` to the app's Flask server; returns the image cache."""
    server = app.server
    cache = ImageCache()
    endpoint = prefix.strip("/").replace("/", "_") or "main"

    def refuse(error: ChartRequestError) -> Response:
        return Response(error.message + "\n", status=error.status, mimetype="text/plain")

    def chart(name: str, file_format: str):
        data = dataset.current()  # once: the whole file comes from one version of the data
        try:
            found = chart_file(data, choices, name, file_format, _query(), cache=cache)
        except ChartRequestError as error:
            return refuse(error)
        except static_images.ExportError as error:
            log.warning("could not draw chart %s as %s: %s", name, file_format, error)
            return Response(f"The chart could not be drawn. {error}\n", status=503, mimetype="text/plain")
        response = Response(found.content, mimetype=found.media_type)
        if file_format in ("csv", "xlsx"):
            response.headers["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
        else:
            response.headers["Content-Disposition"] = f'inline; filename="{found.file_name}"'
        return response

    def embed(name: str):
        data = dataset.current()
        try:
            page = embed_page(data, choices, name, _query(), prefix=prefix, dashboard_url=request.host_url.rstrip("/") + prefix)
        except ChartRequestError as error:
            return refuse(error)
        return Response(page, mimetype="text/html")

    def plotly_js():
        response = Response(PLOTLY_JS.read_bytes(), mimetype="text/javascript")
        response.headers["Cache-Control"] = f"public, max-age={ONE_DAY}"
        return response

    server.add_url_rule(f"{prefix}chart/<name>.<file_format>", f"chart_file_{endpoint}", chart)
    server.add_url_rule(f"{prefix}embed/<name>", f"chart_embed_{endpoint}", embed)
    server.add_url_rule(f"{prefix}embed/plotly.min.js", f"chart_plotly_{endpoint}", plotly_js)
    return cache


def _query() -> str:
    return request.query_string.decode("utf-8", errors="replace")
