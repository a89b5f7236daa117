"""The filter panel: one control per filter, and the conversion between controls and Filters."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from hotline.areas import SCHEME_OF_FIELD, SCHEMES, AreaScheme
from hotline.dataset import Dataset
from hotline.filters import DIMENSION_FIELD, Filters
from hotline.schema import LABELS, UNKNOWN_AREA, value_label
from hotline.viewstate import LIST_PARAMETERS, Choices, ViewState

YEARS_ID = "filter-years"
TOGGLE_ID = "filters-toggle"
COLLAPSE_ID = "filters-collapse"
MEASURE_ID = "filter-measure"

# Filters field -> control id, for every list-valued filter the page can show.
LIST_FIELDS = tuple(LIST_PARAMETERS.values())
FIELD_LABEL = {"regions": "Region"} | {field: LABELS[dimension] for dimension, field in DIMENSION_FIELD.items()}


def control_id(field: str) -> str:
    return f"filter-{field}"


def present_fields(choices: Choices) -> list[str]:
    """The filters this dataset supports: a dimension absent from the data has no filter."""
    return [field for field in LIST_FIELDS if choices.values.get(field)]


def layout(dataset: Dataset, choices: Choices) -> html.Div:
    first, last = choices.years
    controls = [
        html.Div(
            [
                dbc.Label("Years", html_for=YEARS_ID, id=f"{YEARS_ID}-label"),
                dcc.RangeSlider(
                    id=YEARS_ID,
                    min=first,
                    max=last,
                    step=1,
                    value=[first, last],
                    marks={y: {"label": str(y)} for y in _year_marks(first, last)},
                    allowCross=False,
                    tooltip={"placement": "bottom", "always_visible": False},
                ),
            ],
            className="filter-block",
        )
    ]
    for field in present_fields(choices):
        controls.append(
            html.Div(
                [
                    dbc.Label(FIELD_LABEL[field], html_for=control_id(field)),
                    dcc.Dropdown(
                        id=control_id(field),
                        options=_options(field, choices.values[field]),
                        value=[],
                        multi=True,
                        placeholder="All",
                        clearable=True,
                    ),
                ],
                className="filter-block",
            )
        )
    controls.append(
        html.Div(
            [
                dbc.Label("Measure", html_for=MEASURE_ID),
                dbc.RadioItems(
                    id=MEASURE_ID,
                    options=[
                        {"label": "Number of signals", "value": "count"},
                        {"label": "Per 100,000 people", "value": "rate"},
                    ],
                    value="count",
                ),
            ],
            className="filter-block",
        )
    )
    # On a phone the filters fold away behind a button so the numbers come first; on wider
    # screens the CSS keeps them open.
    return html.Div(
        [
            html.Button(
                "Show filters",
                id=TOGGLE_ID,
                className="btn btn-outline-secondary btn-sm filters-toggle d-lg-none mb-2",
                **{"aria-controls": COLLAPSE_ID, "aria-expanded": "false"},
            ),
            dbc.Collapse(controls, id=COLLAPSE_ID, is_open=False, className="filters-collapse"),
        ],
        id="filters",
        role="search",
        **{"aria-label": "Filters"},
    )


def register(app) -> None:
    @app.callback(
        Output(COLLAPSE_ID, "is_open"),
        Output(TOGGLE_ID, "children"),
        Output(TOGGLE_ID, "aria-expanded"),
        Input(TOGGLE_ID, "n_clicks"),
        State(COLLAPSE_ID, "is_open"),
        prevent_initial_call=True,
    )
    def toggle(_clicks, is_open):
        opened = not bool(is_open)
        return opened, "Hide filters" if opened else "Show filters", "true" if opened else "false"


def filters_from_controls(years: list | None, values: dict[str, list | None], span: tuple[int, int]) -> Filters:
    """Filters from the controls' values; the full year span means no year filter."""
    chosen_years = None
    if years and len(years) == 2 and tuple(int(y) for y in years) != tuple(span):
        chosen_years = (int(years[0]), int(years[1]))
    return Filters(years=chosen_years, **{field: tuple(v or ()) for field, v in values.items()})


def controls_from_view(view: ViewState, span: tuple[int, int], fields: list[str]) -> tuple[list, dict, str]:
    years = list(view.filters.years or span)
    return years, {field: list(getattr(view.filters, field)) for field in fields}, view.measure


def area_scheme(choices: Choices) -> AreaScheme:
    """The geography whose areas the filter panel offers (the dataset has one of them)."""
    return next((s for s in SCHEMES.values() if s.field in choices.values), SCHEMES["state"])


def area_options(choices: Choices, regions: list[str] | None) -> list[dict]:
    """States or countries to offer: those in the chosen regions, or all."""
    areas = area_scheme(choices)
    codes = choices.values.get(areas.field, ())
    if regions:
        allowed = set(areas.in_regions(regions))
        codes = tuple(c for c in codes if c in allowed)
    return _options(areas.field, codes)


def _options(field: str, values: tuple[str, ...]) -> list[dict]:
    areas = SCHEME_OF_FIELD.get(field)
    if areas is not None:
        # By name, as people look them up ("Alabama" before "Alaska"), unknown last.
        ordered = sorted(values, key=lambda v: (v == UNKNOWN_AREA, areas.name(v)))
        return [{"label": areas.name(v), "value": v} for v in ordered]
    if field == "regions":
        return [{"label": v, "value": v} for v in values]
    return [{"label": value_label(v), "value": v} for v in values]


def _year_marks(first: int, last: int) -> list[int]:
    """The years labelled under the slider: the two ends, and the middle year of a long span.

    The sidebar is as narrow as 150 pixels of slider (a 992-pixel window), where a four-digit label
    takes about 34: three labels never touch there, whatever the span; the handles' tooltips and
    the chips name the years chosen.
    """
    if last - first < 6:
        return sorted({first, last})
    return [first, (first + last) // 2, last]
