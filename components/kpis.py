"""Headline numbers: signals, change on the previous year, signals from victims and survivors (the
hotline's own headline, with its change on the previous year), share involving minors, share
foreign nationals.

Each comes from the same suppressed aggregates as the charts; a number that rests on a hidden
count is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from dash import Output, html

from components import columns, markup, panel, text
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


def outputs(dataset: Dataset) -> dict:
    """What this panel draws; components/panels.py renders every panel of a view in one callback."""
    return {"cards": Output(CONTAINER_ID, "children")}


def respond(dataset: Dataset, view: ViewState) -> dict:
    fallback = html.P("The headline numbers could not be computed for this selection.")
    return {"cards": panel.render_safely(lambda: cards(compute(dataset, view)), fallback)}


def compute(dataset: Dataset, view: ViewState) -> list[Kpi]:
    filters = view.filters
    min_cell = dataset.min_cell
    total = _rows(dataset.columns([], filters, measure=view.measure))[0]
    last = (filters.years or dataset.years)[1]
    scope = text.scope_phrase(filters, dataset.years, areas=dataset.areas)
    unit = dataset.source.unit
    kpis = [Kpi("signals", text.measure_phrase(view.measure, unit), _value(total, view.measure, min_cell), scope)]
    kpis.append(_change(dataset, view, last))
    if "caller" in dataset.dimensions:
        kpis.append(_victims_and_survivors(dataset, view, last))
    if "age_group" in dataset.dimensions:
        kpis.append(
            _share(dataset, view, "age_group", "minor", "Involving a minor", f"of {unit} (age unknown included)")
        )
    if "citizenship" in dataset.dimensions:
        kpis.append(
            _share(
                dataset,
                view,
                "citizenship",
                "foreign_national",
                "Foreign nationals",
                f"of {unit} (citizenship unknown included)",
            )
        )
    return kpis


def _rows(found: columns.Columns) -> list[dict]:
    """The rows of an aggregate's columns (Dataset.columns) as dicts of plain values."""
    return [dict(zip(found, values)) for values in zip(*found.values())]


def _by(found: columns.Columns, column: str) -> dict:
    """The rows as dicts, by their value in `column`."""
    return {row[column]: row for row in _rows(found)}


def _value(row: dict, measure: str, min_cell: int) -> str:
    if row["suppressed"]:
        return text.suppressed_label(row["suppression"], min_cell)
    value = row["rate"] if measure == "rate" else row["count"]
    at_least = bool(row.get("at_least", False))
    return "not available" if pd.isna(value) else text.format_measure(value, measure, at_least)


def _change(dataset: Dataset, view: ViewState, last: int) -> Kpi:
    label = f"Change {last - 1} to {last}"
    if last - 1 < dataset.years[0]:
        return Kpi("change", label, "—", f"no data for {last - 1}")
    # A year hidden by the trend's own counts stays hidden, for that reason, whatever the rest of the page
    # adds: then the change is not shown, known without every other chart's suppression (for the victims'
    # card, a second page's worth).
    alone = dict(zip(dataset.values("year"), dataset.hidden_on_its_own(["year"], view.filters, open_dimension="year")))
    if alone[last] is not None or alone[last - 1] is not None:
        return _not_shown(label, [reason for reason in (alone[last], alone[last - 1]) if reason is not None])
    by_year = _by(dataset.columns(["year"], view.filters, measure=view.measure, open_dimension="year"), "year")
    column = "rate" if view.measure == "rate" else "count"
    now, before = by_year[last], by_year[last - 1]
    if (
        now["suppressed"]
        or before["suppressed"]
        or pd.isna(now[column])
        or pd.isna(before[column])
        or not before[column]
    ):
        return _not_shown(label, [row["suppression"] for row in (now, before) if row["suppressed"]])
    (now_low, now_high), (before_low, before_high) = _bounds(now, column), _bounds(before, column)
    value = _percent_range(now_low / before_high - 1, now_high / before_low - 1, signed=True)
    words = [text.format_measure(row[column], view.measure, bool(row.get("at_least", False))) for row in (before, now)]
    detail = f"{words[0]} → {words[1]}"
    if now.get("at_least", False) or before.get("at_least", False):
        detail += " (some source counts were “<5”)"
    return Kpi("change", label, value, detail)


