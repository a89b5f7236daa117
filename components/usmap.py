"""The map of US states: signals (or rate) per state; a click toggles the state as a filter.

The map shapes are served from assets/topojson (plotly.js would otherwise fetch them from a CDN),
so the map renders on a closed network.
"""

from __future__ import annotations

import pandas as pd
from dash import Input, Output

from components import panel, text, theme
from components.view import view_from_store
from hotline import geography
from hotline.dataset import Dataset
from hotline.schema import UNKNOWN_STATE
from hotline.viewstate import ViewState

GRAPH_ID = "map-graph"
# The "albers usa" projection draws the 50 states and DC; the territories are listed in the table.
MAPPED_STATES = frozenset(s for s in geography.STATES if geography.STATE_REGION[s] != geography.TERRITORIES_LABEL)


def layout(topojson_url: str):
    return panel.graph_card(GRAPH_ID, "Map of signals by state", height=440, topojson_url=topojson_url)


def register(app, dataset: Dataset, choices) -> None:
    @app.callback(Output(GRAPH_ID, "figure"), Input("view", "data"))
    def update(store):
        return panel.render_safely(lambda: render(dataset, view_from_store(store, choices)))


def render(dataset: Dataset, view: ViewState) -> dict:
    filters = view.filters
    # Always with rates: the table shows this same aggregate, so both read one cached result.
    frame = dataset.aggregate(["state"], filters, measure="rate", open_dimension="state")
    frame = frame[frame["state"] != UNKNOWN_STATE]
    title = text.chart_title(view.measure, "state", filters.without("state"), dataset.years)
    return figure(frame, set(filters.geography()), view.measure, title, text.footnote(dataset), dataset.min_cell)


def figure(frame: pd.DataFrame, selected: set[str], measure: str, title: str, footnote: str, min_cell: int) -> dict:
    """Choropleth of `frame` (columns state, count, suppressed, suppression[, rate]).

    Suppressed states are drawn in a flat grey with their label, never with a value; with a
    selection, the other states are dimmed and the selected ones outlined.
    """
    value_column = "rate" if measure == "rate" else "count"
    shown = frame[~frame["suppressed"] & frame[value_column].notna()]
    hidden = frame[frame["suppressed"]]
    unit = text.measure_phrase(measure).lower()
    traces = [
        {
            "type": "choropleth",
            "name": text.measure_phrase(measure),
            "locationmode": "USA-states",
            "locations": list(shown["state"]),
            "z": [float(v) for v in shown[value_column]],
            "zmin": 0,
            "colorscale": theme.MAP_COLORSCALE,
            "colorbar": {
                "title": {"text": "per 100k" if measure == "rate" else "signals"},
                "thickness": 12,
                "len": 0.7,
            },
            "customdata": [["state", s] for s in shown["state"]],
            "hovertext": [
                f"{geography.STATE_NAMES.get(s, s)}: {text.format_measure(v, measure)} {unit}"
                for s, v in zip(shown["state"], shown[value_column])
            ],
            "hoverinfo": "text",
            "marker": _emphasis(shown["state"], selected),
        }
    ]
    if len(hidden):
        traces.append(
            {
                "type": "choropleth",
                "name": f"fewer than {min_cell} or hidden",
                "locationmode": "USA-states",
                "locations": list(hidden["state"]),
                "z": [0] * len(hidden),
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0, theme.SUPPRESSED_FILL], [1, theme.SUPPRESSED_FILL]],
                "showscale": False,
                "customdata": [["state", s] for s in hidden["state"]],
                "hovertext": [
                    f"{geography.STATE_NAMES.get(s, s)}: {text.suppressed_label(r, min_cell)}"
                    for s, r in zip(hidden["state"], hidden["suppression"])
                ],
                "hoverinfo": "text",
                "marker": _emphasis(hidden["state"], selected),
            }
        )
    if hidden["state"].isin(MAPPED_STATES).any():
        footnote = f"Grey: fewer than {min_cell} signals, or hidden to protect a small count. {footnote}"
    layout = theme.base_layout(title, footnote, height=440, width=theme.WIDE)
    layout["geo"] = {
        "scope": "usa",
        "projection": {"type": "albers usa"},
        "showlakes": False,
        "bgcolor": "white",
        "subunitcolor": "white",
    }
    return {"data": traces, "layout": layout}


def _emphasis(states: pd.Series, selected: set[str]) -> dict:
    if not selected:
        return {"line": {"color": "white", "width": 0.6}}
    chosen = [s in selected for s in states]
    return {
        "opacity": [1.0 if c else theme.DIMMED_OPACITY for c in chosen],
        "line": {
            "color": [theme.TEXT_COLOR if c else "white" for c in chosen],
            "width": [2 if c else 0.6 for c in chosen],
        },
    }
