"""The map: signals (or rate) per US state, or per country for global data; a click toggles the area as a filter.

The map shapes are served from assets/topojson (plotly.js would otherwise fetch them from a CDN),
so the map renders on a closed network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pandas as pd
from dash import Output

from components import columns, panel, text, theme
from hotline import geography
from hotline.areas import US_STATES, AreaScheme
from hotline.dataset import Dataset
from hotline.schema import UNKNOWN_AREA
from hotline.viewstate import ViewState

GRAPH_ID = "map-graph"
# The "albers usa" projection draws the 50 states and DC; the territories are listed in the table.
MAPPED_STATES = frozenset(s for s in geography.STATES if geography.STATE_REGION[s] != geography.TERRITORIES_LABEL)
HEIGHT = 440
# Countries whose shapes cross 180° of longitude. Plotly fits a map to the locations by turning the
# globe, so with any of these it would centre the map on the Pacific: then the whole world is drawn.
ACROSS_THE_ANTIMERIDIAN = frozenset({"USA", "RUS", "FJI", "KIR", "NZL", "TUV", "TON", "WSM", "WLF", "ATA"})
WORLD_SHAPES_FILE = Path(__file__).resolve().parent.parent / "assets" / "topojson" / "world_110m.json"

# How plotly draws each geography: which shapes its locations name, and the map's frame.
_LOCATION_MODE = {"state": "USA-states", "country": "ISO-3"}
_GEO = {
    "state": {"scope": "usa", "projection": {"type": "albers usa"}, "showlakes": False, "subunitcolor": "white"},
    "country": {
        "scope": "world",
        "projection": {"type": "natural earth"},
        "showframe": False,
        "showcoastlines": False,
        "showcountries": True,
        "countrycolor": "#adb5bd",
        "countrywidth": 0.4,
        "showland": True,
        "landcolor": "white",  # no data: white, so the grey of hidden counts stands out
        "lataxis": {"range": [-58, 85]},  # Antarctica left out: no signals there, and it takes a fifth of the map
    },
}


def layout(dataset: Dataset, topojson_url: str):
    label = f"Map of {dataset.source.unit} by {dataset.areas.label.lower()}"
    return panel.graph_card(GRAPH_ID, label, height=HEIGHT, topojson_url=topojson_url)


def outputs(dataset: Dataset) -> dict:
    """What this panel draws; components/panels.py renders every panel of a view in one callback."""
    return {"figure": Output(GRAPH_ID, "figure")}


def respond(dataset: Dataset, view: ViewState) -> dict:
    return {"figure": panel.render_safely(lambda: render(dataset, view))}


def render(dataset: Dataset, view: ViewState) -> dict:
    filters = view.filters
    areas = dataset.areas
    if areas.dimension not in dataset.dimensions:
        return panel.unavailable_figure()
    # Always with rates: the table shows this same aggregate, so both read one cached result.
    found = dataset.columns([areas.dimension], filters, measure="rate", open_dimension=areas.dimension)
    found = columns.where(found, [code != UNKNOWN_AREA for code in found[areas.dimension]])
    unit = dataset.source.unit
    title = text.chart_title(
        view.measure, areas.dimension, filters.without(areas.dimension), dataset.years, areas=areas, unit=unit
    )
    selected = set(filters.geography())
    footnote = text.footnote(dataset)
    return figure(found, selected, view.measure, title, footnote, dataset.min_cell, areas=areas, unit=unit)


def figure(
    frame: pd.DataFrame | columns.Columns,
    selected: set[str],
    measure: str,
    title: str,
    footnote: str,
    min_cell: int,
    *,
    areas: AreaScheme = US_STATES,
    unit: str = "signals",
) -> dict:
    """Choropleth of `frame` (columns state or country, count, suppressed, suppression[, rate][, at_least]).

    Suppressed areas are drawn in a flat grey with their label, never with a value; with a
    selection, the other areas are dimmed and the selected ones outlined.
    """
    column = areas.dimension
    value_column = "rate" if measure == "rate" else "count"
    frame = columns.of(frame)
    codes = list(frame[column])
    values = list(frame[value_column])
    suppressed = list(frame["suppressed"])
    shown = [i for i, (v, s) in enumerate(zip(values, suppressed)) if not s and not pd.isna(v)]
    hidden = [i for i, s in enumerate(suppressed) if s]
    shown_codes, hidden_codes = [codes[i] for i in shown], [codes[i] for i in hidden]
    shown_values = [values[i] for i in shown]
    bounds = columns.flags(frame, "at_least")
    at_least = [bounds[i] for i in shown]
    unit_words = text.measure_phrase(measure, unit).lower()
    traces = [
        {
            "type": "choropleth",
            "name": text.measure_phrase(measure, unit),
            "locationmode": _LOCATION_MODE[column],
            "locations": shown_codes,
            "z": [float(v) for v in shown_values],
            "zmin": 0,
            "colorscale": theme.MAP_COLORSCALE,
            # Under the map, not beside it: in a half-width card the map is held by the card's width,
            # so a colour scale beside it would take width it needs, and there is height to spare.
            "colorbar": {
                "title": {"text": "per 100k" if measure == "rate" else unit, "side": "right"},
                "orientation": "h",
                "thickness": 10,
                "len": 0.7,
                "x": 0.5,
                "xanchor": "center",
                "y": 0,
                "yanchor": "bottom",
                "ypad": 0,
            },
            "customdata": [[column, code] for code in shown_codes],
            "hovertext": [
                f"{areas.name(code)}: {text.format_measure(v, measure, bound)} {unit_words}"
                for code, v, bound in zip(shown_codes, shown_values, at_least)
            ],
            "hoverinfo": "text",
            "marker": _emphasis(shown_codes, selected),
        }
    ]
    if hidden:
        reasons = frame["suppression"]
        traces.append(
            {
                "type": "choropleth",
                "name": f"fewer than {min_cell} or hidden",
                "locationmode": _LOCATION_MODE[column],
                "locations": hidden_codes,
                "z": [0] * len(hidden),
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0, theme.SUPPRESSED_FILL], [1, theme.SUPPRESSED_FILL]],
                "showscale": False,
                "customdata": [[column, code] for code in hidden_codes],
                "hovertext": [f"{areas.name(codes[i])}: {text.suppressed_label(reasons[i], min_cell)}" for i in hidden],
                "hoverinfo": "text",
                "marker": _emphasis(hidden_codes, selected),
            }
        )
    # Hidden territories are not drawn on the US map, so the grey legend would explain nothing.
    grey_on_map = any(code in MAPPED_STATES for code in hidden_codes) if column == "state" else len(hidden) > 0
    if grey_on_map:
        blank = " White: no data." if column == "country" else ""
        footnote = f"Grey: fewer than {min_cell} {unit}, or hidden to protect a small count.{blank} {footnote}"
    if column == "country":
        footnote = _unmapped_note(codes, areas) + footnote
    layout = theme.base_layout(
        title, footnote, height=HEIGHT, width=theme.WIDE, axis_room=0, footnote_chars=theme.WIDE_FOOTNOTE_CHARS
    )
    # The map fills its card: framed on the areas with data (a table of a few countries is not drawn
    # as a speck on the whole world), edge to edge, the colour scale in a strip beneath.
    layout["geo"] = {**_GEO[column], "bgcolor": "white", "domain": {"x": [0, 1], "y": [0.13, 1]}}
    if column == "country" and codes and not set(codes) & ACROSS_THE_ANTIMERIDIAN:
        layout["geo"]["fitbounds"] = "locations"
        layout["geo"].pop("lataxis", None)
    layout["margin"].update({"l": 4, "r": 4})
    return {"data": traces, "layout": layout}


@cache
def world_shapes() -> frozenset[str]:
    """ISO-3 codes the offline world map can draw (small islands and city states are not at this scale)."""
    topology = json.loads(WORLD_SHAPES_FILE.read_text(encoding="utf-8"))
    return frozenset(g["id"] for g in topology["objects"]["countries"]["geometries"] if g.get("id"))


def _unmapped_note(codes: Iterable[str], areas: AreaScheme) -> str:
    """Name the countries with data that the map cannot draw, so nobody reads them as missing."""
    missing = sorted(areas.name(c) for c in set(codes) - world_shapes() - {UNKNOWN_AREA})
    if len(missing) > 3:
        return f"{len(missing)} countries with data are too small for this map: see the table. "
    return f"Too small for this map (see the table): {', '.join(missing)}. " if missing else ""


def _emphasis(codes: Iterable[str], selected: set[str]) -> dict:
    if not selected:
        return {"line": {"color": "white", "width": 0.6}}
    chosen = [code in selected for code in codes]
    return {
        "opacity": [1.0 if c else theme.DIMMED_OPACITY for c in chosen],
        "line": {
            "color": [theme.TEXT_COLOR if c else "white" for c in chosen],
            "width": [2 if c else 0.6 for c in chosen],
        },
    }
