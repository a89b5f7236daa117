"""The view state: everything that defines what the page shows, and its query-string form.

One value travels URL -> ViewState -> queries -> figures, so a copied link reopens the same view.
Parsing never fails: bad or unknown parameters are dropped with a notice the page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, quote, urlencode

from hotline import geography
from hotline.filters import DIMENSION_FIELD, FIELD_DIMENSION, Filters
from hotline.schema import VALUE_LOOKUP, token

MEASURES = ("count", "rate")

# URL parameter -> Filters field, for the list-valued filters (in the order they appear in URLs).
LIST_PARAMETERS: dict[str, str] = {
    "region": "regions",
    "state": "states",
    "type": "trafficking_types",
    "gender": "genders",
    "age": "age_groups",
    "citizenship": "citizenships",
    "method": "methods",
    "caller": "callers",
}
MAX_QUERY_LENGTH = 4000

_REGION_SLUGS = {token(region).replace("u_s_", ""): region for region in geography.REGIONS}
_SLUG_OF_REGION = {region: slug for slug, region in _REGION_SLUGS.items()}


@dataclass(frozen=True)
class ViewState:
    """Filters plus how to measure them. Hashable, so it can key caches."""

    filters: Filters = field(default_factory=Filters)
    measure: str = "count"

    def with_filters(self, filters: Filters) -> ViewState:
        return replace(self, filters=filters)


@dataclass(frozen=True)
class Choices:
    """What a URL may select in the loaded dataset: observed values per filter and the year span."""

    years: tuple[int, int]
    values: Mapping[str, tuple[str, ...]]  # Filters field -> allowed values


def parse_query(query: str, choices: Choices) -> tuple[ViewState, list[str]]:
    """Read a query string ("?years=2015-2019&state=TX,OK") into a view state and a list of notices."""
    notices: list[str] = []
    if len(query) > MAX_QUERY_LENGTH:
        return ViewState(), ["The link was too long and was ignored."]
    selected: dict[str, tuple[str, ...]] = {}
    years = None
    measure = "count"
    for key, raw in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        key = key.strip().lower()
        if key == "years":
            years = _parse_years(raw, choices.years, notices)
        elif key == "measure":
            if raw.strip().lower() in MEASURES:
                measure = raw.strip().lower()
            else:
                notices.append(f"Ignored measure '{_short(raw)}': use count or rate.")
        elif key in LIST_PARAMETERS:
            field_name = LIST_PARAMETERS[key]
            values = _parse_values(field_name, raw, choices.values.get(field_name, ()), notices, key)
            selected[field_name] = tuple(dict.fromkeys(selected.get(field_name, ()) + values))
        else:
            notices.append(f"Ignored unknown parameter '{_short(key)}'.")
    filters = Filters(years=years, **selected)
    return ViewState(filters=filters, measure=measure), notices


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
    if view.measure != "count":
        params.append(("measure", view.measure))
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


def _canonical(field_name: str, item: str) -> str | None:
    if field_name == "states":
        return geography.normalize_state(item)
    if field_name == "regions":
        slug = token(item).replace("u_s_", "")
        return _REGION_SLUGS.get(slug)
    return VALUE_LOOKUP[FIELD_DIMENSION[field_name]].get(token(item))


def _short(text: str, limit: int = 40) -> str:
    """User text echoed in a notice, cut short so a hostile link cannot flood the page."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choices_of(dataset) -> Choices:
    """What a URL may select in this dataset (the values that occur in it)."""
    values: dict[str, tuple[str, ...]] = {}
    for dimension, field_name in DIMENSION_FIELD.items():
        if dimension in dataset.dimensions:
            values[field_name] = tuple(str(v) for v in dataset.values(dimension))
    if "state" in dataset.dimensions:
        present = set(values.get("states", ()))
        values["regions"] = tuple(r for r in geography.REGIONS if present & set(geography.states_in_regions([r])))
    return Choices(years=dataset.years, values=values)
