"""Bar charts of one dimension each (type, gender, age, citizenship, method, caller).

A chart is not filtered by its own dimension: it shows every value, the selected ones in full
colour and the rest dimmed, and a click on a bar toggles that value as a filter.
"""

from __future__ import annotations

import pandas as pd
from dash import Output

from components import columns, panel, text, theme
from hotline.dataset import Dataset
from hotline.schema import LABELS, value_label
from hotline.viewstate import ViewState

BREAKDOWN_DIMENSIONS = ("trafficking_type", "gender", "age_group", "citizenship", "method", "caller")
LABEL_WIDTH = 136  # pixels for the longest value label ("Community member")
# Values a chart lists first, in this order: the hotline reports its signals as calls, online tips
# and emails (texts and web chats came later), so the method chart reads like its annual report.
LEADING_VALUES = {"method": ("call", "online_tip", "email")}


def graph_id(dimension: str) -> str:
    return f"{dimension.replace('_', '-')}-graph"


def present(dataset: Dataset) -> list[str]:
    return [d for d in BREAKDOWN_DIMENSIONS if d in dataset.dimensions]


def layout(dimension: str):
    return panel.graph_card(graph_id(dimension), f"Bar chart of signals by {LABELS[dimension].lower()}")


def outputs(dataset: Dataset) -> dict:
    """One figure per chart; components/panels.py renders every panel of a view in one callback."""
    return {dimension: Output(graph_id(dimension), "figure") for dimension in present(dataset)}


def respond(dataset: Dataset, view: ViewState) -> dict:
    return {
        dimension: panel.render_safely(lambda d=dimension: render(dataset, view, d)) for dimension in present(dataset)
    }


def query(dataset: Dataset, view: ViewState, dimension: str) -> columns.Columns:
    """The chart's aggregate (its own filter left open), in the chart's order from the top."""
    found = dataset.columns([dimension], view.filters, measure=view.measure, open_dimension=dimension)
    leading = LEADING_VALUES.get(dimension, ())
    if not leading:
        return found
    rank = {value: i for i, value in enumerate(leading)}
    values = found[dimension]
    return columns.take(found, sorted(range(len(values)), key=lambda i: (rank.get(values[i], len(rank)), i)))


def render(dataset: Dataset, view: ViewState, dimension: str) -> dict:
    own_filter_removed = view.filters.without(dimension)
    frame = query(dataset, view, dimension)
    unit = dataset.source.unit
    title = text.chart_title(view.measure, dimension, own_filter_removed, dataset.years, areas=dataset.areas, unit=unit)
    selected = set(view.filters.selection(dimension))
    return figure(frame, dimension, selected, view.measure, title, text.footnote(dataset), dataset.min_cell, unit=unit)


def figure(
    frame: pd.DataFrame | columns.Columns,
    dimension: str,
    selected: set,
    measure: str,
    title: str,
    footnote: str,
    min_cell: int,
    *,
    unit: str = "signals",
) -> dict:
    """Horizontal bars, one per value of `dimension`, in schema order from the top.

    Suppressed values get no bar: a grey label at the axis says "<10" or "hidden", and the hover
    says why. Shares in the hover are of the chart's total, so they use only numbers on screen.
    """
    value_column = "rate" if measure == "rate" else "count"
    frame = columns.of(frame)
    codes = list(frame[dimension])
    counts = list(frame["count"])
    suppressed = list(frame["suppressed"])
    labels = [value_label(v) for v in codes]
    values = [None if s or pd.isna(v) else float(v) for v, s in zip(frame[value_column], suppressed)]
    chosen = [not selected or v in selected for v in codes]
    unit_words = text.measure_phrase(measure, unit).lower()
    at_least = columns.flags(frame, "at_least")
    # A share of lower bounds would be a guess: shares only when every count is exact and shown.
    total = sum(counts) if not any(suppressed) and not any(at_least) else None
    hover = []
    for label, value, count, bound in zip(labels, values, counts, at_least):
        if value is None:
            hover.append(None)
            continue
        line = f"{label}: {text.format_measure(value, measure, bound)} {unit_words}"
        if measure == "count" and total:
            line += f" ({count / total:.1%} of this chart)"
        hover.append(line)
    bars = {
        "type": "bar",
        "orientation": "h",
        "name": text.measure_phrase(measure, unit),
        "y": labels,
        "x": values,
        "text": [text.bar_label(v, measure, b) if v is not None else "" for v, b in zip(values, at_least)],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertext": hover,
        "hoverinfo": "text",
        "customdata": [[dimension, v] for v in codes],
        "marker": {
            "color": [
                theme.TYPE_COLORS.get(v, theme.SELECTED) if dimension == "trafficking_type" else theme.SELECTED
                for v in codes
            ],
            "opacity": [1.0 if c else theme.DIMMED_OPACITY for c in chosen],
            "line": {"width": [1.5 if selected and c else 0 for c in chosen], "color": theme.TEXT_COLOR},
        },
        "showlegend": False,
    }
    traces = [bars]
    hidden_rows = [i for i, s in enumerate(suppressed) if s]
    if hidden_rows:
        traces.append(_suppressed_marks(frame, codes, dimension, labels, hidden_rows, min_cell))
    layout = theme.base_layout(title, footnote, left=LABEL_WIDTH)
    # The axis names its unit too, so a bar read on its own (a cropped slide) still says what it counts.
    layout["xaxis"] = {
        "title": {"text": text.measure_phrase(measure, unit), "standoff": 6},  # page type: slides scale it
        **_count_ticks(measure, values),
        "nticks": 4,
        "rangemode": "tozero",
        "gridcolor": "#e9ecef",
        "zeroline": True,
        "zerolinecolor": "#adb5bd",
        "automargin": True,
    }
    # A fixed label column (not automargin) so the footnote can start at the figure's left edge.
    layout["yaxis"] = {"autorange": "reversed", "automargin": False, "ticksuffix": " "}
    layout["bargap"] = 0.25
    # Room for the longest label written past its bar's end (about 7 px a character at 12 px type).
    layout["margin"]["r"] = max(48, 7 * max((len(t) for t in bars["text"]), default=0) + 8)
    return {"data": traces, "layout": layout}


def _count_ticks(measure: str, values: list[float | None]) -> dict:
    """Whole-number ticks for counts. Short labels from 1,000 ("1.5k", not "1500") stay level in a
    narrow card instead of turning sideways into the axis title; below 10 the step is 1, not 0.5."""
    if measure != "count":
        return {}
    largest = max((v for v in values if v is not None), default=0)
    if largest >= 1000:
        return {"tickformat": "~s"}
    return {"dtick": 1} if largest < 10 else {}


def _suppressed_marks(
    frame: columns.Columns, codes: list, dimension: str, labels: list[str], rows: list[int], min_cell: int
) -> dict:
    suppression = frame["suppression"]
    reasons = [suppression[i] for i in rows]
    return {
        "type": "scatter",
        "mode": "text",
        "name": f"fewer than {min_cell} or hidden",
        "y": [labels[i] for i in rows],
        "x": [0] * len(rows),
        "text": [text.suppressed_short(r, min_cell) for r in reasons],
        "textposition": "middle right",
        "textfont": {"color": theme.MUTED_TEXT},
        "hovertext": [f"{labels[i]}: {text.suppressed_label(r, min_cell)}" for i, r in zip(rows, reasons)],
        "hoverinfo": "text",
        "customdata": [[dimension, codes[i]] for i in rows],
        "showlegend": False,
    }
