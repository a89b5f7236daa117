"""Signals by year, stacked by trafficking type. A click on a year selects that year; again clears it."""

from __future__ import annotations

import pandas as pd
from dash import Input, Output

from components import panel, text, theme
from components.view import view_from_store
from hotline.dataset import Dataset
from hotline.schema import value_label
from hotline.viewstate import ViewState

GRAPH_ID = "trend-graph"
AXIS_WIDTH = 72  # pixels for the y axis title and tick labels (fixed so the footnote can align)


def layout():
    return panel.graph_card(GRAPH_ID, "Bar chart of signals by year and trafficking type", height=440)


def register(app, dataset: Dataset, choices) -> None:
    @app.callback(Output(GRAPH_ID, "figure"), Input("view", "data"))
    def update(store):
        return panel.render_safely(lambda: render(dataset.current(), view_from_store(store, choices)))


def render(dataset: Dataset, view: ViewState) -> dict:
    all_years = view.filters.without("year")
    split = "trafficking_type" if "trafficking_type" in dataset.dimensions else None
    by = ["year", split] if split else ["year"]
    frame = dataset.aggregate(by, view.filters, measure=view.measure, open_dimension="year")
    unit = dataset.source.unit
    title = text.chart_title(view.measure, tuple(by), all_years, dataset.years, areas=dataset.areas, unit=unit)
    footnote = text.footnote(dataset)
    return figure(frame, view.filters.years, view.measure, title, footnote, dataset.min_cell, unit=unit)


def figure(
    frame: pd.DataFrame,
    selected_years: tuple[int, int] | None,
    measure: str,
    title: str,
    footnote: str,
    min_cell: int,
    *,
    unit: str = "signals",
) -> dict:
    """Stacked bars per year (one trace per trafficking type); years outside the selection dimmed.

    A hidden segment cannot be stacked without revealing its size, so it is left out of the bar
    and a grey marker above the year lists what is hidden.
    """
    value_column = "rate" if measure == "rate" else "count"
    years = sorted(frame["year"].unique())
    x = [str(y) for y in years]
    in_range = [selected_years is None or selected_years[0] <= y <= selected_years[1] for y in years]
    opacity = [1.0 if keep else theme.DIMMED_OPACITY for keep in in_range]
    unit_words = text.measure_phrase(measure, unit).lower()
    split_values = list(frame["trafficking_type"].unique()) if "trafficking_type" in frame else [None]
    traces = []
    for value in split_values:
        part = frame if value is None else frame[frame["trafficking_type"] == value]
        part = part.set_index("year").reindex(years)
        # A missing rate (no population, e.g. a territory) is not a zero: no bar.
        values = [None if s or pd.isna(v) else float(v) for v, s in zip(part[value_column], part["suppressed"])]
        at_least = part["at_least"].fillna(False) if "at_least" in part else [False] * len(years)
        name = value_label(value) if value is not None else text.measure_phrase(measure, unit)
        traces.append(
            {
                "type": "bar",
                "name": name,
                "x": x,
                "y": values,
                "customdata": [["year", int(y)] for y in years],
                "hovertext": [
                    f"{y} · {name}: {text.format_measure(v, measure, b)} {unit_words}" if v is not None else None
                    for y, v, b in zip(years, values, at_least)
                ],
                "hoverinfo": "text",
                "marker": {"color": theme.TYPE_COLORS.get(value, theme.SELECTED), "opacity": opacity},
            }
        )
    marks = _hidden_marks(frame, years, value_column, min_cell)
    if marks:
        traces.append(marks)
    layout = theme.base_layout(title, footnote, height=440, width=theme.WIDE, left=AXIS_WIDTH)
    layout.update(
        {
            "barmode": "stack",
            "xaxis": {"type": "category"},
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


def _hidden_marks(frame: pd.DataFrame, years: list[int], value_column: str, min_cell: int) -> dict | None:
    hidden = frame[frame["suppressed"]]
    if hidden.empty:
        return None
    shown_tops = frame[~frame["suppressed"]].groupby("year")[value_column].sum().reindex(years, fill_value=0)
    rows = []
    for year, group in hidden.groupby("year"):
        parts = [
            f"{value_label(v)}: {text.suppressed_label(r, min_cell)}"
            for v, r in zip(group.get("trafficking_type", pd.Series([None] * len(group))), group["suppression"])
        ]
        rows.append((year, float(shown_tops[year]), "<br>".join(parts)))
    return {
        "type": "scatter",
        "mode": "markers",
        "name": f"fewer than {min_cell} or hidden",
        "x": [str(y) for y, _, _ in rows],
        "y": [top for _, top, _ in rows],
        "marker": {"symbol": "diamond-open", "size": 9, "color": theme.MUTED_TEXT},
        "hovertext": [f"{y}<br>{detail}" for y, _, detail in rows],
        "hoverinfo": "text",
        "customdata": [["year", int(y)] for y, _, _ in rows],
        "cliponaxis": False,
    }
