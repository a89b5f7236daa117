"""What the user has selected. Immutable and hashable, so query results can be cached on it."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

from hotline.areas import AREA_DIMENSIONS, scheme_of_region

# Filter field -> the dimension of the signal table it selects on.
FIELD_DIMENSION: dict[str, str] = {
    "states": "state",
    "countries": "country",
    "trafficking_types": "trafficking_type",
    "genders": "gender",
    "age_groups": "age_group",
    "citizenships": "citizenship",
    "methods": "method",
    "callers": "caller",
    "months": "month",
}
DIMENSION_FIELD = {dimension: field for field, dimension in FIELD_DIMENSION.items()}


@dataclass(frozen=True)
class Filters:
    """A selection of signals. Empty selections mean "all"; values are canonical schema values.

    A dataset has states or countries (see hotline.areas), so one of `states` and `countries`
    stays empty. `regions` (US census regions, or UN M49 regions and sub-regions) narrow the
    geography to their areas; areas, once chosen, are the geography (the region only narrowed the
    list they were picked from), so a state clicked on the map outside the region is still shown
    rather than an empty view.
    """

    years: tuple[int, int] | None = None
    regions: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    trafficking_types: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    age_groups: tuple[str, ...] = ()
    citizenships: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    callers: tuple[str, ...] = ()
    months: tuple[int, ...] = ()  # 1-12, in any of the selected years

    def __post_init__(self) -> None:
        # Accept lists and sets from callers but store sorted tuples: equal selections hash alike.
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "years":
                if value is not None:
                    first, last = (int(v) for v in value)
                    object.__setattr__(self, "years", (min(first, last), max(first, last)))
            elif field.name == "months":
                chosen = (value,) if isinstance(value, (int, str)) else (value or ())
                object.__setattr__(self, "months", tuple(sorted({int(m) for m in chosen})))
            elif isinstance(value, str):
                object.__setattr__(self, field.name, (value,))
            else:
                object.__setattr__(self, field.name, _ordered(value))

    def geography(self) -> tuple[str, ...]:
        """The selected state or country codes, after combining regions and areas; () means all."""
        if self.states or self.countries or not self.regions:
            return self.states + self.countries
        return _areas_of_regions(self.regions)

    def selection(self, dimension: str) -> tuple:
        """Selected values of one dimension; () means all."""
        if dimension in AREA_DIMENSIONS:
            return self.geography()
        if dimension == "year":
            return self.years or ()
        return getattr(self, DIMENSION_FIELD[dimension]) if dimension in DIMENSION_FIELD else ()

    def without(self, dimension: str) -> Filters:
        """The same selection with one dimension left open: how a chart shows all of its own values."""
        return _left_open(self, dimension)

    def _without(self, dimension: str) -> Filters:
        if dimension == "year":
            return self._with(years=None)
        if dimension in AREA_DIMENSIONS:
            return self._with(states=(), countries=(), regions=())
        if dimension not in DIMENSION_FIELD:
            return self
        return self._with(**{DIMENSION_FIELD[dimension]: ()})

    def _with(self, **canonical) -> Filters:
        """A copy with fields set to values already canonical (None, or ()): without __post_init__'s checks
        and sorting of every field, which cost more than the rest of a query's bookkeeping."""
        copy = object.__new__(Filters)
        copy.__dict__.update(self.__dict__, **canonical)
        return copy

    def toggle(self, dimension: str, value: str) -> Filters:
        """Add a value to a dimension's selection, or remove it if already there (a click on a chart)."""
        if dimension == "year":
            year = int(value)
            return replace(self, years=None if self.years == (year, year) else (year, year))
        if dimension not in DIMENSION_FIELD:
            return self
        if dimension == "month":
            value = int(value)
        field = DIMENSION_FIELD[dimension]
        current = getattr(self, field)
        chosen = tuple(v for v in current if v != value) if value in current else current + (value,)
        return replace(self, **{field: chosen})

    def is_empty(self) -> bool:
        return self == Filters()


# A view's queries ask for the same few selections with one dimension left open dozens of times;
# building a Filters (its checks and sorting) costs more than the lookup.
@functools.lru_cache(maxsize=4096)
def _left_open(filters: Filters, dimension: str) -> Filters:
    return filters._without(dimension)


@functools.lru_cache(maxsize=256)
def _areas_of_regions(regions: tuple[str, ...]) -> tuple[str, ...]:
    areas: set[str] = set()
    for region in regions:
        scheme = scheme_of_region(region)
        if scheme is None:
            raise ValueError(f"unknown region {region!r}")
        areas.update(scheme.in_regions([region]))
    return tuple(sorted(areas))


def _ordered(values: Iterable[str] | None) -> tuple[str, ...]:
    if not values:
        return ()
    return tuple(sorted({str(v) for v in values}))
