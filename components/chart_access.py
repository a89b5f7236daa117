"""Every chart's numbers in other forms: a text summary, a table shown on request, CSV and Excel files.

All of them are drawn from the one view store, through the chart tables in chart_tables.py, so
they say what the charts say for the view on screen. The layout parts are in chart_tools.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from dash import Input, Output, State, ctx, dcc, html, no_update

from components import breakdowns, chart_tables, chart_tools, downloads, markup, panel
from components.chart_tables import ChartTable
from components.view import STORE_ID, view_from_store
from hotline.dataset import Dataset
from hotline.viewstate import Choices, ViewState

TABLE_KEY = "table"  # the numbers table under the charts: files only, it is a table already
UNAVAILABLE = "The numbers of this chart could not be listed for this selection."

log = logging.getLogger(__name__)

# Runs in the browser: the table opens and closes at once, without a round trip to the server. A closed
# table is emptied here, so the view callback never has to send it (see `unchanged_closed_tables`).
TOGGLE_JS = (
    "function(clicks) {"
    " const open = (clicks || 0) % 2 === 1;"
    f' return [!open, open ? "true" : "false", open ? "{chart_tools.HIDE_TABLE}" : "{chart_tools.SHOW_TABLE}",'
    " open ? window.dash_clientside.no_update : null];"
    " }"
)


def charts(dataset: Dataset) -> dict[str, tuple[str, Callable[[ViewState], ChartTable]]]:
    """Chart key -> (what kind of chart it is, in words; its table for a view)."""
    found = {
        "map": ("Map", partial(chart_tables.map_table, dataset)),
        "trend": ("Stacked bar chart", partial(chart_tables.trend_table, dataset)),
    }
    for dimension in breakdowns.present(dataset):
        key = chart_tools.key_of(breakdowns.graph_id(dimension))
        found[key] = ("Bar chart", partial(chart_tables.breakdown_table, dataset, dimension=dimension))
    return found


def table_tools(dataset: Dataset) -> html.Div:
    """CSV and Excel buttons for the numbers table under the charts."""
    label = f"Table of {dataset.source.unit} by {dataset.areas.label.lower()}"
    return chart_tools.toolbar(TABLE_KEY, label, table_toggle=False)


def outputs(dataset: Dataset) -> dict:
    """Every chart's summary and table; components/panels.py renders them with the charts, in one callback."""
    drawn = charts(dataset)
    return {
        "tables": {key: Output(chart_tools.table_view_id(key), "children") for key in drawn},
        "summaries": {key: Output(chart_tools.summary_id(key), "children") for key in drawn},
    }


def inputs(dataset: Dataset) -> dict:
    """Whether each chart's table is hidden: opening one redraws with its table filled in."""
    return {key: Input(chart_tools.table_view_id(key), "hidden") for key in charts(dataset)}


def opened(hidden: object) -> frozenset[str]:
    """The charts whose table is open, from the `inputs` values (anything but False counts as closed)."""
    if not isinstance(hidden, dict):
        return frozenset()
    return frozenset(key for key, is_hidden in hidden.items() if is_hidden is False)


def unchanged_closed_tables(answer: dict, shown: frozenset[str]) -> dict:
    """`answer` (this module's part of a drawing) with the closed tables left as they are on the page.

    A closed table is empty there already (TOGGLE_JS empties it): not writing it spares the browser
    a pass over every component per table (see components/markup.py).
    """
    tables = {key: value if key in shown else no_update for key, value in answer["tables"].items()}
    return {**answer, "tables": tables}


def respond(dataset: Dataset, view: ViewState, shown: frozenset[str]) -> dict:
    return tables_and_summaries(charts(dataset), view, set(shown))


