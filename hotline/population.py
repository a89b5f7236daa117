"""Resident population by US state and year, the denominator of per-capita rates.

The table is the project's own copy of US Census Bureau estimates (see data/SOURCES.md):
50 states, DC and Puerto Rico, July 1 of each year 2000-2024. Guam, the U.S. Virgin Islands,
American Samoa and the Northern Mariana Islands are not in it, so their rates are missing
rather than invented.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from hotline.geography import STATES

POPULATION_FILE = Path(__file__).resolve().parent.parent / "data" / "us_state_population.csv"


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    table = pd.read_csv(POPULATION_FILE, dtype={"year": "int64", "population": "int64"})
    return table.sort_values(["state", "year"], ignore_index=True)


def state_population() -> pd.DataFrame:
    """The whole reference table: columns state, year, population (read once, a fresh copy each call)."""
    return _load().copy()


def population_for(states: Iterable[str] | None, years: Iterable[int]) -> pd.DataFrame:
    """Population of each requested state in each requested year: columns state, year, population.

    One row per (state, year), sorted by state then year; `states=None` means every code in
    geography.STATES. A year outside the table's coverage (2000-2024) takes the population of
    the nearest covered year, so a 2025 view still gets a rate, based on 2024. A state absent
    from the table (GU, VI, AS, MP) gets a missing population (pd.NA), so any rate computed from
    it is missing too. Codes that are not USPS state codes raise ValueError.
    """
    codes = list(STATES) if states is None else list(dict.fromkeys(states))
    unknown = sorted(set(codes).difference(STATES))
    if unknown:
        raise ValueError(f"not US state codes: {unknown}")
    wanted_years = np.array(sorted(set(int(y) for y in years)), dtype="int64")

    table = _load()
    covered = np.sort(table["year"].unique())
    nearest = _nearest(covered, wanted_years)

    grid = pd.DataFrame(
        {
            "state": np.repeat(codes, len(wanted_years)),
            "year": np.tile(wanted_years, len(codes)),
            "source_year": np.tile(nearest, len(codes)),
        }
    )
    merged = grid.merge(table.rename(columns={"year": "source_year"}), on=["state", "source_year"], how="left")
    merged["population"] = merged["population"].astype("Int64")
    return merged[["state", "year", "population"]].sort_values(["state", "year"], ignore_index=True)


def _nearest(covered: np.ndarray, years: np.ndarray) -> np.ndarray:
    """For each year, the closest value in the sorted array `covered` (the earlier one on a tie)."""
    right = np.clip(np.searchsorted(covered, years), 0, len(covered) - 1)
    left = np.clip(right - 1, 0, len(covered) - 1)
    take_left = np.abs(years - covered[left]) <= np.abs(covered[right] - years)
    return np.where(take_left, covered[left], covered[right])
