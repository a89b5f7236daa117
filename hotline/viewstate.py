"""The view state: everything that defines what the page shows, and its query-string form.

One value travels URL -> ViewState -> queries -> figures, so a copied link reopens the same view.
Parsing never fails: bad or unknown parameters are dropped with a notice the page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, quote, urlencode

from hotline.areas import SCHEMES, scheme_of
from hotline.filters import DIMENSION_FIELD, FIELD_DIMENSION, Filters
from hotline.schema import VALUE_LOOKUP, token

MEASURES = ("count", "rate")

# URL parameter -> Filters field, for the list-valued filters (in the order they appear in URLs).
LIST_PARAMETERS: dict[str, str] = {
    "region": "regions",
    "state": "states",
    "country": "countries",
    "type": "trafficking_types",
    "gender": "genders",
    "age": "age_groups",
    "citizenship": "citizenships",
    "method": "methods",
    "caller": "callers",
}
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# `month=3`, `month=3,4`, `month=3-5`, `month=mar` or `month=march`: months of any selected year.
_MONTH_WORDS = {name.lower(): i for i, name in enumerate(MONTH_NAMES, 1)} | {
    name[:3].lower(): i for i, name in enumerate(MONTH_NAMES, 1)
}
MAX_QUERY_LENGTH = 4000
MAX_SLIDE = 99

# Region names in URLs: "south", "territories", "europe", "latin_america_and_the_caribbean".
_REGION_SLUGS = {
    token(region).replace("u_s_", ""): region for scheme in SCHEMES.values() for region in scheme.filter_regions
}
_SLUG_OF_REGION = {region: slug for slug, region in _REGION_SLUGS.items()}


@dataclass(frozen=True)
class ViewState:
    """Filters plus how to measure them. Hashable, so it can key caches."""

    filters: Filters = field(default_factory=Filters)
    measure: str = "count"
    # Presentation mode: one chart at a time, full screen. `slide` counts from 1 and is 1 when not presenting.
    present: bool = False
    slide: int = 1

    def with_filters(self, filters: Filters) -> ViewState:
        return replace(self, filters=filters)


@dataclass(frozen=True)
class Choices:
    """What a URL may select in the loaded dataset: observed values per filter and the year span."""

    years: tuple[int, int]
    values: Mapping[str, tuple[str, ...]]  # Filters field -> allowed values

    def current(self) -> Choices:
        """These choices (LiveChoices gives those of the data being served now)."""
        return self


def parse_query(query: str, choices: Choices) -> tuple[ViewState, list[str]]:
    """Read a query string ("?years=2015-2019&state=TX,OK") into a view state and a list of notices."""
    notices: list[str] = []
    if len(query) > MAX_QUERY_LENGTH:
        return ViewState(), ["The link was too long and was ignored."]
    selected: dict[str, tuple[str, ...]] = {}
    years = None
    measure = "count"
    present, slide = False, 1
    for key, raw in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        key = key.strip().lower()
        if key == "years":
            years = _parse_years(raw, choices.years, notices)
        elif key == "measure":
            if raw.strip().lower() in MEASURES:
                measure = raw.strip().lower()
            else:
                notices.append(f"Ignored measure '{_short(raw)}': use count or rate.")
        elif key == "present":
            present = _parse_flag(raw, key, notices)
        elif key == "slide":
            slide = _parse_slide(raw, notices)
        elif key == "month":
            months = _parse_months(raw, choices.values.get("months", ()), notices)
            selected["months"] = tuple(dict.fromkeys(selected.get("months", ()) + months))
        elif key in LIST_PARAMETERS:
            field_name = LIST_PARAMETERS[key]
            values = _parse_values(field_name, raw, choices.values.get(field_name, ()), notices, key)
            selected[field_name] = tuple(dict.fromkeys(selected.get(field_name, ()) + values))
        else:
            notices.append(f"Ignored unknown parameter '{_short(key)}'.")
    filters = Filters(years=years, **selected)
    return ViewState(filters=filters, measure=measure, present=present, slide=slide if present else 1), notices


def to_query(view: ViewState, choices: Choices | None = None) -> str:
    """The query string of a view ("" for the default view). Inverse of parse_query."""
    params: list[tuple[str, str]] = []
    filters = view.filters
    if filters.years and (choices is None or filters.years != choices.years):
        first, last = filters.years
        params.append(("years", str(first) if first == last else f"{first}-{last}"))
    for parameter, field_name in LIST_PARAMETERS.items():
        values = getattr(filters, field_name)
        if values:
            if field_name == "regions":
                values = tuple(_SLUG_OF_REGION[v] for v in values)
            params.append((parameter, ",".join(values)))
    if filters.months:
        params.append(("month", ",".join(str(m) for m in filters.months)))
    if view.measure != "count":
        params.append(("measure", view.measure))
    if view.present:
        params.append(("present", "1"))
        if view.slide != 1:
            params.append(("slide", str(view.slide)))
    return "?" + urlencode(params, safe=",-", quote_via=quote) if params else ""


def _parse_years(raw: str, span: tuple[int, int], notices: list[str]) -> tuple[int, int] | None:
    text = raw.strip()
    parts = text.split("-") if "-" in text else [text, text]
    try:
        first, last = (int(p) for p in parts)
    except ValueError:
        notices.append(f"Ignored years '{_short(raw)}': use a year or a range such as 2015-2019.")
        return None
    first, last = min(first, last), max(first, last)
    if last < span[0] or first > span[1]:
        notices.append(f"Ignored years '{_short(raw)}': the data cover {span[0]}-{span[1]}.")
        return None
    clipped = (max(first, span[0]), min(last, span[1]))
    if clipped != (first, last):
        notices.append(f"Years {first}-{last} were narrowed to {clipped[0]}-{clipped[1]}, the years in the data.")
    return None if clipped == span else clipped


def _parse_values(field_name: str, raw: str, allowed: tuple[str, ...], notices: list[str], key: str):
    values = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        value = _canonical(field_name, item)
        if value is None or value not in allowed:
            notices.append(f"Ignored {key} '{_short(item)}': not in this dataset.")
            continue
        values.append(value)
    return tuple(values)


def _parse_months(raw: str, allowed: tuple[str, ...], notices: list[str]) -> tuple[int, ...]:
    """Months by number (3, 03), name (march, mar) or range (3-5, mar-may), comma-separated."""
    months: list[int] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        ends = [month_number(end) for end in item.split("-", 1)]
        if None in ends or not allowed:
            reason = "this dataset has no months" if not allowed else "use 1-12 or a month's name"
            notices.append(f"Ignored month '{_short(item)}': {reason}.")
            continue
        first, last = min(ends), max(ends)
        chosen = [m for m in range(first, last + 1) if str(m) in allowed]
        if not chosen:
            notices.append(f"Ignored month '{_short(item)}': not in this dataset.")
        months += chosen
    return tuple(months)


def month_number(text: str) -> int | None:
    """3 for "3", "03", "mar" or "March"; None for anything else."""
    word = text.strip().lower()
    if word.isascii() and word.isdigit() and len(word) <= 2 and 1 <= int(word) <= 12:
        return int(word)
    return _MONTH_WORDS.get(word)


def _canonical(field_name: str, item: str) -> str | None:
    for scheme in SCHEMES.values():
        if field_name == scheme.field:
            return scheme.normalize(item)
    if field_name == "regions":
        slug = token(item).replace("u_s_", "")
        return _REGION_SLUGS.get(slug)
    return VALUE_LOOKUP[FIELD_DIMENSION[field_name]].get(token(item))


def _parse_flag(raw: str, key: str, notices: list[str]) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value not in ("0", "false", "no", "off", ""):
        notices.append(f"Ignored {key} '{_short(raw)}': use 1 or 0.")
    return False


def _parse_slide(raw: str, notices: list[str]) -> int:
    """A chart number from 1; the page clamps it to the charts it has."""
    value = raw.strip()
    # isascii: int() accepts some Unicode digits and very long digit strings.
    if value.isascii() and value.isdigit() and len(value) <= 3 and 1 <= int(value) <= MAX_SLIDE:
        return int(value)
    notices.append(f"Ignored slide '{_short(raw)}': use a chart number from 1.")
    return 1


def _short(text: str, limit: int = 40) -> str:
    """User text echoed in a notice, cut short so a hostile link cannot flood the page."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choices_of(dataset) -> Choices:
    """What a URL may select in this dataset (the values that occur in it)."""
    values: dict[str, tuple[str, ...]] = {}
    for dimension, field_name in DIMENSION_FIELD.items():
        if dimension in dataset.dimensions:
            values[field_name] = tuple(str(v) for v in dataset.values(dimension))
    if "months" in values:  # months are numbers; a blank month ("unknown") is data, not a filter
        values["months"] = tuple(m for m in values["months"] if m.isdigit())
    scheme = scheme_of(dataset.dimensions)
    if scheme.dimension in dataset.dimensions:
        present = set(values.get(scheme.field, ()))
        values["regions"] = tuple(r for r in scheme.filter_regions if present & set(scheme.in_regions([r])))
    return Choices(years=dataset.years, values=values)


class LiveChoices:
    """The Choices of whatever data a live dataset (hotline.live.LiveDataset) serves now.

    A refresh may add a year or a value; a link that selects it must then be accepted. Reads through
    `current()` (or the `years` and `values` of the data current at that moment).
    """

    def __init__(self, dataset) -> None:
        self._dataset = dataset
        self._memo: tuple[object, Choices] | None = None

    def current(self) -> Choices:
        data = self._dataset.current()
        memo = self._memo
        if memo is None or memo[0] is not data:
            memo = (data, choices_of(data))
            self._memo = memo
        return memo[1]

    @property
    def years(self) -> tuple[int, int]:
        return self.current().years

    @property
    def values(self) -> Mapping[str, tuple[str, ...]]:
        return self.current().values
