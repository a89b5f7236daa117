"""Each chart's numbers as a small table, exactly as the chart shows them, and a sentence that sums it up.

Every function here calls `Dataset.aggregate` with the very arguments its chart's `render` uses, so
the table, the files built from it and the chart read one (cached) result and cannot disagree.
Suppressed cells hold the words the page shows, never a number; rates are rounded as displayed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from components import breakdowns, columns, table, text, trend
from hotline.dataset import Dataset
from hotline.schema import LABELS, UNKNOWN_AREA, value_label
from hotline.viewstate import MONTH_NAMES, ViewState

Cell = str | int | float
NOT_AVAILABLE = "not available"  # a rate without a population (a territory): no bar, no colour
LIST_ALL_UP_TO = 12  # longer tables are summed up by their extremes


@dataclass(frozen=True)
class ChartTable:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    footnote: str


def footnote(dataset: Dataset) -> str:
    """The chart footnote on one line (source, suppression rule, caveat; "Synthetic demo data" for the demo)."""
    return text.footnote(dataset).replace("<br>", " ")


def shown_value(value: object, measure: str, reason: object, min_cell: int, at_least: object = False) -> Cell:
    """A cell as the page shows it: the count, the rate at its displayed precision, or the words.

    A count that includes counts suppressed at the source is a lower bound and reads "at least 1,234",
    as on the chart, so it stays text: as a bare number it would claim to be exact.
    """
    if isinstance(reason, str):
        return text.suppressed_label(reason, min_cell)
    if value is None or pd.isna(value):
        return NOT_AVAILABLE
    if not pd.isna(at_least) and bool(at_least):
        return text.format_measure(float(value), measure, True)
    if measure == "rate":
        return float(text.format_rate(float(value)).replace(",", ""))
    return int(value)


def _title(dataset: Dataset, measure: str, by, scope) -> str:
    return text.chart_title(measure, by, scope, dataset.years, areas=dataset.areas, unit=dataset.source.unit)


def _measure_column(dataset: Dataset, measure: str) -> str:
    return text.measure_phrase(measure, dataset.source.unit)


# --- one function per chart -------------------------------------------------------------------------
def map_table(dataset: Dataset, view: ViewState) -> ChartTable:
    """Each area of the map, by name, with its colour's value (as areamap.render: the area filter left open)."""
    filters, areas = view.filters, dataset.areas
    area = areas.dimension
    title = _title(dataset, view.measure, area, filters.without(area))
    header = [areas.label, _measure_column(dataset, view.measure)]
    if area not in dataset.dimensions:  # no geography: the map says it cannot be drawn
        return ChartTable(title, header, [], footnote(dataset))
    found = dataset.columns([area], filters, measure="rate", open_dimension=area)
    found = columns.where(found, [code != UNKNOWN_AREA for code in found[area]])
    value_column = "rate" if view.measure == "rate" else "count"
    rows = [
        [areas.name(code), shown_value(value, view.measure, reason, dataset.min_cell, bound)]
        for code, value, reason, bound in zip(
            found[area], found[value_column], found["suppression"], columns.flags(found, "at_least")
        )
    ]
    rows.sort(key=lambda row: row[0])
    return ChartTable(title, header, rows, footnote(dataset))


def trend_table(dataset: Dataset, view: ViewState) -> ChartTable:
    """One row per year (or month, for a one-year view), one column per trafficking type (the stacked segments)."""
    period, by, found = trend.query(dataset, view)  # the very aggregate trend.render draws
    split = by[1] if len(by) > 1 else None
    title = _title(dataset, view.measure, tuple(by), trend.scope_of(view, period))
    value_column = "rate" if view.measure == "rate" else "count"
    min_cell = dataset.min_cell
    years = list(dict.fromkeys(found[period]))
    series = list(dict.fromkeys(found[split])) if split else [None]
    cells = {
        (year, value if split else None): shown_value(v, view.measure, r, min_cell, bound)
        for year, value, v, r, bound in zip(
            found[period],
            found[split] if split else [None] * columns.length(found),
            found[value_column],
            found["suppression"],
            columns.flags(found, "at_least"),
        )
    }
    names = [value_label(v) for v in series] if split else [_measure_column(dataset, view.measure)]
    if period == "month":
        rows = [[_month_name(month)] + [cells[(month, value)] for value in series] for month in years]
    else:
        rows = [[int(year)] + [cells[(year, value)] for value in series] for year in years]
    return ChartTable(title, [LABELS[period], *names], rows, footnote(dataset))


def _month_name(month) -> str:
    return MONTH_NAMES[int(month) - 1] if not isinstance(month, str) else value_label(month)


