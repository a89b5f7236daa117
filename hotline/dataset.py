"""A loaded dataset and its one query: filtered, grouped, suppressed counts (and rates)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from hotline import population, privacy
from hotline.cube import Cube
from hotline.filters import Filters
from hotline.schema import UNKNOWN_STATE

SUPPRESSION_REASON = {
    privacy.SHOWN: None,
    privacy.FEWER_THAN_MIN: "fewer_than_min",
    privacy.HIDDEN_TO_PROTECT: "protects_small_count",
}
PER_PEOPLE = 100_000


@dataclass(frozen=True)
class SourceInfo:
    """Where the data came from, for footnotes and /healthz."""

    name: str
    label: str
    is_demo: bool = False


class Dataset:
    """Signals loaded into a cube, with the privacy rule bound to every query.

    `aggregate` is the only way numbers leave the dataset, so suppression cannot be forgotten.
    """

    def __init__(self, cube: Cube, *, min_cell: int = 10, source: SourceInfo, records: int) -> None:
        if int(min_cell) < 1:
            raise ValueError("min_cell must be at least 1 (1 turns suppression off)")
        self.cube = cube
        self.min_cell = int(min_cell)
        self.source = source
        self.records = records
        self._aggregate = lru_cache(maxsize=512)(self._compute)
        self._row_index = lru_cache(maxsize=32)(self._compute_row_index)
        self._dimension_mask = lru_cache(maxsize=64)(self._compute_dimension_mask)

    # --- what the data hold -------------------------------------------------------------------
    @property
    def dimensions(self) -> tuple[str, ...]:
        return self.cube.dimensions

    @property
    def geography(self) -> str:
        return "state"

    def values(self, dimension: str) -> tuple:
        """Values of a dimension that occur in the data, in schema order."""
        return self.cube.observed[dimension]

    @property
    def years(self) -> tuple[int, int]:
        observed = self.values("year")
        return int(observed[0]), int(observed[-1])

    @property
    def total(self) -> int:
        return self.cube.total

    # --- the query ----------------------------------------------------------------------------
    def aggregate(
        self, by: Sequence[str] = (), filters: Filters | None = None, *, measure: str = "count"
    ) -> pd.DataFrame:
        """Signals grouped by `by` under `filters`, with small counts suppressed.

        Returns one row per combination of the observed values of the `by` dimensions (zeros
        included) with columns: the `by` columns, `count` (missing where suppressed),
        `suppressed` (bool) and `suppression` ("fewer_than_min" for a count below min_cell,
        "protects_small_count" for a cell hidden so a small count cannot be worked out, else
        missing). With measure="rate", also `population` and `rate` per 100,000 people per year.
        `by=[]` gives the total as a single row.
        """
        unknown = [d for d in by if d not in self.dimensions]
        if unknown:
            raise ValueError(f"unknown dimension(s) {unknown}; this dataset has {list(self.dimensions)}")
        if measure not in ("count", "rate"):
            raise ValueError(f"measure must be 'count' or 'rate', not {measure!r}")
        return self._aggregate(tuple(by), filters or Filters(), measure).copy()

    def _compute(self, by: tuple[str, ...], filters: Filters, measure: str) -> pd.DataFrame:
        grid, axes = self._grid(by, filters)
        status = privacy.suppress(grid, self.min_cell, also_hide=self._pinned_margins(by, filters, grid))
        frame = _frame(by, axes, grid, status)
        if measure == "rate":
            frame = self._with_rates(frame, by, filters)
        return frame

    def _pinned_margins(self, by: tuple[str, ...], filters: Filters, grid: np.ndarray) -> np.ndarray | None:
        """Cells of this aggregate that are the total of a finer breakdown made only of small counts.

        Such a total must be hidden here, or it would pin the small counts of the breakdown shown
        in another chart. Only cells below (values of the other dimension) x (min_cell - 1) can
        qualify, so the finer breakdown is computed only when such cells exist.
        """
        if self.min_cell <= 1:
            return None
        values = np.atleast_1d(grid).reshape(-1)
        hide = np.zeros(values.shape, dtype=bool)
        for other in self.dimensions:
            if other in by:
                continue
            size = len(self.values(other))
            candidates = (values >= self.min_cell) & (values <= size * (self.min_cell - 1)) & ~hide
            if not candidates.any():
                continue
            finer, _ = self._grid((*by, other), filters)
            rows = finer.reshape(-1, size)[candidates]
            hide[np.flatnonzero(candidates)[privacy.pinned_margins(rows, self.min_cell)]] = True
        return hide.reshape(grid.shape) if hide.any() else None

    def _grid(self, by: tuple[str, ...], filters: Filters) -> tuple[np.ndarray, list[tuple]]:
        """Counts as an n-dimensional array over the observed values of each `by` dimension."""
        rows = self._row_index(filters)
        counts = self.cube.counts if rows is None else self.cube.counts[rows]
        if not by:
            return np.asarray(counts.sum(), dtype=np.int64), []
        # Positions within the observed values, so the grid has no always-empty slots.
        positions, axes = [], []
        for dimension in by:
            categories = self.cube.categories[dimension]
            observed = self.values(dimension)
            remap = np.full(len(categories), -1, dtype=np.int64)
            remap[[categories.index(v) for v in observed]] = np.arange(len(observed))
            codes = self.cube.codes[dimension] if rows is None else self.cube.codes[dimension][rows]
            positions.append(remap[codes])
            axes.append(observed)
        shape = tuple(len(a) for a in axes)
        keys = np.ravel_multi_index(tuple(positions), shape)
        flat = np.bincount(keys, weights=counts, minlength=int(np.prod(shape)))
        return np.rint(flat).astype(np.int64).reshape(shape), axes

    def _compute_row_index(self, filters: Filters) -> np.ndarray | None:
        """Cube rows that match every active filter (None: all rows)."""
        mask = None
        for dimension in self.dimensions:
            selected = filters.selection(dimension)
            if not selected:
                continue
            dimension_mask = self._dimension_mask(dimension, tuple(selected))
            mask = dimension_mask if mask is None else mask & dimension_mask
        return None if mask is None else np.flatnonzero(mask)

    def _compute_dimension_mask(self, dimension: str, selected: tuple) -> np.ndarray:
        categories = self.cube.categories[dimension]
        allowed = np.zeros(len(categories), dtype=bool)
        if dimension == "year":
            first, last = selected
            allowed[:] = [first <= year <= last for year in categories]
        else:
            allowed[[categories.index(v) for v in selected if v in categories]] = True
        return allowed[self.cube.codes[dimension]]

    # --- rates ---------------------------------------------------------------------------------
    @cached_property
    def _population(self) -> pd.DataFrame:
        """Population by state (rows) and year (columns) for the states and years in the data."""
        states = [s for s in self.values("state") if s != UNKNOWN_STATE]
        table = population.population_for(states, range(self.years[0], self.years[1] + 1))
        return table.pivot(index="state", columns="year", values="population").astype("Float64")

    def _with_rates(self, frame: pd.DataFrame, by: tuple[str, ...], filters: Filters) -> pd.DataFrame:
        """Signals per 100,000 residents per year, over the selected states and years.

        Population is summed over the selected years, so a multi-year rate is an average annual rate.
        Signals with no known state count in the numerator of national rates, as they happened in
        the United States.
        """
        pop = self._population
        states = list(filters.geography()) or list(pop.index)
        pop = pop.loc[[s for s in states if s in pop.index]]
        if filters.years:
            pop = pop.loc[:, [y for y in pop.columns if filters.years[0] <= y <= filters.years[1]]]
        if "state" in by and "year" in by:
            denominators = pop.stack().rename("population").rename_axis(["state", "year"]).reset_index()
        elif "state" in by:
            denominators = pop.sum(axis=1, skipna=False).rename("population").rename_axis("state").reset_index()
        elif "year" in by:
            denominators = pop.sum(axis=0, skipna=True).rename("population").rename_axis("year").reset_index()
        else:
            denominators = None
        if denominators is None:
            total = pop.sum().sum() if pop.size else np.nan
            frame["population"] = pd.array([total] * len(frame), dtype="Float64")
        else:
            frame = frame.merge(denominators, on=[c for c in ("state", "year") if c in by], how="left")
            frame["population"] = frame["population"].astype("Float64")
        population_known = frame["population"].notna() & (frame["population"] > 0)
        rate = frame["count"].astype("Float64") / frame["population"].where(population_known) * PER_PEOPLE
        frame["rate"] = rate.where(~frame["suppressed"])
        return frame


def _frame(by: tuple[str, ...], axes: list[tuple], grid: np.ndarray, status: np.ndarray) -> pd.DataFrame:
    if by:
        index = pd.MultiIndex.from_product(axes, names=list(by))
        frame = index.to_frame(index=False)
    else:
        frame = pd.DataFrame(index=[0])
    flat_status = status.reshape(-1)
    suppressed = flat_status != privacy.SHOWN
    frame["count"] = pd.array(np.where(suppressed, 0, grid.reshape(-1)), dtype="Int64")
    frame.loc[suppressed, "count"] = pd.NA
    frame["suppressed"] = suppressed
    frame["suppression"] = pd.array([SUPPRESSION_REASON[int(s)] for s in flat_status], dtype="string")
    return frame
