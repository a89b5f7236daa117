"""What every chart panel shares: its card, its plotly config, and rendering that never breaks the page."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

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


_NO_CHILDREN = object()


@cache
def _shape(kind: type) -> tuple[dict[str, int], str, str]:
    """A component class's props in the order Dash sends them, its type and its namespace."""
    sample = kind()
    return {name: i for i, name in enumerate(sample._prop_names)}, sample._type, sample._namespace


def element(kind: type, children: object = _NO_CHILDREN, **props) -> dict:
    """What `kind(children, **props).to_plotly_json()` gives, as plain JSON types, without the component.

    For parts of hundreds of cells (tables, cards): building a Dash component costs about 5 µs, and an
    answer of plain JSON types goes straight to orjson, while one holding a component is walked value by
    value by plotly's encoder. The page gets the same JSON. Props must be declared ones (no aria-* or
    data-*, whose order Dash sets otherwise): any other is refused.
    """
    order, type_name, namespace = _shape(kind)
    if children is not _NO_CHILDREN:
        props = {"children": children, **props}
    for name in props:
        if name not in order:
            raise TypeError(f"{type_name}: no declared prop {name!r}")
    # In Dash's order: the class's props as it declares them.
    ordered = dict(sorted(props.items(), key=lambda item: order[item[0]])) if len(props) > 1 else props
    return {"props": ordered, "type": type_name, "namespace": namespace}


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