def _not_shown(label: str, reasons: list[str]) -> Kpi:
    """The change when a year's count is hidden (`reasons`: the hidden ones' suppression) or zero."""
    if reasons and all(reason == "protects_small_count" for reason in reasons):
        return Kpi("change", label, "not shown", "a year's count is hidden to protect a small count")
    return Kpi("change", label, "not shown", "a year's count is too small to compare")


def _victims_and_survivors(dataset: Dataset, view: ViewState, last: int) -> Kpi:
    """Signals from victims and survivors: the caller chart's bar (its own filter left open, as there),
    and their change from the year before the last to the last, as the trend of those signals shows it."""
    label = "From victims and survivors"
    callers = _by(dataset.columns(["caller"], view.filters, open_dimension="caller"), "caller")
    if "victim_survivor" not in callers:
        return Kpi("victims", label, "—", "no signals from victims or survivors in these data")
    value = _value(callers["victim_survivor"], "count", dataset.min_cell)
    theirs = replace(view, measure="count", filters=replace(view.filters, callers=("victim_survivor",)))
    change = _change(dataset, theirs, last)
    if change.value in ("—", "not shown"):
        detail = f"change {last - 1} to {last} not shown: {change.detail}"
    else:
        detail = f"{change.value} from {last - 1} to {last} ({change.detail})"
    return Kpi("victims", label, value, detail)


def _share(dataset: Dataset, view: ViewState, dimension: str, value: str, label: str, detail: str) -> Kpi:
    """Share of one value across the whole chart of its dimension (its own filter left open, like the chart)."""
    rows = _by(dataset.columns([dimension], view.filters, open_dimension=dimension), dimension)
    if value not in rows:
        return Kpi(value, label, "—", "not in these data")
    if any(row["suppressed"] for row in rows.values()):
        return Kpi(value, label, "not shown", "some counts in this breakdown are too small")
    high_column = "count_max" if "count_max" in rows[value] else "count"
    chosen_low, chosen_high = rows[value]["count"], rows[value][high_column]
    others_low = sum(row["count"] for row in rows.values()) - chosen_low
    others_high = sum(row[high_column] for row in rows.values()) - chosen_high
    if not chosen_high + others_high:
        return Kpi(value, label, "—", detail)
    # With counts published as "<5", the share lies between these two; both are shown if they differ.
    smallest = chosen_low / (chosen_low + others_high) if chosen_low + others_high else 0.0
    largest = chosen_high / (chosen_high + others_low)
    return Kpi(value, label, _percent_range(smallest, largest), detail)


def _bounds(row: dict, column: str) -> tuple[float, float]:
    """The least and most a shown value can be (they differ only where source counts were "<5")."""
    value = float(row[column])
    if not row.get("at_least", False):
        return value, value
    return value, value * float(row["count_max"]) / float(row["count"])


def _percent_range(low: float, high: float, signed: bool = False) -> str:
    pattern = "{:+.1%}" if signed else "{:.1%}"
    first, last = pattern.format(low), pattern.format(high)
    return first if first == last else f"{first} to {last}"


def cards(kpis: list[Kpi]) -> dict:
    """The cards in a row, as one component (components/markup.py), with Bootstrap's grid and card classes."""
    tag = markup.tag
    return markup.block(
        tag(
            "div",
            *(
                # One row of equal cards on a wide screen (col-lg), however many the data allow; two on a phone.
                tag(
                    "div",
                    tag(
                        "div",
                        tag(
                            "div",
                            tag("div", k.label, className="kpi-label"),
                            tag("div", k.value, className="kpi-value", id=f"kpi-{k.key}"),
                            tag("div", k.detail, className="kpi-detail"),
                            className="card-body",
                        ),
                        className="kpi-card h-100 card",
                    ),
                    className="mb-2 col-lg col-6",
                )
                for k in kpis
            ),
            className="g-2 row",
        )
    )
