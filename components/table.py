"""The numbers behind the map: signals and rates by state, as a table for reading and copying."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, html

from components import panel, text
from components.view import view_from_store
from hotline import geography
from hotline.dataset import Dataset
from hotline.schema import UNKNOWN_STATE
from hotline.viewstate import ViewState

CONTAINER_ID = "numbers-table"
TITLE_ID = "numbers-table-title"


def layout() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(id=TITLE_ID, className="panel-title"),
                html.Div(id=CONTAINER_ID, className="table-scroll"),
            ]
        ),
        className="chart-card",
    )


def register(app, dataset: Dataset, choices) -> None:
    @app.callback(Output(TITLE_ID, "children"), Output(CONTAINER_ID, "children"), Input("view", "data"))
    def update(store):
        view = view_from_store(store, choices)
        fallback = ("Numbers", html.P("The table could not be built for this selection."))
        return panel.render_safely(lambda: render(dataset, view), fallback)


def rows(dataset: Dataset, view: ViewState) -> tuple[list[str], list[list[str]]]:
    """Header and body as the user sees them: the map's numbers, state by state, suppressed cells as words.

    It is the very aggregate the map draws (the state filter left open), so the table and the map
    cannot disagree, and no second breakdown exists from which a hidden cell could be rebuilt.
    """
    min_cell = dataset.min_cell
    frame = dataset.aggregate(["state"], view.filters, measure="rate", open_dimension="state")
    selected = set(view.filters.geography())
    header = ["State", "Region", "Signals", "Per 100k people a year"]
    body = []
    columns = (frame["state"], frame["count"], frame["rate"], frame["suppression"])
    for state, count, rate, reason in zip(*columns):
        hidden = isinstance(reason, str)
        if not hidden and count == 0:
            continue
        name = "Unknown location" if state == UNKNOWN_STATE else geography.STATE_NAMES.get(state, state)
        if selected and state in selected:
            name += " (selected)"
        region = geography.STATE_REGION.get(state, "–")
        body.append([name, region, _cell(count, reason, "count", min_cell), _cell(rate, reason, "rate", min_cell)])
    return header, sorted(body, key=lambda row: (row[0].startswith("Unknown"), row[0]))


def render(dataset: Dataset, view: ViewState):
    header, body = rows(dataset, view)
    title = "Table: " + text.chart_title("count", "state", view.filters.without("state"), dataset.years)
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


def _cell(value, reason, measure: str, min_cell: int) -> str:
    if isinstance(reason, str):
        return text.suppressed_label(reason, min_cell)
    return "–" if pd.isna(value) else text.format_measure(value, measure)