def breakdown_table(dataset: Dataset, view: ViewState, dimension: str) -> ChartTable:
    """One row per value, in the chart's order (as breakdowns.render: its own filter left open)."""
    found = breakdowns.query(dataset, view, dimension)  # as breakdowns.render, in its order
    title = _title(dataset, view.measure, dimension, view.filters.without(dimension))
    value_column = "rate" if view.measure == "rate" else "count"
    rows = [
        [value_label(value), shown_value(v, view.measure, reason, dataset.min_cell, bound)]
        for value, v, reason, bound in zip(
            found[dimension], found[value_column], found["suppression"], columns.flags(found, "at_least")
        )
    ]
    return ChartTable(title, [LABELS[dimension], _measure_column(dataset, view.measure)], rows, footnote(dataset))


def state_table(dataset: Dataset, view: ViewState) -> ChartTable:
    """The numbers table under the charts, from `table.rows`, its formatted numbers turned back into numbers."""
    header, body = table.rows(dataset, view)
    area = dataset.areas.dimension
    title = "Table: " + _title(dataset, "count", area, view.filters.without(area))
    rows = [[_as_number(cell) for cell in row] for row in body]
    return ChartTable(title, list(header), rows, footnote(dataset))


def chart_tables(dataset: Dataset, view: ViewState) -> dict[str, ChartTable]:
    """Every chart's table, keyed like the charts' ids without "-graph" ("map", "trend", "gender"...)."""
    tables = {"map": map_table(dataset, view), "trend": trend_table(dataset, view)}
    for dimension in breakdowns.present(dataset):
        tables[breakdowns.graph_id(dimension).removesuffix("-graph")] = breakdown_table(dataset, view, dimension)
    tables["table"] = state_table(dataset, view)
    return tables


# --- in words --------------------------------------------------------------------------------------------
def describe(chart: ChartTable, kind: str) -> str:
    """A text alternative for a chart: what it is, its title, then its numbers or their extremes.

    E.g. "Bar chart. Signals by gender, 2012–2023: Female 320,000; Male 120,000; Gender minority
    fewer than 10; Unknown 9,000. Highest: Female."
    """
    head = f"{kind}. {chart.title}"
    if not chart.rows:
        return f"{head}: no data for this selection."
    if len(chart.columns) == 2:
        return head + _describe_list(chart.rows) + "."
    return head + ". " + " ".join(_describe_series(chart, i) for i in range(1, len(chart.columns)))


def _describe_list(rows: list[list[Cell]]) -> str:
    numbers = [(row[0], row[1]) for row in rows if _is_number(row[1])]
    ranked = sorted(numbers, key=lambda item: -item[1])
    if len(rows) <= LIST_ALL_UP_TO:
        listed = "; ".join(f"{label} {display(value)}" for label, value in rows)
        top = f". Highest: {ranked[0][0]}" if ranked and ranked[0][1] > 0 else ""
        return f": {listed}{top}"
    parts = []
    if ranked:
        parts.append("highest: " + "; ".join(f"{label} {display(value)}" for label, value in ranked[:3]))
        parts.append(f"lowest: {ranked[-1][0]} {display(ranked[-1][1])}")
    words: dict[str, list[str]] = {}
    for label, value in rows:
        if not _is_number(value):
            words.setdefault(str(value), []).append(str(label))
    parts += [f"{word}: {', '.join(labels)}" for word, labels in words.items()]
    return ". " + ". ".join(p[:1].upper() + p[1:] for p in parts)


def _describe_series(chart: ChartTable, column: int) -> str:
    """One column of a table by year: first and last year, the highest, and the years it is not shown."""
    name = chart.columns[column]
    cells = [(row[0], row[column]) for row in chart.rows]
    numbers = [(year, value) for year, value in cells if _is_number(value)]
    if not numbers:
        return f"{name}: {' or '.join(dict.fromkeys(str(value) for _, value in cells))} in every year."
    (first_year, first), (last_year, last) = cells[0], cells[-1]
    words = f"{name}: {first_year} {display(first)}"
    if len(cells) > 1:
        words += f", {last_year} {display(last)}"
    peak_year, peak = max(numbers, key=lambda item: item[1])
    if len(cells) > 2 and peak > 0:
        words += f", highest {peak_year} {display(peak)}"
    hidden: dict[str, list[str]] = {}
    for year, value in cells[1:-1]:
        if not _is_number(value):
            hidden.setdefault(str(value), []).append(str(year))
    words += "".join(f"; {word} in {', '.join(years)}" for word, years in hidden.items())
    return words + "."


def display(cell: Cell) -> str:
    """A cell as text on the page: thousands separators for counts, the chart's precision for rates."""
    if isinstance(cell, bool) or not isinstance(cell, (int, float)):
        return str(cell)
    return text.format_rate(cell) if isinstance(cell, float) else text.format_count(cell)


def _is_number(cell: Cell) -> bool:
    return isinstance(cell, (int, float)) and not isinstance(cell, bool)


_FORMATTED_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})*(?:\.\d+)?")


def _as_number(cell: str) -> Cell:
    """ "1,234" -> 1234 and "3.45" -> 3.45 (as `text.format_*` wrote them); any other text stays text."""
    if not isinstance(cell, str) or not _FORMATTED_NUMBER.fullmatch(cell):
        return cell
    plain = cell.replace(",", "")
    return float(plain) if "." in plain else int(plain)
