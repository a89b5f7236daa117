"""What every chart panel shares: its card, its plotly config, and rendering that never breaks the page."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import theme

log = logging.getLogger(__name__)
_failures: contextvars.ContextVar[list | None] = contextvars.ContextVar("panel_failures", default=None)


def graph_config(file_name: str, topojson_url: str | None = None) -> dict:
    """Plotly's options for a chart. assets/presenter.js adds PNG (3x) and SVG buttons named after the
    current title; plotly's own camera, whose file name would stay fixed, is removed for them."""
    config = {
        "displaylogo": False,
        "responsive": True,
        "toImageButtonOptions": {"format": "png", "scale": 3, "filename": file_name},
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toImage"],
    }
    if topojson_url:
        config["topojsonURL"] = topojson_url
    return config


def graph_card(
    graph_id: str,
    label: str,
    *,
    height: int = theme.FIGURE_HEIGHT,
    topojson_url: str | None = None,
    access: bool = True,
):
    """A chart in a card, with a loading indicator while it updates.

    With `access` (components/chart_access.py fills these in): a text summary that describes the
    chart to screen readers, "Show as table" with the table it reveals, and CSV and Excel buttons.
    """
    from components import chart_tools  # imported here so this card's tools stay a change to graph_card only

    graph = dcc.Loading(
        dcc.Graph(
            id=graph_id,
            config=graph_config(graph_id.removesuffix("-graph"), topojson_url),
            style={"height": f"{height}px"},
            figure=placeholder_figure(height),
        ),
        type="default",
        delay_show=300,
    )
    body = graph
    if access:
        key = chart_tools.key_of(graph_id)
        body = [
            chart_tools.described_figure(graph, key, label),
            chart_tools.summary(key),
            chart_tools.toolbar(key, label),
            chart_tools.table_view(key, label),
        ]
    return html.Section(
        dbc.CardBody(body, className="p-1"),
        className="card chart-card h-100",
        **{"aria-label": label},
    )


def render_safely(render: Callable[[], object], fallback: object = None) -> object:
    """Run a panel's render; on an unexpected error log it and show a short message instead of a trace."""
    try:
        return render()
    except Exception:
        log.exception("a panel failed to render")
        note_failure()
        return fallback if fallback is not None else unavailable_figure()


@contextmanager
def failures() -> Iterator[list]:
    """Collect the panels that fell back to a message inside this block (an answer not worth caching)."""
    found: list = []
    token = _failures.set(found)
    try:
        yield found
    finally:
        _failures.reset(token)


def note_failure() -> None:
    found = _failures.get()
    if found is not None:
        found.append(True)


def placeholder_figure(height: int = theme.FIGURE_HEIGHT) -> dict:
    return {"data": [], "layout": {"height": height, "xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def unavailable_figure() -> dict:
    return {
        "data": [],
        "layout": {
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [{"text": "This chart could not be drawn. Try another selection.", "showarrow": False}],
        },
    }
