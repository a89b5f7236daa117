"""Signals by year, stacked by trafficking type. A click on a year selects that year; again clears it.

When the view is one year, the trend shows that year by month (a click on a month selects it), with
the same suppression: every bar is a cell of `Dataset.aggregate`, by month this time.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from dash import Output

from components import columns, panel, text, theme
from hotline.dataset import Dataset
from hotline.schema import value_label
from hotline.viewstate import MONTH_NAMES, ViewState

GRAPH_ID = "trend-graph"
AXIS_WIDTH = 72  # pixels for the y axis title and tick labels (fixed so the footnote can align)


def layout():
    return panel.graph_card(GRAPH_ID, "Bar chart of signals by year and trafficking type", height=440)


def outputs(dataset: Dataset) -> dict:
    """What this panel draws; components/panels.py renders every panel of a view in one callback."""
    return {"figure": Output(GRAPH_ID, "figure")}


def respond(dataset: Dataset, view: ViewState) -> dict:
    return {"figure": panel.render_safely(lambda: render(dataset, view))}


def period_of(dataset: Dataset, view: ViewState) -> str:
    """ "month" when the view is one year of data with months, else "year" (Dataset.trend_grouping)."""
    return dataset.trend_grouping(view.filters, view.measure)[0]


def query(dataset: Dataset, view: ViewState) -> tuple[str, list[str], columns.Columns]:
    """The trend's period ("year" or "month"), its `by` and its aggregate (its own period left open)."""
    by = list(dataset.trend_grouping(view.filters, view.measure))
    period = by[0]
    return period, by, dataset.columns(by, view.filters, measure=view.measure, open_dimension=period)


def scope_of(view: ViewState, period: str):
    """The filters the title names: the period's own selection is what the chart shows in full."""
    return view.filters.without(period)


def render(dataset: Dataset, view: ViewState) -> dict:
    period, by, frame = query(dataset, view)
    unit = dataset.source.unit
    scope = scope_of(view, period)
    title = text.chart_title(view.measure, tuple(by), scope, dataset.years, areas=dataset.areas, unit=unit)
    footnote = text.footnote(dataset)
    selected = view.filters.years if period == "year" else view.filters.months
    year = f" {view.filters.years[0]}" if period == "month" else ""  # a month's hover names its year
    return figure(
        frame, selected, view.measure, title, footnote, dataset.min_cell, unit=unit, period=period, hover_suffix=year
    )


def period_label(value, period: str = "year") -> str:
    """A bar's label: "2016", or "Mar" for a month."""
    if period == "month" and isinstance(value, (int, np.integer)) and 1 <= value <= 12:
        return MONTH_NAMES[int(value) - 1][:3]
    return value_label(value) if isinstance(value, str) else str(value)


