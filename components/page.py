"""The whole page: header, filters beside a grid of panels, and the wiring of its callbacks.

One callback carries a user's action: the view callback (components/view.py), with the presenter's
buttons and stage, and every panel drawn for the new view (components/panels.py).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from plotly.io.json import to_json_plotly

from components import (
    about,
    areamap,
    breakdowns,
    chart_access,
    chart_links,
    filters,
    kpis,
    panels,
    presenter,
    table,
    text,
    trend,
    view,
)
from hotline.dataset import Dataset
from hotline.live import LiveDataset, RefreshStatus
from hotline.viewstate import Choices, LiveChoices


def build(
    app, dataset: Dataset | LiveDataset, upload_card=None, cache: panels.ViewCache | None = None
) -> panels.ViewCache:
    """Give `app` its layout and callbacks for `dataset` (`upload_card`: see components.uploads, off by default).

    The layout is a function: every page load is built from the data current then (filter options, year
    range, header totals), so a refresh (hotline/live.py) reaches a page when it is next opened; callbacks
    take `dataset.current()` once per request. `cache`: where the panels' answers are kept (shared by
    every app of the server); returned.
    """
    choices = LiveChoices(dataset)
    app.title = text.APP_TITLE
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # screen readers pick the voice
    topojson = app.get_asset_url("topojson/")
    status = dataset.status if isinstance(dataset, LiveDataset) else lambda: None
    app.layout = _built_once_per_version(
        lambda data, refresh: layout(data, choices.current(), topojson, upload_card, refresh),
        dataset.current,
        status,
    )
    # Dash keeps a "validation layout" when the layout is a function, and writes it into every page it
    # serves (about 6 ms and half the page's bytes per visit) for the renderer to check the callbacks
    # against. Ours builds the whole page, so the renderer checks them against the layout itself.
    app.validation_layout = None
    _serve_layout_json_once_per_version(app)
    _cache_the_favicon(app)
    clickable = [graph_id for graph_id, _ in presenter.chart_renderers(dataset)]
    views = cache if cache is not None else panels.ViewCache()
    view.register(app, choices, clickable, presenter.presentation(dataset), panels.drawing(dataset, choices, views))
    filters.register(app)
    presenter.register(app, dataset, choices)
    chart_access.register(app, dataset, choices)
    chart_links.register(app, dataset, choices, prefix=app.config.routes_pathname_prefix)
    return views


def _built_once_per_version(build, current_data, current_status):
    """The layout function Dash calls on every page load, building the page once per data version.

    The page depends only on the data (filter choices, totals, the header) and on whether the last
    refresh failed, so every visitor of one version gets the same tree (Dash only reads it): a crowd
    opening links costs no layout build per visit.
    """
    latest: list[tuple] = []  # [(data, refresh status, layout)], replaced whole so threads see one or the other

    def current_layout():
        data, refresh = current_data(), current_status()
        if not latest or latest[0][0] is not data or latest[0][1] != refresh:
            latest[:] = [(data, refresh, build(data, refresh))]
        return latest[0][2]

    return current_layout


def _serve_layout_json_once_per_version(app) -> None:
    """Serve /_dash-layout from the JSON of the layout Dash would send, written once per layout built.

    Dash writes the layout out on every page load (about 6 ms for this page); the layout function gives
    the same tree to every visitor of one data version, so its JSON is the same too.
    """
    written: list[tuple] = []  # [(layout, its JSON)], replaced whole so threads see one or the other

    def serve_layout():
        current = app.get_layout()
        if not written or written[0][0] is not current:
            written[:] = [(current, to_json_plotly(current))]  # as Dash writes it
        return app.server.response_class(written[0][1], mimetype="application/json")

    app.server.view_functions[f"{app.config.routes_pathname_prefix}_dash-layout"] = serve_layout


def _cache_the_favicon(app) -> None:
    """Let browsers keep Dash's favicon: served without caching headers, Chromium asked for it again at
    every change of the address, that is at every click, beside the click's own requests. Its address
    names Dash's version (?v=...), so it can be kept as long as Dash's own scripts are."""
    path = f"{app.config.routes_pathname_prefix}_favicon.ico"
    favicon = app.server.view_functions[path]

    def cached_favicon():
        response = favicon()
        response.headers["Cache-Control"] = "public, max-age=31536000"
        return response

    app.server.view_functions[path] = cached_favicon


def layout(
    dataset: Dataset, choices: Choices, topojson_url: str, upload_card=None, refresh: RefreshStatus | None = None
) -> html.Div:
    sidebar = html.Aside(
        [html.H2("Filters", className="panel-title"), filters.layout(dataset, choices)],
        className="sidebar",
    )
    charts = [presenter.slot(trend.GRAPH_ID, trend.layout(), xs=12, xl=6)]
    charts += [
        presenter.slot(breakdowns.graph_id(d), breakdowns.layout(d), xs=12, md=6, xl=4)
        for d in breakdowns.present(dataset)
    ]
    main = html.Main(
        [
            *([upload_card] if upload_card is not None else []),
            view.chips_bar(),
            kpis.layout(),
            dbc.Row(
                [presenter.slot(areamap.GRAPH_ID, areamap.layout(dataset, topojson_url), xs=12, xl=6), *charts[:1]],
                className="g-3",
            ),
            dbc.Row(charts[1:], className="g-3"),
            dbc.Row(dbc.Col([table.layout(), chart_access.table_tools(dataset)], xs=12, className="mb-3")),
            dbc.Row(dbc.Col(about.layout(dataset), xs=12, className="mb-3")),
        ],
        className="main",
        id="main",
    )
    return html.Div(
        [
            *view.layout(),
            html.A("Skip to charts", href="#main", className="skip-link"),
            header(dataset, refresh),
            dbc.Container(dbc.Row([dbc.Col(sidebar, xs=12, lg=3), dbc.Col(main, xs=12, lg=9)]), fluid=True),
            presenter.bar(),
        ],
        id=presenter.ROOT_ID,
    )


def header(dataset: Dataset, refresh: RefreshStatus | None = None) -> html.Header:
    badge = None
    if dataset.source.is_demo:
        badge = dbc.Badge(
            "Synthetic demo data", color="warning", text_color="dark", className="demo-badge", id="demo-badge"
        )
    as_of = text.as_of_phrase(dataset)
    return html.Header(
        dbc.Container(
            [
                html.H1([text.APP_TITLE, " ", badge] if badge else text.APP_TITLE, className="page-title"),
                html.P(
                    [
                        f"Source: {dataset.source.label}. ",
                        f"{_total_phrase(dataset)}, {dataset.years[0]}–{dataset.years[1]}. ",
                        "Signals reflect who knows and contacts the hotline; they are not a measure of how much "
                        "trafficking there is. "
                        if dataset.source.unit == "signals"
                        else "Recorded cases are not a measure of how much trafficking there is. ",
                        f"Counts below {dataset.min_cell} are never shown. "
                        if dataset.min_cell > 1
                        else "Small-count suppression is OFF (internal use). ",
                        html.A("About this data", href=f"#{about.SECTION_ID}"),
                    ],
                    className="page-subtitle",
                    id="source-line",
                ),
                *([html.P(f"{as_of}.", className="page-subtitle", id="data-as-of")] if as_of else []),
                *([refresh_notice(dataset, refresh)] if refresh is not None and refresh.last_try_failed else []),
                presenter.toolbar(),
            ],
            fluid=True,
        ),
        className="page-header",
    )


def refresh_notice(dataset: Dataset, refresh: RefreshStatus) -> html.P:
    """A small line for operators: the last refresh failed (why is in the server's log), older data are shown."""
    tried = text.read_time(refresh.last_try) if refresh.last_try else "the last try"
    return html.P(
        f"The data could not be refreshed at {tried}; these are the data read earlier. See the server log.",
        className="refresh-notice small",
        id="refresh-notice",
        role="status",
    )


def _total_phrase(dataset: Dataset) -> str:
    """ "487,736 signals": the whole dataset's total, under the same rule as every other number."""
    total = dataset.aggregate([]).iloc[0]
    unit = dataset.source.unit
    if total["suppressed"]:
        return f"Fewer than {dataset.min_cell} {unit}"
    words = f"{text.format_count(total['count'], bool(total.get('at_least', False)))} {unit}"
    return words[:1].upper() + words[1:]  # it starts a sentence: "At least 598,683 detected victims"


def warm(cache: panels.ViewCache, dataset: Dataset) -> int:
    """Answer the default view and every presenter slide's link before the first visitor asks."""
    return cache.warm(dataset.current(), panels.start_views(len(presenter.chart_renderers(dataset))))
