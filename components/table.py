"""The numbers behind the map: signals and rates by state or country, as a table for reading and copying."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Output, html

from components import columns, markup, panel, text
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


def outputs(dataset: Dataset) -> dict:
    """What this panel draws; components/panels.py renders every panel of a view in one callback."""
    return {"title": Output(TITLE_ID, "children"), "body": Output(CONTAINER_ID, "children")}


def respond(dataset: Dataset, view: ViewState) -> dict:
    fallback = ("Numbers", html.P("The table could not be built for this selection."))
    title, body = panel.render_safely(lambda: render(dataset, view), fallback)
    return {"title": title, "body": body}


def rows(dataset: Dataset, view: ViewState) -> tuple[list[str], list[list[str]]]:
    """Header and body as the user sees them: the map's numbers, area by area, suppressed cells as words.

    It is the very aggregate the map draws (the area filter left open), so the table and the map
    cannot disagree, and no second breakdown exists from which a hidden cell could be rebuilt.
    """
    min_cell = dataset.min_cell
    areas = dataset.areas
    column = areas.dimension
    found = dataset.columns([column], view.filters, measure="rate", open_dimension=column)
    selected = set(view.filters.geography())
    # Countries are placed by M49 sub-region ("Western Europe"), states by census region.
    place_label, place_of = (
        ("Region", areas.region_of) if column == "state" else (areas.subregion_label, areas.subregion_of)
    )
    header = [areas.label, place_label, text.measure_phrase("count", dataset.source.unit), "Per 100k people a year"]
    body = []
    values = (*(found[name] for name in (column, "count", "rate", "suppression")), columns.flags(found, "at_least"))
    for code, count, rate, reason, at_least in zip(*values):
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
    # One component for the whole table (components/markup.py): a few hundred cells as html.* components
    # would cost the browser a mount each.
    # The body's rows written out as the elements tag() makes: its checks of a few constant tags and
    # attributes, a few hundred calls a view, cost more than the rest of the table.
    row_header, region, number = {"scope": "row"}, {"className": _column_class(1)}, {"className": "num"}
    table = markup.tag(
        "table",
        markup.tag("caption", text.footnote(dataset).replace("<br>", " ")),
        # The region column folds away on phones so the numbers stay on screen.
        markup.tag(
            "thead",
            markup.tag("tr", *(markup.tag("th", h, scope="col", className=_column_class(i)) for i, h in enumerate(header))),
        ),
        ["tbody", *(["tr", ["th", row_header, r[0]], ["td", region, r[1]], *(["td", number, c] for c in r[2:])] for r in body)],
        className="numbers table table-sm table-striped table-hover",
    )
    return title, markup.block(table)


def _column_class(index: int) -> str | None:
    return "d-none d-sm-table-cell" if index == 1 else None


def _cell(value, reason, measure: str, min_cell: int, at_least: bool = False) -> str:
    if isinstance(reason, str):
        return text.suppressed_label(reason, min_cell)
    return "–" if pd.isna(value) else text.format_measure(value, measure, at_least)
