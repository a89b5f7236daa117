"""Signals per 100,000 residents per year: population denominators for aggregated counts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from hotline import population

PER_PEOPLE = 100_000

# Geography column -> the population table for its codes.
_POPULATION_FOR: dict[str, Callable[..., pd.DataFrame]] = {
    "state": population.population_for,
    "country": population.country_population_for,
}


class RateTable:
    """Population by area and year for one dataset's areas and years, and rates computed from it.

    `dimension` is the dataset's geography column, "state" (USPS codes, Census population) or
    "country" (ISO alpha-3 codes, World Bank population). Population is summed over the selected
    years, so a multi-year rate is an average annual rate. Signals with no known area count in the
    numerator of overall rates, as they happened somewhere in the areas covered; areas without
    population figures (Guam, Taiwan, ...) add signals but no population there, and have no rate
    of their own.
    """

    def __init__(self, dimension: str, areas: list[str], years: tuple[int, int]) -> None:
        if dimension not in _POPULATION_FOR:
            raise ValueError(f"no population for {dimension!r}; expected one of {list(_POPULATION_FOR)}")
        self.dimension = dimension
        table = _POPULATION_FOR[dimension](areas, range(years[0], years[1] + 1))
        population = table.pivot(index=dimension, columns="year", values="population").astype("Float64")
        # As numpy (NaN: no figure), looked up by position: a pandas merge per rate view costs more
        # than the rest of the rate. Populations are whole numbers far below 2**53, so float sums
        # are exact in any order, as pandas' were.
        self._area_index = pd.Index(population.index)
        self._year_index = pd.Index(population.columns)
        self._people = population.to_numpy(dtype=np.float64, na_value=np.nan)
        self.denominators = lru_cache(maxsize=64)(self._denominators)
        self.positions = lru_cache(maxsize=64)(self._compute_positions)

    def attach(
        self, frame: pd.DataFrame, by: tuple[str, ...], geography: tuple[str, ...], years: tuple[int, int] | None
    ) -> pd.DataFrame:
        """`frame` (an aggregate) with `population` and `rate` columns; rate missing where suppressed."""
        count = frame["count"].to_numpy(dtype=np.float64, na_value=np.nan)
        key_values = {column: frame[column] for column in (self.dimension, "year") if column in by}
        suppressed = frame["suppressed"].to_numpy(dtype=bool)
        (people, no_people), (rate, no_rate) = self.measures(key_values, count, suppressed, geography, years)
        frame["population"] = pd.arrays.FloatingArray(people, no_people)
        frame["rate"] = pd.arrays.FloatingArray(rate, no_rate)
        return frame

    def measures(
        self,
        key_values: Mapping[str, Sequence],
        count: np.ndarray,
        suppressed: np.ndarray,
        geography: tuple[str, ...],
        years: tuple[int, int] | None,
    ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """The `population` and `rate` columns of an aggregate, each as (values, missing): what a Float64
        column holds (values are 0 where missing).

        `key_values`: the aggregate's area and year columns, those of them it has; `count`: its counts
        as floats (NaN where suppressed); `suppressed`: which rows are. A rate is missing where the
        count is suppressed or the population is unknown or not positive.
        """
        keys = tuple(c for c in (self.dimension, "year") if c in key_values)
        denominators = self.denominators(keys, geography, years)
        rows = len(count)
        if not keys:
            people = np.full(rows, denominators, dtype=np.float64)
        else:
            # Each row's population by the positions of its area and year (missing: not selected or
            # no figure), as a left merge on the key columns gave it.
            area = self._lookup("area", key_values.get(self.dimension), rows)
            year = self._lookup("year", key_values.get("year"), rows)
            found = (area >= 0) & (year >= 0)
            people = np.where(found, denominators[np.maximum(area, 0), np.maximum(year, 0)], np.nan)
        missing_people = np.isnan(people)
        # In numpy (as pandas' Float64 arithmetic does it, a few times faster).
        known = ~np.isnan(people) & (np.nan_to_num(people) > 0)
        rate = np.divide(count, people, out=np.full(rows, np.nan), where=known) * PER_PEOPLE
        missing = np.isnan(rate) | suppressed
        return (np.where(missing_people, 0.0, people), missing_people), (np.where(missing, 0.0, rate), missing)

    def _lookup(self, axis: str, values: Sequence | None, rows: int) -> np.ndarray:
        """Positions of `values` among the table's areas or years (-1: absent); all 0 when not a key."""
        if values is None:
            return np.zeros(rows, dtype=np.intp)
        return self.positions(axis, tuple(values))

    def _compute_positions(self, axis: str, values: tuple) -> np.ndarray:
        """Cached (as `positions`): an aggregate's area and year columns depend only on its grouping."""
        found = (self._area_index if axis == "area" else self._year_index).get_indexer(list(values))
        found.flags.writeable = False
        return found

    def _denominators(self, keys: tuple[str, ...], geography: tuple[str, ...], years: tuple[int, int] | None):
        """Population over the selected areas and years, by `keys` (the area column and/or year).

        An array over (areas, years) of the table, with one column when `keys` has no year and one
        row when it has no area (NaN: not selected, or no figure), or the total when `keys` is empty.
        Cached (as `denominators`): every chart of a rate view shares one; callers must not modify it.
        """
        area = self.dimension
        area_rows = self._area_index.get_indexer(
            [a for a in (list(geography) or self._area_index) if a in self._area_index]
        )
        year_columns = np.arange(len(self._year_index))
        if years:
            year_columns = np.flatnonzero([years[0] <= y <= years[1] for y in self._year_index])
        people = self._people[np.ix_(area_rows, year_columns)]
        if not keys:
            return np.nansum(people) if people.size else np.nan
        shape = (len(self._area_index) if area in keys else 1, len(self._year_index) if "year" in keys else 1)
        out = np.full(shape, np.nan)
        if keys == (area, "year"):
            out[np.ix_(area_rows, year_columns)] = people
        elif keys == (area,):
            out[area_rows, 0] = people.sum(axis=1)  # NaN if any selected year has no figure
        else:
            out[0, year_columns] = np.nansum(people, axis=0)  # areas without figures add nothing
        out.flags.writeable = False
        return out
