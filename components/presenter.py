"""The presenter's tools: presentation mode, and the slide deck and report of the current view.

Presentation mode is part of the view state (`present=1&slide=N` in the address), so a link can
open a talk at its third chart. Its buttons change the address and the view callback does the
rest; the keys (arrows, Page Up/Down, Esc) press those same buttons (assets/presenter.js), which
also scales the one chart shown to fill a 16:9 stage.

"Download slides" and "Download report" draw the charts of the current view on the server with
the panels' own render functions, so a file shows what the page shows, hidden cells included.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, ctx, dcc, html, no_update

from components import areamap, breakdowns, panel, rate_limits, slides, text, trend, view
from components.static_images import ExportError
from hotline.dataset import Dataset
from hotline.viewstate import Choices, ViewState

ROOT_ID = "app-root"
PRESENT_ID = "present-toggle"
PREVIOUS_ID = "present-previous"
NEXT_ID = "present-next"
EXIT_ID = "present-exit"
COUNTER_ID = "present-counter"
SLIDES_ID = "download-slides"
REPORT_ID = "download-report"
PROGRESS_ID = "export-progress"
STATUS_ID = "export-status"
DOWNLOAD_ID = "export-download"
SLOT_CLASS = "mb-3 slot"

log = logging.getLogger(__name__)


def slot_id(graph_id: str) -> str:
    return f"slot-{graph_id}"


def slot(graph_id: str, card, **col_options) -> dbc.Col:
    """The grid column of one chart; in presentation mode it becomes the stage when its turn comes."""
    return dbc.Col(card, id=slot_id(graph_id), className=SLOT_CLASS, **col_options)


def chart_renderers(dataset: Dataset) -> list[tuple[str, Callable[[ViewState], dict]]]:
    """Every chart of the page, in page order: its graph id and the panel's own pure render."""
    charts: list[tuple[str, Callable[[ViewState], dict]]] = [
        (areamap.GRAPH_ID, lambda v: areamap.render(dataset, v)),
        (trend.GRAPH_ID, lambda v: trend.render(dataset, v)),
    ]
    for dimension in breakdowns.present(dataset):
        charts.append((breakdowns.graph_id(dimension), lambda v, d=dimension: breakdowns.render(dataset, v, d)))
    return charts


def toolbar() -> html.Div:
    """Header buttons: present, and build the slides or the report of what is on screen."""
    return html.Div(
        [
            _button(
                "Present",
                PRESENT_ID,
                "btn-primary",
                title="Show one chart at a time, full screen (arrow keys to move, Esc to leave)",
            ),
            _button("Download slides", SLIDES_ID, "btn-outline-secondary", title="A PowerPoint deck of these charts"),
            _button("Download report", REPORT_ID, "btn-outline-secondary", title="A PDF of these charts"),
            html.Span(
                [dbc.Spinner(size="sm", spinner_class_name="me-1"), "Drawing the charts: this takes a few seconds…"],
                id=PROGRESS_ID,
                className="export-progress",
                hidden=True,
            ),
            html.Span(id=STATUS_ID, className="export-status", role="status"),
            dcc.Download(id=DOWNLOAD_ID),
        ],
        className="presenter-tools",
    )


def bar() -> html.Nav:
    """The presentation-mode controls at the foot of the screen (hidden otherwise)."""
    return html.Nav(
        [
            _button("← Previous", PREVIOUS_ID, "btn-outline-secondary", **{"aria-label": "Previous chart"}),
            html.Span(id=COUNTER_ID, className="present-counter", **{"aria-live": "polite"}),
            _button("Next →", NEXT_ID, "btn-outline-secondary", **{"aria-label": "Next chart"}),
            _button("Exit presentation (Esc)", EXIT_ID, "btn-link"),
        ],
        className="presenter-bar",
        **{"aria-label": "Presentation"},
    )


def _button(label: str, button_id: str, style: str, **attributes) -> html.Button:
    return html.Button(label, id=button_id, className=f"btn btn-sm {style}", type="button", n_clicks=0, **attributes)


def step(current: ViewState, action: str | None, slide_count: int) -> ViewState:
    """The view after a presentation action: start, previous, next or exit."""
    if action == PRESENT_ID:
        return replace(current, present=not current.present, slide=1)
    if action == EXIT_ID:
        return replace(current, present=False, slide=1)
    if not current.present:
        return current
    shown = min(current.slide, slide_count)
    if action == NEXT_ID:
        return replace(current, slide=min(shown + 1, slide_count))
    if action == PREVIOUS_ID:
        return replace(current, slide=max(shown - 1, 1))
    return current


