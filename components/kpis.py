"""Headline numbers: signals, change on the previous year, share involving minors, share foreign nationals.

Each comes from the same suppressed aggregates as the charts; a number that rests on a hidden
count is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, html

from components import panel, text
from components.view import view_from_store
from hotline.dataset import Dataset
from hotline.viewstate import ViewState

CONTAINER_ID = "kpis"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: str
    detail: str


def layout() -> html.Div:
    return html.Div(id=CONTAINER_ID, className="kpis", **{"aria-live": "polite"})


def register(app, dataset: Dataset, choices) -> None:
    @app.callback(Output(CONTAINER_ID, "children"), Input("view", "data"))
    def update(store):
        fallback = html.P("The headline numbers could not be computed for this selection.")
        return panel.render_safely(lambda: cards(compute(dataset, view_from_store(store, choices))), fallback)


def compute(dataset: Dataset, view: ViewState) -> list[Kpi]:
    filters = view.filters
    min_cell = dataset.min_cell
    total = dataset.aggregate([], filters, measure=view.measure).iloc[0]
    last = (filters.years or dataset.years)[1]
    scope = text.scope_phrase(filters, dataset.years, areas=dataset.areas)
    unit = dataset.source.unit
    kpis = [Kpi("signals", text.measure_phrase(view.measure, unit), _value(total, view.measure, min_cell), scope)]
    kpis.append(_change(dataset, view, last))
    if "age_group" in dataset.dimensions:
        kpis.append(
            _share(dataset, view, "age_group", "minor", "Involving a minor", "of signals (age unknown included)")
        )
    if "citizenship" in dataset.dimensions:
        kpis.append(
            _share(
                dataset,
                view,
                "citizenship",
                "foreign_national",
                "Foreign nationals",
                "of signals (citizenship unknown included)",
            )
        )
    return kpis


def _value(row: pd.Series, measure: str, min_cell: int) -> str:
    if row["suppressed"]:
        return text.suppressed_label(row["suppression"], min_cell)
    value = row["rate"] if measure == "rate" else row["count"]
    at_least = bool(row.get("at_least", False))
    return "not available" if pd.isna(value) else text.format_measure(value, measure, at_least)


def _change(dataset: Dataset, view: ViewState, last: int) -> Kpi:
    label = f"Change {last - 1} to {last}"
    if last - 1 < dataset.years[0]:
        return Kpi("change", label, "—", f"no data for {last - 1}")
    by_year = dataset.aggregate(["year"], view.filters, measure=view.measure, open_dimension="year")
    by_year = by_year.set_index("year")
    column = "rate" if view.measure == "rate" else "count"
    now, before = by_year.loc[last], by_year.loc[last - 1]
    if now.get("at_least", False) or before.get("at_least", False):
        return Kpi("change", label, "not shown", "a year includes counts suppressed at the source")
    if (
        now["suppressed"]
        or before["suppressed"]
        or pd.isna(now[column])
        or pd.isna(before[column])
        or not before[column]
    ):
        return Kpi("change", label, "not shown", "a year's count is too small to compare")
    change = (now[column] - before[column]) / before[column]
    detail = f"{text.format_measure(before[column], view.measure)} → {text.format_measure(now[column], view.measure)}"
    return Kpi("change", label, f"{change:+.1%}", detail)


def _share(dataset: Dataset, view: ViewState, dimension: str, value: str, label: str, detail: str) -> Kpi:
    """Share of one value across the whole chart of its dimension (its own filter left open, like the chart)."""
    frame = dataset.aggregate([dimension], view.filters, open_dimension=dimension).set_index(dimension)
    if value not in frame.index:
        return Kpi(value, label, "—", "not in these data")
    if frame["suppressed"].any():
        return Kpi(value, label, "not shown", "some counts in this breakdown are too small")
    if "at_least" in frame and frame["at_least"].any():
        return Kpi(value, label, "not shown", "some counts were suppressed at the source")
    total = frame["count"].sum()
    share = frame.loc[value, "count"] / total if total else None
    return Kpi(value, label, "—" if share is None else f"{share:.1%}", detail)


def cards(kpis: list[Kpi]) -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(k.label, className="kpi-label"),
                            html.Div(k.value, className="kpi-value", id=f"kpi-{k.key}"),
                            html.Div(k.detail, className="kpi-detail"),
                        ]
                    ),
                    className="kpi-card h-100",
                ),
                xs=6,
                lg=3,
                className="mb-2",
            )
            for k in kpis
        ],
        className="g-2",
    )
