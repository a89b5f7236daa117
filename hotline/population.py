"""Resident population by area and year, the denominator of per-capita rates.

Two reference tables, the project's own copies (see data/SOURCES.md), both covering 2000-2024:

- US states: Census Bureau estimates (July 1) for the 50 states, DC and Puerto Rico. Guam, the
  U.S. Virgin Islands, American Samoa and the Northern Mariana Islands are not in it.
- Countries: World Bank "Population, total" (SP.POP.TOTL) for 216 economies, keyed by ISO alpha-3
  code (XKX for Kosovo). Taiwan, Jersey, Guernsey, the Cook Islands, the Holy See, uninhabited
  territories and other small places are not in it.

Areas missing from a table get a missing population, so their rates are missing rather than invented.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from hotline.geography import STATES
from hotline.world import COUNTRIES

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
POPULATION_FILE = DATA_DIR / "us_state_population.csv"
COUNTRY_POPULATION_FILE = DATA_DIR / "country_population.csv"


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    table = pd.read_csv(POPULATION_FILE, dtype={"year": "int64", "population": "int64"})
    return table.sort_values(["state", "year"], ignore_index=True)


@lru_cache(maxsize=1)
def _load_countries() -> pd.DataFrame:
    # keep_default_na=False: no ISO alpha-3 code is a missing-value word today, and none should become one.
    table = pd.read_csv(
        COUNTRY_POPULATION_FILE, dtype={"iso3": "str", "year": "int64", "population": "int64"}, keep_default_na=False
    )
    return table.rename(columns={"iso3": "country"}).sort_values(["country", "year"], ignore_index=True)


def state_population() -> pd.DataFrame:
    """The whole reference table: columns state, year, population (read once, a fresh copy each call)."""
    return _load().copy()


def country_population() -> pd.DataFrame:
    """The whole country table: columns country (ISO alpha-3), year, population (a fresh copy each call)."""
    return _load_countries().copy()


def population_for(states: Iterable[str] | None, years: Iterable[int]) -> pd.DataFrame:
    """Population of each requested state in each requested year: columns state, year, population.

    One row per (state, year), sorted by state then year; `states=None` means every code in
    geography.STATES. A year outside the table's coverage (2000-2024) takes the population of
    the nearest covered year, so a 2025 view still gets a rate, based on 2024. A state absent
    from the table (GU, VI, AS, MP) gets a missing population (pd.NA), so any rate computed from
    it is missing too. Codes that are not USPS state codes raise ValueError.
    """
    return _for(_load(), "state", STATES, "US state codes", states, years)


def country_population_for(countries: Iterable[str] | None, years: Iterable[int]) -> pd.DataFrame:
    """Population of each requested country in each requested year: columns country, year, population.

    As population_for, for ISO alpha-3 codes (world.COUNTRIES; `countries=None` means all of them):
    the nearest covered year stands in for years outside 2000-2024, countries without World Bank
    figures get pd.NA, and codes not in world.COUNTRIES raise ValueError.
    """
    return _for(_load_countries(), "country", COUNTRIES, "ISO alpha-3 country codes", countries, years)


def _for(
    table: pd.DataFrame,
    column: str,
    all_codes: tuple[str, ...],
    kind: str,
    codes: Iterable[str] | None,
    years: Iterable[int],
) -> pd.DataFrame:
    codes = list(all_codes) if codes is None else list(dict.fromkeys(codes))
    unknown = sorted(set(codes).difference(all_codes))
    if unknown:
        raise ValueError(f"not {kind}: {unknown}")
    wanted_years = np.array(sorted(set(int(y) for y in years)), dtype="int64")

    covered = np.sort(table["year"].unique())
    nearest = _nearest(covered, wanted_years)

    grid = pd.DataFrame(
        {
            column: np.repeat(np.asarray(codes, dtype=str), len(wanted_years)),
            "year": np.tile(wanted_years, len(codes)),
            "source_year": np.tile(nearest, len(codes)),
        }
    )
    merged = grid.merge(table.rename(columns={"year": "source_year"}), on=[column, "source_year"], how="left")
    merged["population"] = merged["population"].astype("Int64")
    return merged[[column, "year", "population"]].sort_values([column, "year"], ignore_index=True)


def _nearest(covered: np.ndarray, years: np.ndarray) -> np.ndarray:
    """For each year, the closest value in the sorted array `covered` (the earlier one on a tie)."""
    right = np.clip(np.searchsorted(covered, years), 0, len(covered) - 1)
    left = np.clip(right - 1, 0, len(covered) - 1)
    take_left = np.abs(years - covered[left]) <= np.abs(covered[right] - years)
    return np.where(take_left, covered[left], covered[right])