def figure(
    frame: pd.DataFrame | columns.Columns,
    selected: tuple | None,
    measure: str,
    title: str,
    footnote: str,
    min_cell: int,
    *,
    unit: str = "signals",
    period: str = "year",
    hover_suffix: str = "",
) -> dict:
    """Stacked bars per year or month (one trace per trafficking type); the others than `selected`
    dimmed (a (first, last) range of years, or a tuple of months).

    A hidden segment cannot be stacked without revealing its size, so it is left out of the bar
    and a grey marker above the year lists what is hidden.
    """
    value_column = "rate" if measure == "rate" else "count"
    frame = columns.of(frame)
    periods = list(frame[period])
    types = list(frame["trafficking_type"]) if "trafficking_type" in frame else [None] * len(periods)
    cells = dict(zip(zip(periods, types), zip(frame[value_column], frame["suppressed"], columns.flags(frame, "at_least"))))
    years = list(dict.fromkeys(periods))  # the aggregate's order: years, or months 1-12 (unknown last)
    x = [period_label(y, period) for y in years]
    if period == "year":
        in_range = [not selected or selected[0] <= y <= selected[1] for y in years]
    else:
        in_range = [not selected or y in selected for y in years]
    opacity = [1.0 if keep else theme.DIMMED_OPACITY for keep in in_range]
    unit_words = text.measure_phrase(measure, unit).lower()
    customdata = [[period, _plain(y, period)] for y in years]
    split_values = list(dict.fromkeys(types)) if "trafficking_type" in frame else [None]
    traces = []
    for value in split_values:
        # A period without this type's cell reads as missing: no bar.
        found = [cells.get((y, value), _MISSING) for y in years]
        # A missing rate (no population, e.g. a territory) is not a zero: no bar.
        values = [None if s or pd.isna(v) else float(v) for v, s, _ in found]
        at_least = [b for _, _, b in found]
        name = value_label(value) if value is not None else text.measure_phrase(measure, unit)
        traces.append(
            {
                "type": "bar",
                "name": name,
                "x": x,
                "y": values,
                "customdata": [list(pair) for pair in customdata],
                "hovertext": [
                    f"{label}{hover_suffix} · {name}: {text.format_measure(v, measure, b)} {unit_words}"
                    if v is not None
                    else None
                    for label, v, b in zip(x, values, at_least)
                ],
                "hoverinfo": "text",
                "marker": {"color": theme.TYPE_COLORS.get(value, theme.SELECTED), "opacity": opacity},
            }
        )
    marks = _hidden_marks(frame, years, value_column, min_cell, period)
    if marks:
        traces.append(marks)
    layout = theme.base_layout(title, footnote, height=440, width=theme.WIDE, left=AXIS_WIDTH)
    layout.update(
        {
            "barmode": "stack",
            "xaxis": {"type": "category", **({"title": {"text": "Month", "standoff": 4}} if period == "month" else {})},
            "yaxis": {
                "title": {"text": text.measure_phrase(measure, unit)},
                "rangemode": "tozero",
                "gridcolor": "#e9ecef",
                "automargin": False,
            },
            "legend": {
                "orientation": "h",
                "yref": "container",
                "y": 1 - (theme.title_height(layout["title"]["text"]) - 6) / layout["height"],
                "yanchor": "top",
                "x": 0,
                "traceorder": "normal",
            },
        }
    )
    layout["margin"]["t"] += 44  # room for the legend under the title
    return {"data": traces, "layout": layout}


def _plain(value, period: str = "year"):
    """A period value for a click: the year as a number, a month by name ("March", as a number it
    would look like a small count to anyone reading the chart's data), or the text "unknown"."""
    if period == "month" and isinstance(value, (int, np.integer)) and 1 <= value <= 12:
        return MONTH_NAMES[int(value) - 1]
    return int(value) if isinstance(value, (int, np.integer)) else str(value)


_MISSING = (None, True, False)  # (value, suppressed, at least) of a cell the aggregate does not hold


def _hidden_marks(frame: columns.Columns, years: list, value_column: str, min_cell: int, period: str = "year"):
    suppressed = frame["suppressed"]
    if not any(suppressed):
        return None
    periods = frame[period]
    types = frame["trafficking_type"] if "trafficking_type" in frame else [None] * len(periods)
    # Where each period's stack of shown segments ends: the grey marker sits on top of it.
    shown: dict = {}
    for year, v, s in zip(periods, frame[value_column], suppressed):
        if not s and not pd.isna(v):
            shown.setdefault(year, []).append(v)
    # The hidden segments by period, in the aggregate's order.
    hidden: dict = {}
    for year, value, reason, s in zip(periods, types, frame["suppression"], suppressed):
        if s:
            hidden.setdefault(year, []).append(f"{value_label(value)}: {text.suppressed_label(reason, min_cell)}")
    rows = [(year, math.fsum(shown.get(year, ())), "<br>".join(parts)) for year, parts in hidden.items()]
    return {
        "type": "scatter",
        "mode": "markers",
        "name": f"fewer than {min_cell} or hidden",
        "x": [period_label(y, period) for y, _, _ in rows],
        "y": [top for _, top, _ in rows],
        "marker": {"symbol": "diamond-open", "size": 9, "color": theme.MUTED_TEXT},
        "hovertext": [f"{period_label(y, period)}<br>{detail}" for y, _, detail in rows],
        "hoverinfo": "text",
        "customdata": [[period, _plain(y, period)] for y, _, _ in rows],
        "cliponaxis": False,
    }
