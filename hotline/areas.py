"""The two geographies a dataset can have: US states, or countries of the world.

A dataset has exactly one geography column, `state` or `country`. Everything that depends on
which one (the filter's field and URL parameter, names, regions, the map) asks its AreaScheme,
so panels and queries handle both without branching on the column name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from hotline import geography, world
from hotline.schema import UNKNOWN_AREA

UNKNOWN_AREA_NAME = "Unknown location"


@dataclass(frozen=True)
class AreaScheme:
    dimension: str  # the column of the signal table: "state" or "country"
    field: str  # the Filters field and list URL parameter's field: "states" or "countries"
    label: str  # "State" / "Country"
    plural: str  # "states" / "countries"
    codes: tuple[str, ...]
    names: Mapping[str, str]
    filter_regions: tuple[str, ...]  # what the region filter offers: regions, and sub-regions for countries
    region_of: Mapping[str, str]
    subregion_label: str  # "Division" / "Sub-region"
    subregion_of: Mapping[str, str]
    normalize: Callable[[str], str | None]
    members: Callable[[Iterable[str]], tuple[str, ...]]  # the areas in some regions
    region_hint: str  # what the regions are, for footnotes and the About panel

    def name(self, code: str) -> str:
        if code == UNKNOWN_AREA:
            return UNKNOWN_AREA_NAME
        return self.names.get(code, code)

    def in_regions(self, regions: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(self.members(regions)))

    def region_phrase(self, region: str) -> str:
        """How a chosen region reads in a title: "South region", "Europe"."""
        if self is US_STATES and region != geography.TERRITORIES_LABEL:
            return f"{region} region"
        return region


US_STATES = AreaScheme(
    dimension="state",
    field="states",
    label="State",
    plural="states",
    codes=geography.STATES,
    names=geography.STATE_NAMES,
    filter_regions=geography.REGIONS,
    region_of=geography.STATE_REGION,
    subregion_label="Division",
    subregion_of=geography.STATE_DIVISION,
    normalize=geography.normalize_state,
    members=geography.states_in_regions,
    region_hint="US Census Bureau regions",
)

COUNTRIES = AreaScheme(
    dimension="country",
    field="countries",
    label="Country",
    plural="countries",
    codes=world.COUNTRIES,
    names=world.COUNTRY_NAMES,
    filter_regions=world.REGIONS + world.SUBREGIONS,
    region_of=world.COUNTRY_REGION,
    subregion_label="Sub-region",
    subregion_of=world.COUNTRY_SUBREGION,
    normalize=world.normalize_country,
    members=world.countries_in_regions,
    region_hint="UN M49 regions",
)

SCHEMES: dict[str, AreaScheme] = {scheme.dimension: scheme for scheme in (US_STATES, COUNTRIES)}
AREA_DIMENSIONS = tuple(SCHEMES)
SCHEME_OF_FIELD: dict[str, AreaScheme] = {scheme.field: scheme for scheme in SCHEMES.values()}


def scheme_of(dimensions: Iterable[str]) -> AreaScheme:
    """The geography of a dataset with these dimensions (US states when it has neither column)."""
    present = [d for d in dimensions if d in SCHEMES]
    return SCHEMES[present[0]] if present else US_STATES


def scheme_of_region(region: str) -> AreaScheme | None:
    """Which geography a region name belongs to (US and M49 region names do not overlap)."""
    return next((s for s in SCHEMES.values() if region in s.filter_regions), None)
