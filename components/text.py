"""Words on the page: sentence titles, footnotes and number formats, all pure functions.

A title states what is measured and every active filter, so a screenshot stands on its own.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from hotline.areas import US_STATES, AreaScheme
from hotline.dataset import CENSORED_SMALL, Dataset
from hotline.filters import Filters
from hotline.schema import LABELS, value_label
from hotline.viewstate import MONTH_NAMES

APP_TITLE = "Hotline Signals Dashboard"  # the page's heading, and a slide deck's
FILTER_ORDER = ("trafficking_type", "gender", "age_group", "citizenship", "method", "caller")


def measure_phrase(measure: str, unit: str = "signals") -> str:
    """ "Signals", or "Detected victims per 100,000 people per year" for a source that counts victims."""
    head = unit[:1].upper() + unit[1:]
    return f"{head} per 100,000 people per year" if measure == "rate" else head


def chart_title(
    measure: str,
    by: str | tuple[str, ...] | None,
    filters: Filters,
    span: tuple[int, int],
    *,
    areas: AreaScheme = US_STATES,
    unit: str = "signals",
) -> str:
    """E.g. "Signals by trafficking type, Texas, 2015-2019"; `by` may name several dimensions."""
    head = measure_phrase(measure, unit)
    if by:
        head += " by " + " and ".join(LABELS[d].lower() for d in ((by,) if isinstance(by, str) else by))
    scope = scope_phrase(filters, span, areas=areas)
    return f"{head}, {scope}"


def scope_phrase(filters: Filters, span: tuple[int, int], *, areas: AreaScheme = US_STATES) -> str:
    """The active filters in words, geography and years last: "labor, female, Texas, 2015-2019"."""
    parts = []
    for dimension in FILTER_ORDER:
        values = filters.selection(dimension)
        if values:
            words = [value_label(v).lower() for v in values]
            suffix = " trafficking" if dimension == "trafficking_type" else ""
            parts.append(_join(words) + suffix)
    parts.append(place_phrase(filters, areas))
    first, last = filters.years or span
    years = str(first) if first == last else f"{first}–{last}"
    if filters.months:  # "March and April 2016"
        years = f"{_join(MONTH_NAMES[m - 1] for m in filters.months)} {years}"
    parts.append(years)
    return ", ".join(parts)


def place_phrase(filters: Filters, areas: AreaScheme = US_STATES) -> str:
    chosen = filters.geography()
    if not chosen:
        return "United States" if areas is US_STATES else "all countries"
    if filters.regions and not (filters.states or filters.countries):
        return _join(areas.region_phrase(r) for r in filters.regions)
    if len(chosen) > 4:
        return f"{len(chosen)} {areas.plural}"
    return _join(areas.name(code) for code in chosen)


def footnote(dataset: Dataset) -> str:
    """Source, privacy rule and the prevalence caveat, under every chart."""
    rule = (
        f"Counts below {dataset.min_cell} are hidden."
        if dataset.min_cell > 1
        else "Small counts are NOT hidden (internal use)."
    )
    if dataset.perturbation is not None:
        rule += " Numbers are slightly adjusted to protect privacy."
    if dataset.has_censored:
        rule += " Some source counts were published only as small (<5): totals are at least."
    unit = measure_phrase("count", dataset.source.unit)
    caveat = (
        "Signals show who contacts the hotline, not how common trafficking is."
        if dataset.source.unit == "signals"
        else f"{unit} show what was detected and recorded, not how common trafficking is."
    )
    as_of = as_of_phrase(dataset, short=True)
    return f"Source: {dataset.source.label}. {as_of + '. ' if as_of else ''}{rule}<br>{caveat}"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@functools.lru_cache(maxsize=64)  # under every chart of every view: the same few moments, and strftime is slow
def read_time(moment, short: bool = False) -> str:
    """ "2 December 2026, 18:05 UTC" (short: "2 Dec 2026, 18:05 UTC"): when data were read, with its time zone."""
    month = MONTHS[moment.month - 1]
    return f"{moment.day} {month[:3] if short else month} {moment.year}, {moment:%H:%M} UTC"


def latest_phrase(latest: tuple[int, int | None] | None, short: bool = False) -> str | None:
    """ "December 2023" (short: "Dec 2023"), or "2023" where the data have no months."""
    if latest is None:
        return None
    year, month = latest
    return f"{MONTHS[month - 1][:3] if short else MONTHS[month - 1]} {year}" if month else str(year)


def as_of_phrase(dataset: Dataset, short: bool = False) -> str | None:
    """ "Data as of 2 December 2026, 18:05 UTC (latest month: November 2026)"; None if the read time is unknown.

    `short` (chart footnotes, where room is scarce): "Data as of 2 Dec 2026, 18:05 UTC; latest month Dec 2023".
    """
    source = dataset.source
    if source.read_at is None:
        return None
    latest = latest_phrase(source.latest, short)
    kind = "latest month" if source.latest and source.latest[1] else "latest year"
    head = f"Data as of {read_time(source.read_at, short)}"
    if not latest:
        return head
    return f"{head}; {kind} {latest}" if short else f"{head} ({kind}: {latest})"


def suppressed_label(reason: str | None, min_cell: int) -> str:
    if reason == "fewer_than_min":
        return f"fewer than {min_cell}"
    if reason == CENSORED_SMALL:
        return "hidden: includes counts suppressed at the source"
    return "hidden to protect a small count"


def suppressed_short(reason: str | None, min_cell: int) -> str:
    return f"<{min_cell}" if reason == "fewer_than_min" else "hidden"


def format_count(value: float, at_least: bool = False) -> str:
    return f"at least {int(value):,}" if at_least else f"{int(value):,}"


def format_rate(value: float, at_least: bool = False) -> str:
    number = f"{value:,.2f}" if value < 10 else f"{value:,.1f}"
    return f"at least {number}" if at_least else number


def format_measure(value: float, measure: str, at_least: bool = False) -> str:
    return format_rate(value, at_least) if measure == "rate" else format_count(value, at_least)


def bar_label(value: float, measure: str, at_least: bool = False) -> str:
    """The number written at a bar's end: a lower bound reads "≥1,281", short enough for a narrow card."""
    number = format_measure(value, measure)
    return f"≥{number}" if at_least else number


def _join(words: Iterable[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
