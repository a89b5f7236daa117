"""The numbers behind the map: signals and rates by state or country, as a table for reading and copying."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, html

from components import panel, text
from components.view import view_from_store
from hotline.dataset import Dataset
from hotline.viewstate import ViewState

CONTAINER_ID = "numbers-table"
TITLE_ID = "numbers-table-title"


def layout() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(id=TITLE_ID, className="panel-title"),
                # Focusable, so a keyboard user can scroll it (axe: scrollable-region-focusable).
                html.Div(
                    id=CONTAINER_ID,
                    className="table-scroll",
                    tabIndex="0",
                    role="region",
                    **{"aria-labelledby": TITLE_ID},
                ),
            ]
        ),
        className="chart-card",
    )


def register(app, dataset: Dataset, choices) -> None:
    @app.callback(Output(TITLE_ID, "children"), Output(CONTAINER_ID, "children"), Input("view", "data"))
    def update(store):
        view = view_from_store(store, choices)
        fallback = ("Numbers", html.P("The table could not be built for this selection."))
        data = dataset.current()  # once per request: a refresh mid-way must not mix two versions
        return panel.render_safely(lambda: render(data, view), fallback)


def rows(dataset: Dataset, view: ViewState) -> tuple[list[str], list[list[str]]]:
    """Header and body as the user sees them: the map's numbers, area by area, suppressed cells as words.

    It is the very aggregate the map draws (the area filter left open), so the table and the map
    cannot disagree, and no second breakdown exists from which a hidden cell could be rebuilt.
    """
    min_cell = dataset.min_cell
    areas = dataset.areas
    column = areas.dimension
    frame = dataset.aggregate([column], view.filters, measure="rate", open_dimension=column)
    if "at_least" not in frame:
        frame["at_least"] = False
    selected = set(view.filters.geography())
    # Countries are placed by M49 sub-region ("Western Europe"), states by census region.
    place_label, place_of = (
        ("Region", areas.region_of) if column == "state" else (areas.subregion_label, areas.subregion_of)
    )
    header = [areas.label, place_label, text.measure_phrase("count", dataset.source.unit), "Per 100k people a year"]
    body = []
    columns = (frame[column], frame["count"], frame["rate"], frame["suppression"], frame["at_least"])
    for code, count, rate, reason, at_least in zip(*columns):
        hidden = isinstance(reason, str)
        if not hidden and count == 0:
            continue
        name = areas.name(code)
        if selected and code in selected:
            name += " (selected)"
        cells = [_cell(count, reason, "count", min_cell, at_least), _cell(rate, reason, "rate", min_cell, at_least)]
        body.append([name, place_of.get(code, "–"), *cells])
    return header, sorted(body, key=lambda row: (row[0].startswith("Unknown"), row[0]))


def render(dataset: Dataset, view: ViewState):
    header, body = rows(dataset, view)
    areas = dataset.areas
    scope = view.filters.without(areas.dimension)
    title = "Table: " + text.chart_title(
        "count", areas.dimension, scope, dataset.years, areas=areas, unit=dataset.source.unit
    )
    table = dbc.Table(
        [
            html.Caption(text.footnote(dataset).replace("<br>", " ")),
            # The region column folds away on phones so the numbers stay on screen.
            html.Thead(html.Tr([html.Th(h, scope="col", className=_column_class(i)) for i, h in enumerate(header)])),
            html.Tbody(
                [
                    html.Tr(
                        [html.Th(r[0], scope="row"), html.Td(r[1], className=_column_class(1))]
                        + [html.Td(c, className="num") for c in r[2:]]
                    )
                    for r in body
                ]
            ),
        ],
        bordered=False,
        hover=True,
        size="sm",
        striped=True,
        className="numbers",
    )
    return title, table


def _column_class(index: int) -> str | None:
    return "d-none d-sm-table-cell" if index == 1 else None


def _cell(value, reason, measure: str, min_cell: int, at_least: bool = False) -> str:
    if isinstance(reason, str):
        return text.suppressed_label(reason, min_cell)
    return "–" if pd.isna(value) else text.format_measure(value, measure, at_least)
