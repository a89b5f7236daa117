"""Signals per 100,000 residents per year: population denominators for aggregated counts."""

from __future__ import annotations

from collections.abc import Callable
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
        self._population = table.pivot(index=dimension, columns="year", values="population").astype("Float64")
        self.denominators = lru_cache(maxsize=64)(self._denominators)

    def attach(
        self, frame: pd.DataFrame, by: tuple[str, ...], geography: tuple[str, ...], years: tuple[int, int] | None
    ) -> pd.DataFrame:
        """`frame` (an aggregate) with `population` and `rate` columns; rate missing where suppressed."""
        keys = tuple(c for c in (self.dimension, "year") if c in by)
        denominators = self.denominators(keys, geography, years)
        if not keys:
            frame["population"] = pd.array([denominators] * len(frame), dtype="Float64")
        else:
            frame = frame.merge(denominators, on=list(keys), how="left")
            frame["population"] = frame["population"].astype("Float64")
        # In numpy (as pandas' Float64 arithmetic does it, a few times faster): missing where the
        # count is suppressed or the population is unknown or not positive.
        people = frame["population"].to_numpy(dtype=np.float64, na_value=np.nan)
        count = frame["count"].to_numpy(dtype=np.float64, na_value=np.nan)
        known = ~np.isnan(people) & (np.nan_to_num(people) > 0)
        rate = np.divide(count, people, out=np.full(len(frame), np.nan), where=known) * PER_PEOPLE
        missing = np.isnan(rate) | frame["suppressed"].to_numpy(dtype=bool)
        frame["rate"] = pd.arrays.FloatingArray(np.where(missing, 0.0, rate), missing)
        return frame

    def _denominators(self, keys: tuple[str, ...], geography: tuple[str, ...], years: tuple[int, int] | None):
        """Population over the selected areas and years, by `keys` (the area column and/or year).

        A frame with the `keys` columns and `population`, or the total when `keys` is empty. Cached
        (as `denominators`): every chart of a rate view shares one; callers must not modify it.
        """
        area = self.dimension
        pop = self._population
        areas = list(geography) or list(pop.index)
        pop = pop.loc[[a for a in areas if a in pop.index]]
        if years:
            pop = pop.loc[:, [y for y in pop.columns if years[0] <= y <= years[1]]]
        if keys == (area, "year"):
            return pop.stack().rename("population").rename_axis([area, "year"]).reset_index()
        if keys == (area,):
            return pop.sum(axis=1, skipna=False).rename("population").rename_axis(area).reset_index()
        if keys == ("year",):
            return pop.sum(axis=0, skipna=True).rename("population").rename_axis("year").reset_index()
        return pop.sum().sum() if pop.size else np.nan
