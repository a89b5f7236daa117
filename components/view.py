"""The view state's home on the page: the address bar, the filter chips and the one store panels read.

A single callback owns the state. Whatever changed (the address, a control, a click on a chart,
a chip, "clear all", a presenter's button), it computes the new ViewState, then writes it back
everywhere at once: the store (as the canonical query string), the address bar, the controls, the
presentation stage, and every panel drawn for it (components/panels.py, through `Drawing`). Keeping
this in one place is what stops the URL, controls and charts drifting apart, and a user's action
costs one request whatever the number of panels: the page waits for one round trip, not two.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from components import filters as filter_panel
from components import panel, replies
from hotline.areas import SCHEME_OF_FIELD
from hotline.filters import DIMENSION_FIELD
from hotline.schema import value_label
from hotline.viewstate import MONTH_NAMES, Choices, ViewState, month_number, parse_query, to_query

STORE_ID = "view"
URL_ID = "url"
CHIPS_ID = "chips"
NOTICES_ID = "notices"
CLEAR_ID = "clear-filters"
CHIP_TYPE = "filter-chip"

log = logging.getLogger(__name__)


def layout() -> list:
    return [
        dcc.Location(id=URL_ID, refresh="callback-nav"),
        dcc.Store(id=STORE_ID, data=None),
    ]


def chips_bar() -> html.Div:
    return html.Div(
        [
            html.Div(id=CHIPS_ID, className="chips", role="list", **{"aria-label": "Active filters"}),
            dbc.Button("Clear all", id=CLEAR_ID, color="link", size="sm", className="clear-all", disabled=True),
            html.Div(id=NOTICES_ID, role="status"),
        ],
        className="chips-bar",
    )


@dataclass(frozen=True)
class Presentation:
    """What the presenter (components/presenter.py) adds to the view callback.

    `buttons`: ids whose clicks move through a talk; `step(view, button id)`: the view after one;
    `outputs`: the stage's Dash outputs (a dict); `stage(view)`: their values for a view.
    """

    buttons: tuple[str, ...] = ()
    step: Callable[[ViewState, str], ViewState] = lambda current, _action: current
    outputs: dict = field(default_factory=dict)
    stage: Callable[[ViewState], dict] = lambda _current: {}


@dataclass(frozen=True)
class Drawing:
    """What components/panels.py adds to the view callback: every panel, drawn in the same reply.

    `outputs`: the panels' Dash outputs (a dict); `inputs`: inputs that redraw the same view (a chart's
    table shown or hidden), by name; `draw(store value, those inputs' values)`: the outputs' values for
    the view the store names.
    """

    outputs: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    draw: Callable[[object, dict], dict] = lambda _store, _inputs: {}


def drawn_query(view: ViewState, choices: Choices) -> str:
    """What the store holds: the view without the presentation mode and slide, which change no panel."""
    return to_query(replace(view, present=False, slide=1), choices)


def view_from_store(data: object, choices: Choices) -> ViewState:
    """The view a panel should draw. The store holds a query string; anything else means the default."""
    if not isinstance(data, str):
        return ViewState()
    view, _ = parse_query(data, choices)
    return view


def register(
    app,
    choices: Choices,
    clickable_graphs: list[str],
    presentation: Presentation = Presentation(),
    drawing: Drawing = Drawing(),
) -> None:
    live = choices
    fields = filter_panel.present_fields(choices)
    buttons = presentation.buttons
    control_ids = {filter_panel.YEARS_ID, filter_panel.MEASURE_ID, *(filter_panel.control_id(f) for f in fields)}
    redraw_ids = {spec.component_id for spec in _leaves(drawing.inputs)}
    outputs = {
        "store": Output(STORE_ID, "data"),
        "search": Output(URL_ID, "search"),
        "years": Output(filter_panel.YEARS_ID, "value"),
        "controls": {f: Output(filter_panel.control_id(f), "value") for f in fields},
        "measure": Output(filter_panel.MEASURE_ID, "value"),
        "clicks": {g: Output(g, "clickData") for g in clickable_graphs},
        "notices": Output(NOTICES_ID, "children"),
        "chips": Output(CHIPS_ID, "children"),
        "area_options": Output(filter_panel.control_id(filter_panel.area_scheme(choices).field), "options"),
        "clear_disabled": Output(CLEAR_ID, "disabled"),
        "stage": presentation.outputs,
        "panels": drawing.outputs,
    }

    @app.callback(
        output=outputs,
        inputs={
            "search": Input(URL_ID, "search"),
            "years": Input(filter_panel.YEARS_ID, "value"),
            "controls": {f: Input(filter_panel.control_id(f), "value") for f in fields},
            "measure": Input(filter_panel.MEASURE_ID, "value"),
            "clicks": {g: Input(g, "clickData") for g in clickable_graphs},
            "chip_clicks": Input({"type": CHIP_TYPE, "field": ALL, "value": ALL}, "n_clicks"),
            "clear": Input(CLEAR_ID, "n_clicks"),
            "presenter": {b: Input(b, "n_clicks") for b in buttons},
            "redraw": drawing.inputs,
            "current": State(STORE_ID, "data"),
        },
    )
    def sync(search, years, controls, measure, clicks, chip_clicks, clear, presenter, redraw, current):
        # Only a panel whose drawing failed (panel.render_safely) makes a reply not worth keeping.
        with panel.failures() as failed:
            reply = _reply(search, years, controls, measure, clicks, current, redraw)
        if not failed:
            replies.may_keep()  # all of it came from the request and the data served now
        return reply

    def _reply(search, years, controls, measure, clicks, current, redraw) -> dict:
        # The choices of the data served now (a refresh may add a year or a value), once per request.
        choices = live.current()
        span = choices.years
        notices = no_update
        # Keys and clicks made while a request is in flight come in one request (Dash's renderer merges
        # them): the view changes for the first that is not a table shown or hidden.
        fired = list(ctx.triggered_prop_ids.values())
        changes = [c for c in fired if not (isinstance(c, str) and c in redraw_ids)]
        if fired and not changes:  # only a chart's table shown or hidden: the same view, redrawn
            return {**_unchanged(outputs), "panels": drawing.draw(current, redraw)}
        trigger = changes[0] if changes else None
        try:
            if isinstance(trigger, str) and trigger in buttons:
                view, messages = parse_query(search or "", choices)[0], []
                for pressed in _pressed(buttons):
                    view = presentation.step(view, pressed)
            else:
                view, messages = _next_view(trigger, search, years, controls, measure, clicks, current, choices, span)
        except Exception as error:  # a malformed payload must never break the page; a client's mistake, one line
            log.warning("could not apply a view change (%s); keeping the current view", type(error).__name__)
            view, messages = view_from_store(current, choices), ["That change could not be applied."]
            view = _keep_presentation(view, search, choices)
        if trigger is None or trigger == URL_ID or messages:
            notices = _notices(messages)
        query = to_query(view, choices)
        # The charts draw from the store, which leaves out the presentation: starting, moving through
        # and leaving a talk change the address and the stage, and redraw nothing.
        drawn = drawn_query(view, choices)
        presenting = trigger in buttons or (view.present and trigger == URL_ID)
        years_value, control_values, measure_value = filter_panel.controls_from_view(view, span, fields)
        # A change made in the controls is already shown there. Echoing it back would let the reply
        # to an earlier change (a key press on the year slider) undo a later one still in flight.
        from_controls = isinstance(trigger, str) and trigger in control_ids and not messages
        # Only what the page does not show already: Dash's renderer makes a pass over every component
        # of the page for each output it writes. A page load, a new address or a presenter's button
        # writes everything: a step through a talk is rare, and its reply is then never empty (a first
        # slide's "previous" changes nothing), as it always was.
        everything = trigger is None or trigger == URL_ID or trigger in buttons
        before = view_from_store(current, choices)  # the view the page was drawn for

        def unless_shown(new, shown):
            return new if everything or new != shown else no_update

        # The stage the page shows is the one of its address (both are written together).
        stage_before = presentation.stage(parse_query(search if isinstance(search, str) else "", choices)[0])
        stage = {
            name: [unless_shown(n, b) for n, b in zip(value, stage_before[name])]
            if isinstance(value, list)  # a list of outputs (one per chart slot)
            else unless_shown(value, stage_before[name])
            for name, value in presentation.stage(view).items()
        }
        # Only a move between slides leaves the store alone, and draws nothing. Anything else writes it
        # even when it looks unchanged: `current` may predate a reply still in flight (a click, then Back).
        store = no_update if presenting and drawn == current else drawn
        return {
            "store": store,
            "search": query if query != (search or "") else no_update,
            "years": no_update if from_controls else unless_shown(years_value, years),
            "controls": {
                f: no_update if from_controls else unless_shown(control_values[f], controls.get(f)) for f in fields
            },
            "measure": no_update if from_controls else unless_shown(measure_value, measure),
            # A chart's click is cleared so that the same bar can be clicked again; the others are clear.
            "clicks": {g: None if everything or g == trigger else no_update for g in clickable_graphs},
            "notices": notices,
            "chips": _chips(view, span) if everything or drawn != current else no_update,
            "area_options": (
                filter_panel.area_options(choices, list(view.filters.regions))
                if everything or view.filters.regions != before.filters.regions
                else no_update
            ),
            "clear_disabled": unless_shown(nothing_to_clear(view), nothing_to_clear(before)),
            "stage": stage,
            "panels": _unchanged(drawing.outputs) if store is no_update else drawing.draw(drawn, redraw),
        }


def _leaves(spec) -> list:
    """The Dash dependencies (Input, Output...) of a nested dict or list of them."""
    if isinstance(spec, dict):
        return [leaf for value in spec.values() for leaf in _leaves(value)]
    if isinstance(spec, (list, tuple)):
        return [leaf for value in spec for leaf in _leaves(value)]
    return [spec]


def _unchanged(spec):
    """`no_update` for every output of a nested dict or list of outputs, in the same shape."""
    if isinstance(spec, dict):
        return {name: _unchanged(value) for name, value in spec.items()}
    if isinstance(spec, list):
        return [_unchanged(value) for value in spec]
    return no_update


def _pressed(buttons: tuple[str, ...]) -> list[str]:
    """The presenter's buttons pressed, in order. Keys pressed while the request of the one before is in
    flight come in one request (Dash's renderer merges them): an arrow then Esc must still leave."""
    ids = (entry["prop_id"].rsplit(".", 1)[0] for entry in ctx.triggered)
    return [pressed for pressed in ids if pressed in buttons]


def nothing_to_clear(view: ViewState) -> bool:
    """True for the default view, in or out of presentation mode: then "Clear all" is disabled (and hidden)."""
    return replace(view, present=False, slide=1) == ViewState()


def _next_view(trigger, search, years, controls, measure, clicks, current, choices, span):
    """The view after one user action, and notices to show."""
    if trigger is None or trigger == URL_ID:
        return parse_query(search or "", choices)
    view = _after_action(trigger, years, controls, measure, clicks, view_from_store(current, choices), choices, span)
    return _keep_presentation(view, search, choices), []


def _keep_presentation(view: ViewState, search, choices: Choices) -> ViewState:
    """`view` in the presentation mode and on the slide of the address.

    Only the presenter's buttons (components/presenter.py) and a new address change these two, and
    both go through the address; the store leaves the slide out. So a filter, chip or "clear all"
    keeps the talk on the chart it is on.
    """
    shown, _ = parse_query(search if isinstance(search, str) else "", choices)
    return replace(view, present=shown.present, slide=shown.slide)


def _after_action(trigger, years, controls, measure, clicks, current_view: ViewState, choices, span) -> ViewState:
    """The view's filters and measure after a control, chip, "clear all" or chart click."""
    if trigger == CLEAR_ID:
        return ViewState(measure=current_view.measure)
    if isinstance(trigger, dict) and trigger.get("type") == CHIP_TYPE:
        if not _sent_by(trigger):
            return current_view  # chips being drawn, not clicked
        return _remove_chip(current_view, trigger.get("field"), trigger.get("value"))
    if trigger in clicks:
        return _apply_click(current_view, clicks[trigger], choices)
    # Keep only values the dataset has: a forged callback payload cannot put anything else in the view.
    allowed = {
        field: [v for v in (values if isinstance(values, list) else []) if v in choices.values.get(field, ())]
        for field, values in controls.items()
    }
    # Months have no control of their own (a click on the trend or the address sets them): they stay.
    filters = replace(filter_panel.filters_from_controls(years, allowed, span), months=current_view.filters.months)
    chosen_measure = measure if measure in ("count", "rate") else "count"
    return ViewState(filters=filters, measure=chosen_measure)


def _sent_by(trigger) -> object:
    """The value `trigger` sent (a chip's n_clicks). A chart's table shown or hidden may come in the same
    request, listed first."""
    for entry, component in zip(ctx.triggered, ctx.triggered_prop_ids.values()):
        if component == trigger:
            return entry.get("value")
    return ctx.triggered[0].get("value") if ctx.triggered else None


def _apply_click(view: ViewState, click_data, choices: Choices) -> ViewState:
    """Toggle the clicked value. Every chart puts [dimension, value] in each point's customdata."""
    try:
        dimension, value = click_data["points"][0]["customdata"][:2]
    except (TypeError, KeyError, IndexError, ValueError):
        return view
    if dimension == "month":
        # By name ("March"): a month's number in a chart's data would read as a small count.
        month = month_number(value) if isinstance(value, str) and not value.strip().isdigit() else None
        if month is not None and str(month) in choices.values.get("months", ()):
            return view.with_filters(view.filters.toggle("month", month))
        return view
    if dimension == "year":
        # isascii: int() rejects some Unicode digits ("²") and very long digit strings.
        digits = str(value) if isinstance(value, (int, float, str)) else ""
        if digits.isascii() and digits.isdigit() and len(digits) <= 6 and span_has(choices, int(digits)):
            return view.with_filters(view.filters.toggle("year", int(value)))
        return view
    field = DIMENSION_FIELD.get(str(dimension))
    if field is None or value not in choices.values.get(field, ()):
        return view
    return view.with_filters(view.filters.toggle(str(dimension), value))


def span_has(choices: Choices, year: int) -> bool:
    return choices.years[0] <= year <= choices.years[1]


def _remove_chip(view: ViewState, field, value) -> ViewState:
    filters = view.filters
    if field == "years":
        return view.with_filters(replace(filters, years=None))
    if field == "measure":
        return replace(view, measure="count")
    if field == "months":
        return view.with_filters(replace(filters, months=tuple(m for m in filters.months if str(m) != str(value))))
    if field in filter_panel.LIST_FIELDS:
        kept = tuple(v for v in getattr(filters, field) if v != value)
        return view.with_filters(replace(filters, **{field: kept}))
    return view


def _chips(view: ViewState, span: tuple[int, int]) -> list[dict]:
    chips = []
    filters = view.filters
    if filters.years:
        first, last = filters.years
        chips.append(_chip("years", "", "Years", f"{first}–{last}" if first != last else str(first)))
    for name in filter_panel.LIST_FIELDS:
        for value in getattr(filters, name):
            areas = SCHEME_OF_FIELD.get(name)
            label = areas.name(value) if areas else value_label(value)
            chips.append(_chip(name, value, filter_panel.FIELD_LABEL[name], label))
    for month in filters.months:
        chips.append(_chip("months", str(month), "Month", MONTH_NAMES[month - 1]))
    if view.measure == "rate":
        chips.append(_chip("measure", "rate", "Measure", "per 100,000 people"))
    if not chips:
        return [_html("Span", "No filters: showing everything.", className="text-muted small", role="listitem")]
    return chips


def _chip(field: str, value: str, name: str, label: str) -> dict:
    """A button in a list item: a button may not take the listitem role itself (axe: aria-allowed-role)."""
    button = _html(
        "Button",
        [_html("Span", f"{name}: ", className="chip-name"), label, _html("Span", " ×", **{"aria-hidden": "true"})],
        id={"type": CHIP_TYPE, "field": field, "value": value},
        className="chip",
        title=f"Remove filter {name}: {label}",
        **{"aria-label": f"Remove filter {name}: {label}"},
        n_clicks=0,
    )
    return _html("Div", button, role="listitem", className="chip-item")


def _html(tag: str, children, **props) -> dict:
    """An html.* component as Dash sends it (html.Button(...) written out). Plain data: the reply to every
    action is written without a pass over component objects, which cost more than the rest of the reply."""
    return {"type": tag, "namespace": "dash_html_components", "props": {"children": children, **props}}


def _notices(messages: list[str]):
    if not messages:
        return None
    return dbc.Alert(
        [html.Strong("Some parts of the link were ignored: "), html.Ul([html.Li(m) for m in messages])],
        color="warning",
        dismissable=True,
        className="notice",
    )