def summary(dataset: Dataset, current: ViewState) -> str:
    """The view's filters and measure in words, for every slide and report page."""
    scope = text.scope_phrase(current.filters, dataset.years, areas=dataset.areas)
    measure = text.measure_phrase(current.measure, dataset.source.unit).lower()
    return f"Filters: {scope}. Measure: {measure}."


def deck(dataset: Dataset, current: ViewState) -> slides.Deck:
    charts = []
    default_footnote = slides.plain(text.footnote(dataset))
    for _, render in chart_renderers(dataset):
        figure = panel.render_safely(lambda render=render: render(current))
        charts.append(slides.chart_of(figure, default_footnote))
    return slides.Deck(heading=text.APP_TITLE, summary=summary(dataset, current), charts=tuple(charts))


def file_name(dataset: Dataset, current: ViewState, extension: str) -> str:
    scope = text.scope_phrase(current.filters, dataset.years, areas=dataset.areas)
    return f"{slides.slug(f'hotline {dataset.source.unit} {scope}')}.{extension}"


def presentation(dataset: Dataset) -> view.Presentation:
    """The presenter's buttons and stage, for the view callback (components/view.py).

    Moving through a talk changes only the address and the classes of the stage, so it goes through
    the one callback that owns the view: a click on "Next" costs one request and redraws no chart.
    """
    graph_ids = [graph_id for graph_id, _ in chart_renderers(dataset)]
    count = len(graph_ids)
    return view.Presentation(
        buttons=(PRESENT_ID, PREVIOUS_ID, NEXT_ID, EXIT_ID),
        step=lambda current, action: step(current, action, count),
        outputs={
            "root": Output(ROOT_ID, "className"),
            "slots": [Output(slot_id(g), "className") for g in graph_ids],
            "counter": Output(COUNTER_ID, "children"),
        },
        stage=lambda current: stage(current, count),
    )


def stage(current: ViewState, count: int) -> dict:
    """The page root's class (presenting or not), each chart slot's class (the one on stage), the counter."""
    shown = min(current.slide, count) if current.present else 0
    return {
        "root": "presenting" if current.present else "",
        "slots": [f"{SLOT_CLASS} slot-active" if i + 1 == shown else SLOT_CLASS for i in range(count)],
        "counter": f"Chart {shown} of {count}" if current.present else "",
    }


def register(app, dataset: Dataset, choices: Choices) -> None:
    """The export downloads, and the stage's scaling in the browser (`presentation` has the rest)."""
    # Scale the stage to the window and move the focus in or out of the presentation.
    app.clientside_callback(ClientsideFunction("presenter", "modeChanged"), Input(ROOT_ID, "className"))

    @app.callback(
        Output(DOWNLOAD_ID, "data"),
        Output(STATUS_ID, "children"),
        Input(SLIDES_ID, "n_clicks"),
        Input(REPORT_ID, "n_clicks"),
        State(view.STORE_ID, "data"),
        prevent_initial_call=True,
        running=[
            (Output(SLIDES_ID, "disabled"), True, False),
            (Output(REPORT_ID, "disabled"), True, False),
            (Output(PROGRESS_ID, "hidden"), False, True),
        ],
    )
    def download(_slides, _report, store):
        wants_slides = ctx.triggered_id == SLIDES_ID
        what = "slides" if wants_slides else "report"
        current = replace(view.view_from_store(store, choices), present=False, slide=1)
        data = dataset.current()  # one version of the data for the whole file, even if a refresh lands
        try:
            with rate_limits.build_slot():  # a few at a time per process: decks must not starve the page
                built = deck(data, current)
                if wants_slides:
                    content, extension = slides.build_pptx(built), "pptx"
                else:
                    content, extension = slides.build_pdf(built), "pdf"
        except rate_limits.Busy as busy:
            log.warning("refused a %s build: every build slot is taken", what)
            return no_update, str(busy)
        except ExportError as error:
            log.warning("could not build the %s: %s", what, error)
            return no_update, f"The {what} could not be built. {error}"
        except Exception:
            log.exception("could not build the %s", what)
            return no_update, f"The {what} could not be built. Try again, or another selection."
        name = file_name(data, current, extension)
        ready = "The slides are ready" if wants_slides else "The report is ready"
        return dcc.send_bytes(content, name), f"{ready}: {len(built.charts)} charts, {name}."
