"""A loaded dataset and its one query: filtered, grouped, suppressed counts (and rates)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from types import MappingProxyType

import numpy as np
import pandas as pd

from hotline import privacy
from hotline.answer import CENSORED_SMALL, SUPPRESSION_REASON, Answer, by_columns, counted_answer, with_missing
from hotline.areas import AreaScheme, scheme_of
from hotline.cellkey import PerturbationTable
from hotline.cube import Cube, block_runs, leading_blocks, member_rows, rows_in_runs, sum_over, sum_rows
from hotline.cuboids import Cuboids
from hotline.filters import Filters
from hotline.rates import RateTable
from hotline.schema import UNKNOWN_AREA

# On by default: every published number is perturbed unless exact counts are asked for.
DEFAULT_PERTURBATION = PerturbationTable()


@dataclass(frozen=True)
class SourceInfo:
    """Where the data came from, for footnotes and /healthz."""

    name: str
    label: str
    is_demo: bool = False
    unit: str = "signals"  # what one counted row is: "signals", "detected victims", "offenses"...
    notes: tuple[str, ...] = ()  # how an importer read the source, for the About panel
    read_at: datetime | None = None  # when the rows were read (UTC), for "data as of"
    latest: tuple[int, int | None] | None = None  # the latest (year, month) in the data; month None if unknown


class Dataset:
    """Signals loaded into a cube, with the privacy rule bound to every query.

    `aggregate` is the only way numbers leave the dataset, so suppression cannot be forgotten.
    """

    def __init__(
        self,
        cube: Cube,
        *,
        min_cell: int = 10,
        source: SourceInfo,
        records: int,
        perturbation: PerturbationTable | None = DEFAULT_PERTURBATION,
    ) -> None:
        if int(min_cell) < 1:
            raise ValueError("min_cell must be at least 1 (1 turns suppression off)")
        if perturbation is not None and cube.keys is None:
            raise ValueError("cell-key perturbation needs record keys: build the cube with a key seed")
        self.cube = cube
        self.min_cell = int(min_cell)
        # None: exact counts (--privacy exact, for internal staff); else every published count is perturbed.
        self.perturbation = perturbation
        self.source = source
        self.records = records
        self._aggregate = lru_cache(maxsize=512)(self._compute)
        self._status_alone = lru_cache(maxsize=256)(self._compute_status_alone)
        # Queries never group or filter by month unless asked to, so they read the cube summed over
        # months: at 10 million demo signals 0.9 million rows instead of 3.1 million.
        self._month_free, self._month_rows = sum_over(cube, "month")
        self._grid = lru_cache(maxsize=256)(self._compute_grid)
        self._finer_grids = lru_cache(maxsize=128)(self._compute_finer_grids)
        self._row_index = lru_cache(maxsize=32)(self._compute_row_index)
        self._dimension_mask = lru_cache(maxsize=64)(self._compute_dimension_mask)
        self._allowed_codes = lru_cache(maxsize=256)(self._compute_allowed_codes)
        self._selected_mask = lru_cache(maxsize=256)(self._compute_selected_mask)
        self._selected_positions = lru_cache(maxsize=256)(self._compute_selected_positions)
        # The `by` columns of result frames: they depend only on `by` (the observed values never change).
        self._by_columns = lru_cache(maxsize=64)(lambda by: by_columns(by, [self.values(d) for d in by]))
        self._by_values = lru_cache(maxsize=64)(
            lambda by: {name: tuple(index.tolist()) for name, index in self._by_columns(by).items()}
        )
        self._cuboids = Cuboids(
            self.dimensions,
            pinned=[d for d in ("year", self.geography) if d in self.dimensions],
            sizes={d: len(self.values(d)) for d in self.dimensions},
            positions=self._value_positions,
            sources=self._cube_columns,
        )

    def _cube_columns(self, dimensions) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray | None]:
        """Codes, counts and key sums of the smallest cube holding `dimensions` (for Cuboids)."""
        cube = self.cube if any(d not in self._month_free.categories for d in dimensions) else self._month_free
        keys = None if cube.keys is None or self.perturbation is None else cube.keys.astype(np.float64)
        return cube.codes, cube.counts.astype(np.float64), keys

    def clear_query_caches(self) -> list[str]:
        """Forget every cached query result (for benchmarks of cold queries). Returns the caches' names."""
        caches = {
            "aggregate": self._aggregate,
            "status_alone": self._status_alone,
            "grid": self._grid,
            "finer_grids": self._finer_grids,
            "selected_mask": self._selected_mask,
            "selected_positions": self._selected_positions,
            "row_index": self._row_index,
            "dimension_mask": self._dimension_mask,
            "allowed_codes": self._allowed_codes,
            "denominators": self._rates.denominators,
            "rate_positions": self._rates.positions,
        }
        for cache in caches.values():
            cache.cache_clear()
        return list(caches)

    # --- what the data hold -------------------------------------------------------------------
    @property
    def dimensions(self) -> tuple[str, ...]:
        return self.cube.dimensions

    @property
    def areas(self) -> AreaScheme:
        """The dataset's geography: US states or countries."""
        return scheme_of(self.dimensions)

    @property
    def geography(self) -> str:
        """The geography column: "state" or "country"."""
        return self.areas.dimension

    @property
    def has_censored(self) -> bool:
        """Whether some counts were suppressed at the source, so totals are lower bounds."""
        return self.cube.excess is not None and bool(self.cube.excess.any())

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

    def trend_grouping(self, filters: Filters, measure: str = "count") -> tuple[str, ...]:
        """What the page's trend chart groups by: its period, then trafficking type where the data have it.

        The period is the month when one year of data with months is chosen, else the year; rates stay
        by year (they are per 100,000 people per year, and a month is not a year). The trend panel draws
        this, and the totals checked against the trend (_totals_giving_cells_away) read the same.
        """
        years = filters.years
        one_year = years is not None and years[0] == years[1]
        period = "month" if one_year and "month" in self.dimensions and measure == "count" else "year"
        return (period, "trafficking_type") if "trafficking_type" in self.dimensions else (period,)

    def nbytes(self) -> int:
        """Memory the loaded data take: the cube, the cube summed over months and the pre-summed arrays."""
        month_free = self._month_free.nbytes() if self._month_free is not self.cube else 0
        return self.cube.nbytes() + month_free + self._cuboids.nbytes()

    def current(self) -> Dataset:
        """The dataset to answer one request from. A live source (refreshed in the background) returns its
        latest complete Dataset; callers take it once per request so a page never mixes two versions."""
        return self

    @cached_property
    def fingerprint(self) -> str:
        """A short digest of everything a published number depends on: the cube and the privacy settings.

        Part of every cache key (views, exports), so that new data or new settings never meet old answers.
        """
        digest = hashlib.blake2b(digest_size=12)
        settings = (self.min_cell, self.perturbation, self.cube.dimensions, self.cube.categories)
        digest.update(repr(settings).encode())
        for dimension in self.cube.dimensions:
            digest.update(np.ascontiguousarray(self.cube.codes[dimension]).data)
        digest.update(np.ascontiguousarray(self.cube.counts).data)
        for optional in (self.cube.excess, self.cube.keys):
            if optional is not None:
                digest.update(np.ascontiguousarray(optional).data)
        return digest.hexdigest()

    # --- the query ----------------------------------------------------------------------------
    def aggregate(
        self,
        by: Sequence[str] = (),
        filters: Filters | None = None,
        *,
        measure: str = "count",
        open_dimension: str | None = None,
    ) -> pd.DataFrame:
        """Signals grouped by `by` under `filters`, with small counts suppressed.

        Returns one row per combination of the observed values of the `by` dimensions (zeros
        included) with columns: the `by` columns, `count` (missing where suppressed),
        `suppressed` (bool) and `suppression` ("fewer_than_min" for a count below min_cell,
        "protects_small_count" for a cell hidden so a small count cannot be worked out, else
        missing). With measure="rate", also `population` and `rate` per 100,000 people per year.
        Where the data hold counts suppressed at the source, also `at_least` (bool): the shown
        count is a lower bound, and `count_max`, its upper bound; a hidden cell holding such counts has suppression
        "includes_censored" unless it is surely below min_cell.
        `by=[]` gives the total as a single row.

        `open_dimension` (one of `by`) is how a chart shows its own dimension: that dimension's
        filter is left open so every value appears, and its selected values, whose sum the rest of
        the page shows, are protected together so that no hidden one can be worked out from it.
        """
        return self._answer(by, filters, measure, open_dimension).frame.copy()

    def columns(
        self,
        by: Sequence[str] = (),
        filters: Filters | None = None,
        *,
        measure: str = "count",
        open_dimension: str | None = None,
    ) -> Mapping[str, tuple]:
        """What `aggregate` returns, as a read-only mapping of column name -> tuple of plain values.

        Each tuple is what the frame's column would list (`frame[name].tolist()`: pd.NA where missing).
        The page's panels read these: building them from the query's own arrays costs a fraction of
        reading columns back out of a DataFrame, which at a hotline's size costs more than the figures.
        """
        return self._answer(by, filters, measure, open_dimension).columns

    def hidden_on_its_own(
        self, by: Sequence[str] = (), filters: Filters | None = None, *, open_dimension: str | None = None
    ) -> tuple[str | None, ...]:
        """For each row of `aggregate(by, filters, open_dimension=...)`, its `suppression` where the cell is
        hidden whatever the rest of the page publishes, else None.

        These are the cells an aggregate hides by its own counts: its small counts, its pinned margins
        and the cells protecting them. `aggregate` starts from them and only ever hides more cells, for
        what the other charts publish: never fewer, nor for another reason. Found without any other
        chart's suppression: for a number that needs two cells shown, a hidden one settles it cheaply.
        """
        by = tuple(by)
        self._check_query(by, "count", open_dimension)
        view = filters or Filters()
        grid, _, status = self._status_alone(by, view, open_dimension)
        labels = [SUPPRESSION_REASON[code] for code in status.reshape(-1).tolist()]
        if self.cube.excess is not None:  # as _with_censoring labels them
            excess = self._excess_grid(by, view.without(open_dimension) if open_dimension is not None else view)
            maybe_large = self._may_reach_min_cell(grid, excess).tolist()
            labels = [CENSORED_SMALL if label is not None and large else label for label, large in zip(labels, maybe_large)]
        return tuple(labels)

    def _answer(self, by: Sequence[str], filters: Filters | None, measure: str, open_dimension: str | None) -> Answer:
        self._check_query(by, measure, open_dimension)
        return self._aggregate(tuple(by), filters or Filters(), measure, open_dimension)

    def _check_query(self, by: Sequence[str], measure: str, open_dimension: str | None) -> None:
        unknown = [d for d in by if d not in self.dimensions]
        if unknown:
            raise ValueError(f"unknown dimension(s) {unknown}; this dataset has {list(self.dimensions)}")
        if measure not in ("count", "rate"):
            raise ValueError(f"measure must be 'count' or 'rate', not {measure!r}")
        if open_dimension is not None and open_dimension not in by:
            raise ValueError(f"open_dimension {open_dimension!r} must be one of by={list(by)}")

    def _compute(self, by: tuple[str, ...], filters: Filters, measure: str, open_dimension: str | None) -> Answer:
        if measure == "rate":
            # The same counts and suppression as the count view (often asked for too), plus rates.
            counted = self._aggregate(by, filters, "count", open_dimension)
            return self._with_rates(counted, by, filters.without(open_dimension) if open_dimension is not None else filters)
        view_filters = filters
        grid, group, status = self._status_alone(by, view_filters, open_dimension)
        filters = view_filters.without(open_dimension) if open_dimension is not None else view_filters
        # What the rest of the page publishes, both ways: a total hidden there hides the cells adding
        # up to it here; cells of another chart that a total shown here would give away hide it here.
        hidden_totals = (
            self._groups_of_hidden_totals(by, view_filters, open_dimension, group, grid)
            if open_dimension is not None
            else None
        )
        giving_away = self._totals_giving_cells_away(by, view_filters, open_dimension, status)
        if hidden_totals is not None or giving_away is not None:
            # From every cell hidden alone, not only the pinned ones: protection picks cells greedily, so
            # with more cells to hide at the start it may pick others, and show one it hid alone. Then
            # what another chart's totals were checked against (_status_alone) would no longer hold.
            also_hide = _combine(status != privacy.SHOWN, _combine(hidden_totals, giving_away))
            status = privacy.suppress(grid, self.min_cell, also_hide=also_hide, group=group)
        answer = counted_answer(self._by_columns(by), self._by_values(by), grid, status)
        if self.cube.excess is not None:
            self._with_censoring(answer, self._excess_grid(by, filters), grid)
        return answer

    def _compute_status_alone(self, by: tuple[str, ...], view_filters: Filters, open_dimension: str | None):
        """An aggregate's grid and status from its own cells alone (its small counts, pinned margins and
        selected group), before what the rest of the page publishes: (grid, group, status). What the rest
        publishes only adds to it (_compute starts from it).

        Cached (as `_status_alone`): the aggregate builds on it, and so do the totals checked against it.
        """
        group = None
        filters = view_filters
        if open_dimension is not None:
            selected = view_filters.selection(open_dimension)
            filters = view_filters.without(open_dimension)
            if selected:
                group = (by.index(open_dimension), self._selected_mask(open_dimension, selected))
        grid, _ = self._grid(by, filters)
        pinned = self._pinned_margins(by, filters, grid)
        return grid, group, privacy.suppress(grid, self.min_cell, also_hide=pinned, group=group)

    def _totals_giving_cells_away(
        self, by: tuple[str, ...], view_filters: Filters, open_dimension: str | None, status: np.ndarray
    ) -> np.ndarray | None:
        """Shown cells of this aggregate that are the total of cells of another chart among which a hidden
        one could then be worked out (privacy.lines_protected, with this cell as the known total).

        The page's charts as _groups_of_hidden_totals knows them: a chart of one dimension leaves it open,
        and the trend splits its period (open) by trafficking type. Three totals are published over them:
        the view's total is the sum of each chart's selected bars (all of them without a selection) and
        of the trend's selected periods; a year's total (the change on the previous year) is the sum of
        that year's trend segments; a type's bar is the sum of its trend segments in the selected periods.
        A hidden cell alone among zeros cannot be covered by hiding another cell of the chart: its total
        is hidden here instead. The other charts' status is their own (_status_alone), which what is
        decided here can only add to, so nothing here depends on itself (the trend as published, for a
        year's total: it does not depend on the years' totals).
        """
        if self.min_cell <= 1:
            return None
        hide = np.zeros(status.shape, dtype=bool)

        def undecided(cell: tuple) -> bool:  # shown, and not hidden by a line checked before
            return status[cell] == privacy.SHOWN and not hide[cell]

        for cell, values, cells in self._lines_adding_up_to(by, view_filters, open_dimension, undecided):
            if not privacy.lines_protected(values[None, :], cells[None, :], self.min_cell)[0]:
                hide[cell] = True
        return hide if hide.any() else None

    def _lines_adding_up_to(self, by: tuple[str, ...], view_filters: Filters, open_dimension: str | None, undecided):
        """The other charts' bars adding up to each cell of this aggregate (_totals_giving_cells_away), as
        (cell, values, status alone), where a hidden one might be given away. Lazy: a cell that is hidden
        already, or gets hidden by a line before, costs no other chart's suppression."""
        # The trends of this view's count and rate pages (they share these totals), those split by type.
        trends = [g for g in dict.fromkeys(self.trend_grouping(view_filters, m) for m in ("rate", "count")) if len(g) == 2]
        split = trends[0][1] if trends else None
        periods = [period for period, _ in trends]
        if not by:
            for dimension in self.dimensions:
                if dimension == "month":
                    continue  # no chart of its own: the trend by month is checked below
                chosen = self._chosen(dimension, view_filters)
                grid, _ = self._grid((dimension,), view_filters.without(dimension))
                if not undecided(()) or self._cannot_give_away(grid[chosen]):
                    continue
                values, cells = self._cells_of((dimension,), view_filters, dimension)
                yield (), values[chosen], cells[chosen]
            for period in periods if split is not None else ():
                if undecided(()):
                    values, cells = self._cells_of((period, split), view_filters, period)
                    chosen = self._chosen(period, view_filters)
                    yield (), values[chosen].reshape(-1), cells[chosen].reshape(-1)
        elif split is not None and by == ("year",) and open_dimension == "year":
            # The trend as published (it does not depend on this aggregate): a type's bar hidden elsewhere
            # hides that type's segments there, which the year's total could then give back.
            grid, _ = self._grid(("year", split), view_filters.without("year"))
            years = [i for i in range(len(grid)) if undecided((i,)) and not self._cannot_give_away(grid[i])]
            if years:
                published = self._aggregate(("year", split), view_filters, "count", "year")
                cells = published.status.reshape(grid.shape)
                yield from (((i,), grid[i], cells[i]) for i in years)
        elif split is not None and by == (split,) and open_dimension == split:
            chosen_types = self._chosen(split, view_filters)
            for period in periods:
                chosen = self._chosen(period, view_filters)
                grid, _ = self._grid((period, split), view_filters.without(period))
                types = [
                    t for t in np.flatnonzero(chosen_types) if undecided((t,)) and not self._cannot_give_away(grid[chosen, t])
                ]
                if types:
                    values, cells = self._cells_of((period, split), view_filters, period)
                    yield from (((t,), values[chosen, t], cells[chosen, t]) for t in types)

    def _cannot_give_away(self, values: np.ndarray) -> bool:
        """Whether bars that add up to a published total can never give a hidden one away, known from their
        counts alone, without the chart's suppression.

        privacy.suppress protects every line (a chart's bars, or its selected ones) until it is protected
        or has nothing left to hide: left unprotected, every non-zero bar is hidden. Then, with two bars
        of at least min_cell whose excess over min_cell adds up to min_cell - 1 or more, lines_protected
        holds for any split of the hidden bars into small ones and ones hidden to protect them.
        """
        large = values[values >= self.min_cell]
        return len(large) >= 2 and int((large - self.min_cell).sum()) >= self.min_cell - 1

    def _cells_of(self, by: tuple[str, ...], view_filters: Filters, open_dimension: str) -> tuple[np.ndarray, np.ndarray]:
        """A chart's published grid and its status alone. Where no cell is small or small enough to be a
        pinned margin (_pinned_margins), nothing is hidden: that is known from the grid, without the
        finer grids (most charts of a large selection)."""
        grid, _ = self._grid(by, view_filters.without(open_dimension))
        if not ((grid > 0) & (grid <= self._largest_pinned_margin)).any():
            return grid, np.zeros(grid.shape, dtype=np.int8)  # privacy.SHOWN everywhere
        return grid, self._status_alone(by, view_filters, open_dimension)[2]

    @cached_property
    def _largest_pinned_margin(self) -> int:
        """No cell above this is small or a pinned margin: the candidates' bound of _pinned_margins."""
        return max(self._largest_margin_pinned_by.values())

    def _chosen(self, dimension: str, filters: Filters) -> np.ndarray:
        """Which values of a dimension a chart's bars add up over: the selected ones, or all."""
        selected = filters.selection(dimension)
        return self._selected_mask(dimension, tuple(selected)) if selected else np.ones(len(self.values(dimension)), dtype=bool)

    def _groups_of_hidden_totals(self, by, view_filters: Filters, open_dimension: str, group, grid: np.ndarray):
        """Cells to hide because the number they add up to is hidden elsewhere on the page.

        A chart's selected values add up to a number computed under the view's own filters (the
        KPI total, or the trend's per-type totals). Where that number is hidden, the selected cells
        are hidden with it, or a single selected bar would show it. With no selection the whole
        line adds up to it, so at least its smallest non-zero cell is hidden.
        """
        axis = by.index(open_dimension)
        coarser_by = tuple(d for d in by if d != open_dimension)
        # The sum is published by the chart of the remaining dimension, which leaves its own
        # dimension open; use that very aggregate so both agree on what is hidden.
        coarser = self._aggregate(coarser_by, view_filters, "count", coarser_by[0] if len(coarser_by) == 1 else None)
        hidden_totals = coarser.suppressed.reshape([len(self.values(d)) for d in coarser_by] or ())
        if not hidden_totals.any():
            return None
        lines_hidden = np.expand_dims(hidden_totals, axis)
        if group is not None:
            shape = [1] * grid.ndim
            shape[axis] = grid.shape[axis]
            return lines_hidden & group[1].reshape(shape)
        positive = np.where(grid > 0, grid, np.iinfo(np.int64).max)
        smallest = positive == positive.min(axis=axis, keepdims=True)
        first_smallest = smallest & (np.cumsum(smallest, axis=axis) == 1)
        return lines_hidden & first_smallest & (grid > 0)

    def _compute_selected_mask(self, dimension: str, selected: tuple) -> np.ndarray:
        """Which observed values of a dimension are selected (a year selection is a range).

        Cached (as `_selected_mask`, read-only): every grid read from a pre-summed array needs its filters'.
        """
        values = self.values(dimension)
        if dimension == "year":
            first, last = selected
            mask = np.array([first <= v <= last for v in values], dtype=bool)
        else:
            chosen = set(selected)
            mask = np.array([v in chosen for v in values], dtype=bool)
        mask.flags.writeable = False
        return mask

    def _compute_selected_positions(self, filters: Filters) -> Mapping[str, np.ndarray]:
        """Per dimension with a selection, the positions of its selected values among the observed ones.

        Cached (as `_selected_positions`): every grid read from a pre-summed array needs its filters'.
        """
        found = {}
        for dimension in self.dimensions:
            selected = filters.selection(dimension)
            if selected:
                # Writable, like the positions of an open dimension: one signature of the compiled sum.
                found[dimension] = np.flatnonzero(self._selected_mask(dimension, tuple(selected)))
        return MappingProxyType(found)

    def _pinned_margins(self, by: tuple[str, ...], filters: Filters, grid: np.ndarray) -> np.ndarray | None:
        """Cells of this aggregate that are the total of a finer breakdown made only of small counts.

        Such a total must be hidden here, or it would pin the small counts of the breakdown shown
        in another chart. The finer breakdown is computed only when some cell is at most (values
        of the other dimension) x (min_cell - 1): a larger total has a large cell to hide beside
        its small ones, and at ten million signals that keeps broad views free of this cost.
        """
        if self.min_cell <= 1:
            return None
        values = np.atleast_1d(grid).reshape(-1)
        in_range = values >= self.min_cell
        if not in_range.any():
            return None
        # A dimension is split out only where some cell is a candidate: at least min_cell and at most its bound.
        smallest = int(values[in_range].min())
        others = tuple(o for o in self.dimensions if o not in by and smallest <= self._largest_margin_pinned_by[o])
        if not others:
            return None
        hide = np.zeros(values.shape, dtype=bool)
        for other, finer in zip(others, self._finer_grids(by, filters, others)):
            pinned = privacy.pinned_margins(finer.reshape(-1, len(self.values(other))), self.min_cell)
            if pinned.any():
                hide |= pinned & in_range & (values <= self._largest_margin_pinned_by[other])
        return hide.reshape(grid.shape) if hide.any() else None

    @cached_property
    def _largest_margin_pinned_by(self) -> dict[str, int]:
        """Per dimension, the largest total its split can pin: every one of its values a small count."""
        return {d: len(self.values(d)) * (self.min_cell - 1) for d in self.dimensions}

    def _compute_grid(self, by: tuple[str, ...], filters: Filters) -> tuple[np.ndarray, list[tuple]]:
        """Counts as an n-dimensional array over the observed values of each `by` dimension.

        These are the published counts: with perturbation, each cell's true count plus the change its
        cell key selects (hotline.cellkey). A cell whose true count is small keeps a value below
        min_cell, so that suppression (which reads only this grid) hides it whatever its noise: a
        small count is hidden whether the noise would lift it past min_cell or not.

        Cached (as `_grid`): a count and a rate view, and several charts, share the same grids.
        The array is read-only so no caller can change a cached result.
        """
        if self.perturbation is None:
            return self._sum_into_grid(by, filters, "counts")
        (counts, keys), axes = self._sum_into_grids(by, filters, "counts", "keys")
        published = self._published(counts, keys)
        published.flags.writeable = False
        return published, axes

    def _compute_finer_grids(self, by: tuple[str, ...], filters: Filters, others: tuple[str, ...]) -> list[np.ndarray]:
        """The grid (*by, other) of each dimension in `others`, as `_grid` gives it, in one pass.

        An aggregate's pinned margins need one finer grid per other dimension, all over the same
        rows: those no pre-summed array holds are summed in one pass over the rows (cube.sum_rows),
        side by side, and published in one call (the cell-by-cell perturbation does not depend on
        the batch). Cached (as `_finer_grids`).
        """
        measures = ("counts",) if self.perturbation is None else ("counts", "keys")
        # First those a pre-summed array holds (hotline.cuboids): no pass over the cube.
        summed = {other: self._from_cuboid((*by, other), filters, measures) for other in others}
        summed = {other: grids for other, grids in summed.items() if grids is not None}
        found = {}
        if summed:
            flat = [np.concatenate([grids[i].reshape(-1) for grids in summed.values()]) for i in range(len(measures))]
            found = self._published_side_by_side(flat, {other: grids[0].shape for other, grids in summed.items()})
        by_shape = tuple(len(self.values(d)) for d in by)
        for full in (False, True):  # a month grid reads the full cube, the others the month-free one
            group = tuple(o for o in others if o not in found and self._needs_months((*by, o), filters) == full)
            if group:
                sums = self._sum_rows(by, group, filters, measures, full)
                found.update(self._published_side_by_side(list(sums), {o: (*by_shape, len(self.values(o))) for o in group}))
        return [found[other] for other in others]

    def _published_side_by_side(self, sums: list[np.ndarray], shapes: dict[str, tuple]) -> dict[str, np.ndarray]:
        """Grids summed side by side in flat arrays (counts[, keys]), published in one call and split into
        read-only grids of the given shapes, in order."""
        published = sums[0] if self.perturbation is None else self._published(*sums)
        grids, start = {}, 0
        for other, shape in shapes.items():
            grid = published[start : start + math.prod(shape)].reshape(shape)
            grid.flags.writeable = False
            grids[other] = grid
            start += grid.size
        return grids

    def _published(self, counts: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Counts as published: perturbed by their cell keys, a small count kept below min_cell (see _compute_grid)."""
        return self.perturbation.perturb(counts, keys, small_below=self.min_cell)

    def _excess_grid(self, by: tuple[str, ...], filters: Filters) -> np.ndarray:
        """Like the count grid, for the censored excess (data with "<5" counts only)."""
        return self._sum_into_grid(by, filters, "excess")[0]

    def _sum_into_grid(self, by, filters: Filters, measure: str) -> tuple[np.ndarray, list[tuple]]:
        (grid,), axes = self._sum_into_grids(by, filters, measure)
        return grid, axes

    def _sum_into_grids(self, by, filters: Filters, *measures: str) -> tuple[list[np.ndarray], list[tuple]]:
        """Each measure (a column of the cube: "counts", "keys", "excess") summed into the same grid."""
        from_cuboid = self._from_cuboid(by, filters, measures)
        if from_cuboid is not None:
            return from_cuboid, [self.values(dimension) for dimension in by]
        full = self._needs_months(by, filters)
        if not by:
            cube = self.cube if full else self._month_free
            rows = self._row_index(filters, full)
            columns = [getattr(cube, measure) for measure in measures]
            grids = [_whole(np.asarray((c if rows is None else c[rows]).sum())) for c in columns]
        else:
            sums = self._sum_rows(by[:-1], by[-1:], filters, measures, full)
            grids = [flat.reshape(tuple(len(self.values(d)) for d in by)) for flat in sums]
        for grid in grids:
            grid.flags.writeable = False
        return grids, [self.values(dimension) for dimension in by]

    def _sum_rows(self, by: tuple[str, ...], others: tuple[str, ...], filters: Filters, measures, full: bool) -> np.ndarray:
        """cube.sum_rows over the rows matching `filters` of the full cube or the one summed over months:
        one row of whole numbers per measure, the grids (*by, other) of each of `others` side by side."""
        cube = self.cube if full else self._month_free
        codes, positions, index = self._row_layouts[full]
        rows = self._row_index(filters, full)

        def dimension_indices(dimensions):
            return np.array([index[d] for d in dimensions], dtype=np.intp)

        def sizes(dimensions):
            return np.array([len(self.values(d)) for d in dimensions], dtype=np.intp)

        sums = sum_rows(
            codes,
            positions,
            _NO_ROWS if rows is None else rows,
            rows is None,
            dimension_indices(by),
            sizes(by),
            dimension_indices(others),
            sizes(others),
            tuple(getattr(cube, measure) for measure in measures),
        )
        return _whole(sums)

    @cached_property
    def _row_layouts(self) -> dict[bool, tuple[tuple[np.ndarray, ...], np.ndarray, dict[str, int]]]:
        """What cube.sum_rows reads of each cube (True: the full one): its codes, one array per dimension
        of one integer type (no copy where they already are), each dimension's value positions as one
        matrix, and each dimension's index in both."""
        layouts = {}
        for full, cube in ((False, self._month_free), (True, self.cube)):
            dimensions = cube.dimensions
            common = np.result_type(*(cube.codes[d].dtype for d in dimensions))
            codes = tuple(np.ascontiguousarray(cube.codes[d], dtype=common) for d in dimensions)
            positions = np.zeros((len(dimensions), max(len(self._value_positions[d]) for d in dimensions)), dtype=np.intp)
            for i, dimension in enumerate(dimensions):
                positions[i, : len(self._value_positions[dimension])] = self._value_positions[dimension]
            layouts[full] = (codes, positions, {d: i for i, d in enumerate(dimensions)})
        return layouts

    def _from_cuboid(self, by, filters: Filters, measures) -> list[np.ndarray] | None:
        """The grids of `_sum_into_grids` read from a pre-summed array (hotline.cuboids), where one holds
        every dimension the grid and its filters involve; None where none does."""
        if not set(measures) <= {"counts", "keys"} or ("keys" in measures and self.perturbation is None):
            return None
        positions = self._selected_positions(filters)
        dims = self._cuboids.find(set(by) | positions.keys())
        if dims is None:
            return None
        counts, *keys = self._cuboids.grids(dims, by, positions, keys="keys" in measures)
        grids = [counts if measure == "counts" else keys[0] for measure in measures]
        for grid in grids:
            grid.flags.writeable = False
        return grids

    @cached_property
    def _value_positions(self) -> dict[str, np.ndarray]:
        """Per dimension, each category's position among the observed values (which never change)."""
        out = {}
        for dimension, categories in self.cube.categories.items():
            observed = self.values(dimension)
            position = np.zeros(len(categories), dtype=np.intp)
            position[[categories.index(v) for v in observed]] = np.arange(len(observed))
            out[dimension] = position
        return out

    def _may_reach_min_cell(self, grid: np.ndarray, excess: np.ndarray) -> np.ndarray:
        """Per cell (flat), whether counts suppressed at the source may lift it to min_cell or more: hidden,
        it is "includes_censored", not a count below min_cell."""
        excess = np.asarray(excess).reshape(-1)
        return (excess > 0) & (np.asarray(grid).reshape(-1) + excess >= self.min_cell)

    def _with_censoring(self, answer: Answer, excess: np.ndarray, grid: np.ndarray) -> None:
        """Add `at_least` and `count_max` to a count aggregate (in place), and "includes_censored"."""
        excess = np.asarray(excess).reshape(-1)
        suppressed, counts, parts = answer.suppressed, answer.counts, answer.parts
        at_least = (excess > 0) & ~suppressed
        maybe_large = suppressed & self._may_reach_min_cell(grid, excess)
        labels, count = parts["suppression"], parts["count"]

        def relabelled():
            found = labels().copy()
            found[maybe_large] = CENSORED_SMALL
            return found

        if maybe_large.any():
            parts["suppression"] = relabelled
        parts["at_least"] = at_least
        # The most a shown cell can hold: what a change or a share may be at most (never shown as a count).
        parts["count_max"] = lambda: count() + pd.array(excess, dtype="Int64")
        hidden = suppressed.tolist()
        plain = dict(answer.columns)
        plain["suppression"] = tuple(
            CENSORED_SMALL if large else label for label, large in zip(plain["suppression"], maybe_large.tolist())
        )
        plain["at_least"] = tuple(at_least.tolist())
        plain["count_max"] = tuple(pd.NA if h else c + e for c, e, h in zip(counts.tolist(), excess.tolist(), hidden))
        answer.columns = MappingProxyType(plain)

    def _needs_months(self, by: tuple[str, ...], filters: Filters) -> bool:
        """Whether a query must read the full cube: it groups or filters by a dimension summed away."""
        kept = self._month_free.categories
        return any(d not in kept for d in by) or any(filters.selection(d) for d in self.dimensions if d not in kept)

    def _compute_row_index(self, filters: Filters, full: bool = True) -> np.ndarray | None:
        """Rows of the cube (the full one, or the one summed over months) that match every active filter.

        None: all rows.
        """
        if full and self._month_rows is not None and not self._needs_months((), filters):
            # Every active filter is on a dimension the month-free cube keeps: match there, then
            # list the full-cube rows summed into each match (work in proportion to the matches).
            return member_rows(self._row_index(filters, False), *self._month_rows)
        cube = self.cube if full else self._month_free
        selected = {d: tuple(selection) for d in cube.dimensions if (selection := filters.selection(d))}
        blocks = self._leading_blocks[full]
        if blocks is not None and selected.keys() & set(blocks[0]):
            # The years and places chosen (the cube's first dimensions) are runs of rows: read only those,
            # then keep the ones matching the other filters. At a hotline's size most views choose a few
            # states, and a pass over the whole cube per filter cost more than the rest of the query.
            leading, bounds = blocks
            # Up to the last one chosen: the dimensions after it are whole runs.
            used = leading[: max(i for i, d in enumerate(leading) if d in selected) + 1]
            chosen = [
                np.flatnonzero(self._allowed_codes(d, selected[d])) if d in selected else np.arange(len(cube.categories[d]))
                for d in used
            ]
            first, sizes = block_runs(bounds, tuple(len(cube.categories[d]) for d in leading), chosen)
            # The other filters, checked row by row in the same pass.
            others = [d for d in selected if d not in used]
            codes, _, index = self._row_layouts[full]
            allowed = np.zeros((len(others), max((len(cube.categories[d]) for d in others), default=0)), dtype=bool)
            for j, dimension in enumerate(others):
                allowed[j, : len(cube.categories[dimension])] = self._allowed_codes(dimension, selected[dimension])
            return rows_in_runs(first, sizes, codes, np.array([index[d] for d in others], dtype=np.intp), allowed)
        mask = None
        for dimension, chosen in selected.items():
            dimension_mask = self._dimension_mask(dimension, chosen, full)
            mask = dimension_mask if mask is None else mask & dimension_mask
        return None if mask is None else np.flatnonzero(mask)

    @cached_property
    def _leading_blocks(self) -> dict[bool, tuple[tuple[str, ...], np.ndarray] | None]:
        """Per cube (True: the full one), where the rows of each combination of its first dimensions start."""
        return {False: leading_blocks(self._month_free), True: leading_blocks(self.cube)}

    def _compute_dimension_mask(self, dimension: str, selected: tuple, full: bool = True) -> np.ndarray:
        cube = self.cube if full else self._month_free
        return np.take(self._allowed_codes(dimension, selected), cube.codes[dimension])  # as allowed[codes], about twice as fast

    def _compute_allowed_codes(self, dimension: str, selected: tuple) -> np.ndarray:
        """Which of a dimension's categories (cube codes, the same in both cubes) a selection keeps.

        Cached (as `_allowed_codes`, read-only)."""
        categories = self.cube.categories[dimension]
        allowed = np.zeros(len(categories), dtype=bool)
        if dimension == "year":
            first, last = selected
            allowed[:] = [first <= year <= last for year in categories]
        else:
            allowed[[categories.index(v) for v in selected if v in categories]] = True
        allowed.flags.writeable = False
        return allowed

    # --- rates ---------------------------------------------------------------------------------
    @cached_property
    def _rates(self) -> RateTable:
        areas = (
            [a for a in self.values(self.geography) if a != UNKNOWN_AREA] if self.geography in self.dimensions else []
        )
        return RateTable(self.geography, areas, self.years)

    def _with_rates(self, counted: Answer, by: tuple[str, ...], filters: Filters) -> Answer:
        """The count aggregate `counted` with its population and rate columns."""
        keys = {name: counted.columns[name] for name in (self.geography, "year") if name in by}
        count = np.where(counted.suppressed, np.nan, counted.counts.astype(np.float64))
        (people, no_people), (rate, no_rate) = self._rates.measures(
            keys, count, counted.suppressed, filters.geography(), filters.years
        )
        parts = {
            **counted.parts,
            "population": lambda: pd.arrays.FloatingArray(people, no_people.copy()),
            "rate": lambda: pd.arrays.FloatingArray(rate, no_rate.copy()),
        }
        columns = {**counted.columns, "population": with_missing(people, no_people), "rate": with_missing(rate, no_rate)}
        return Answer(parts, columns, counted.counts, counted.suppressed, total=not by, status=counted.status)


# The rows argument of cube.sum_rows when it sums every row.
_NO_ROWS = np.zeros(0, dtype=np.intp)


def _whole(sums: np.ndarray) -> np.ndarray:
    """Sums as int64: counts and key sums already are; the censored excess is summed in float64."""
    return sums if sums.dtype == np.int64 else np.rint(sums).astype(np.int64)


def _combine(first: np.ndarray | None, second: np.ndarray | None) -> np.ndarray | None:
    if first is None or second is None:
        return second if first is None else first
    return first | second
