"""Words on the page: sentence titles, footnotes and number formats, all pure functions.

A title states what is measured and every active filter, so a screenshot stands on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from hotline import geography
from hotline.dataset import Dataset
from hotline.filters import Filters
from hotline.schema import LABELS, value_label

FILTER_ORDER = ("trafficking_type", "gender", "age_group", "citizenship", "method", "caller", "state", "year")


def measure_phrase(measure: str) -> str:
    return "Signals per 100,000 people per year" if measure == "rate" else "Signals"


def chart_title(measure: str, by: str | tuple[str, ...] | None, filters: Filters, span: tuple[int, int]) -> str:
    """E.g. "Signals by trafficking type, Texas, 2015-2019"; `by` may name several dimensions."""
    head = measure_phrase(measure)
    if by:
        head += " by " + " and ".join(LABELS[d].lower() for d in ((by,) if isinstance(by, str) else by))
    scope = scope_phrase(filters, span)
    return f"{head}, {scope}"


def scope_phrase(filters: Filters, span: tuple[int, int]) -> str:
    """The active filters in words, geography and years last: "labor, female, Texas, 2015-2019"."""
    parts = []
    for dimension in FILTER_ORDER[:-2]:
        values = filters.selection(dimension)
        if values:
            words = [value_label(v).lower() for v in values]
            suffix = " trafficking" if dimension == "trafficking_type" else ""
            parts.append(_join(words) + suffix)
    parts.append(place_phrase(filters))
    first, last = filters.years or span
    parts.append(str(first) if first == last else f"{first}–{last}")
    return ", ".join(parts)


def place_phrase(filters: Filters) -> str:
    states = filters.geography()
    if not states:
        return "United States"
    if filters.regions and not filters.states:
        return _join(f"{r} region" if r != geography.TERRITORIES_LABEL else r for r in filters.regions)
    if len(states) > 4:
        return f"{len(states)} states"
    return _join(geography.STATE_NAMES.get(s, s) for s in states)


def footnote(dataset: Dataset) -> str:
    """Source, privacy rule and the prevalence caveat, under every chart."""
    rule = (
        f"Counts below {dataset.min_cell} are hidden."
        if dataset.min_cell > 1
        else "Small counts are NOT hidden (internal use)."
    )
    return f"Source: {dataset.source.label}. {rule}<br>Signals show who contacts the hotline, not how common trafficking is."


def suppressed_label(reason: str | None, min_cell: int) -> str:
    if reason == "fewer_than_min":
        return f"fewer than {min_cell}"
    return "hidden to protect a small count"


def suppressed_short(reason: str | None, min_cell: int) -> str:
    return f"<{min_cell}" if reason == "fewer_than_min" else "hidden"


def format_count(value: float) -> str:
    return f"{int(value):,}"


def format_rate(value: float) -> str:
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def format_measure(value: float, measure: str) -> str:
    return format_rate(value) if measure == "rate" else format_count(value)


def _join(words: Iterable[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