def register(app, dataset: Dataset, choices: Choices) -> None:
    """The table toggles (in the browser) and the CSV and Excel downloads."""
    drawn = charts(dataset)
    for key in drawn:
        app.clientside_callback(
            TOGGLE_JS,
            Output(chart_tools.table_view_id(key), "hidden"),
            Output(chart_tools.toggle_id(key), "aria-expanded"),
            Output(chart_tools.toggle_text_id(key), "children"),
            Output(chart_tools.table_view_id(key), "children", allow_duplicate=True),
            Input(chart_tools.toggle_id(key), "n_clicks"),
            prevent_initial_call=True,
        )
    for key in [*drawn, TABLE_KEY]:
        _register_download(app, dataset, choices, key)


def _table_of(dataset: Dataset, key: str) -> Callable[[ViewState], ChartTable]:
    if key == TABLE_KEY:
        return partial(chart_tables.state_table, dataset)
    return charts(dataset)[key][1]


def tables_and_summaries(drawn: dict, view: ViewState, shown: set[str]) -> dict:
    """Every chart's screen-reader summary for one view, and the tables of the charts in `shown`.

    A closed table is left empty: building all of them on every change would cost every user time
    for a view few open. Opening one asks for it (its `hidden` property is an input).
    """
    tables, summaries = {}, {}
    for key, (kind, table_of) in drawn.items():
        try:
            chart = table_of(view)
            tables[key] = html_table(chart) if key in shown else None
            summaries[key] = chart_tables.describe(chart, kind)
        except Exception:  # one chart's failure must not empty the others
            log.exception("could not list the numbers of chart %s", key)
            panel.note_failure()
            tables[key], summaries[key] = html.P(UNAVAILABLE), UNAVAILABLE
    return {"tables": tables, "summaries": summaries}


def _register_download(app, dataset: Dataset, choices: Choices, key: str) -> None:
    @app.callback(
        Output(chart_tools.download_id(key), "data"),
        Output(chart_tools.download_status_id(key), "children"),
        Input(chart_tools.csv_id(key), "n_clicks"),
        Input(chart_tools.excel_id(key), "n_clicks"),
        State(STORE_ID, "data"),
        prevent_initial_call=True,
    )
    def download(_csv_clicks, _excel_clicks, store):
        as_excel = ctx.triggered_id == chart_tools.excel_id(key)
        try:
            table_of = _table_of(dataset.current(), key)  # one version of the data for the whole file
            return file_of(table_of(view_from_store(store, choices)), as_excel), ""
        except Exception:
            log.exception("could not build the %s file of chart %s", "Excel" if as_excel else "CSV", key)
            return no_update, "The file could not be made. Try again or choose another view."


def file_of(chart: ChartTable, as_excel: bool) -> dict:
    """What dcc.Download needs for a chart's CSV or Excel file."""
    parts = (chart.title, chart.columns, chart.rows, chart.footnote)
    if as_excel:
        content, extension, media_type = downloads.xlsx_bytes(*parts), "xlsx", downloads.XLSX_MEDIA_TYPE
    else:
        content, extension, media_type = downloads.csv_bytes(*parts), "csv", downloads.CSV_MEDIA_TYPE
    return dcc.send_bytes(content, downloads.file_name(chart.title, extension), type=media_type)


def html_table(chart: ChartTable) -> dict:
    """The chart's numbers as an accessible table: the chart title as caption, header cells with scope.

    One component (components/markup.py), however many cells.
    """
    tag = markup.tag
    return markup.block(
        tag(
            "div",
            tag(
                "table",
                tag("caption", chart.title),
                tag("thead", tag("tr", *(tag("th", column, scope="col") for column in chart.columns))),
                tag(
                    "tbody",
                    *(
                        tag(
                            "tr",
                            tag("th", str(row[0]), scope="row"),
                            *(
                                tag(
                                    "td",
                                    chart_tables.display(cell),
                                    className="num" if downloads.is_number(cell) else "words",
                                )
                                for cell in row[1:]
                            ),
                        )
                        for row in chart.rows
                    ),
                ),
                className="table table-sm table-striped chart-numbers",
            ),
            tag("p", chart.footnote, className="chart-table-note"),
        )
    )
