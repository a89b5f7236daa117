"""The query layer's shortcuts give the same answers as the plain formulations they replace.

Each reference below is the straightforward version of a step that hotline computes a faster way
(perturbation by one 2D comparison, suppression that skips sweeps known to change nothing, rate
denominators by position instead of a merge); every published number must stay bit-for-bit the same.
"""

from functools import lru_cache

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from ui_helpers import demo, small_dataset

from hotline import Filters
from hotline.answer import CENSORED_SMALL
from hotline.cellkey import KEY_RANGE, PerturbationTable
from hotline.cube import build_cube
from hotline.dataset import Dataset, SourceInfo
from hotline.filters import DIMENSION_FIELD
from hotline.normalize import normalize
from hotline.privacy import (
    FEWER_THAN_MIN,
    HIDDEN_TO_PROTECT,
    SHOWN,
    _not_alone_in_any_line,
    _protect_lines,
    _suppress_sweeps,
    lines_protected,
    pinned_margins,
    suppress,
)
from hotline.rates import RateTable


def _perturb_threshold_by_threshold(table: PerturbationTable, counts: np.ndarray, keys: np.ndarray) -> np.ndarray:
    changes, cumulative = table._thresholds
    counts = np.asarray(counts, dtype=np.int64)
    keys = np.asarray(keys, dtype=np.int64) % KEY_RANGE
    rows = np.minimum(counts, table.max_change + 1).reshape(-1)
    position = np.zeros(rows.shape, dtype=np.intp)
    for column in range(len(changes) - 1):
        position += keys.reshape(-1) >= cumulative[rows, column]
    return counts + changes[position].reshape(counts.shape)


def _suppress_every_sweep(counts: np.ndarray, min_cell: int, group=None, also_hide=None) -> np.ndarray:
    """suppress() sweeping every axis until a whole sweep changes nothing (no sweep skipped)."""
    status = np.where((counts > 0) & (counts < min_cell), FEWER_THAN_MIN, SHOWN).astype(np.int8)
    if min_cell > 1 and also_hide is not None:
        status[also_hide & (status == SHOWN) & (counts > 0)] = HIDDEN_TO_PROTECT
    if min_cell <= 1 or counts.ndim == 0 or not status.any():
        return status
    eligible = _not_alone_in_any_line(counts, group)
    changed = True
    while changed:
        changed = False
        for axis in range(counts.ndim):
            size = counts.shape[axis]
            lines_counts = np.moveaxis(counts, axis, -1).reshape(-1, size)
            lines_status = np.moveaxis(status, axis, -1).reshape(-1, size).copy()
            lines_eligible = np.moveaxis(eligible, axis, -1).reshape(-1, size)
            axis_changed = _protect_lines(lines_counts, lines_status, min_cell, lines_eligible)
            if group is not None and group[0] == axis:
                selected = group[1]
                part = lines_status[:, selected]
                if _protect_lines(lines_counts[:, selected], part, min_cell, lines_eligible[:, selected]):
                    lines_status[:, selected] = part
                    axis_changed = True
            if axis_changed:
                changed = True
                status = np.moveaxis(lines_status.reshape(np.moveaxis(counts, axis, -1).shape), -1, axis)
    return np.ascontiguousarray(status)


@settings(max_examples=200, deadline=None)
@given(
    counts=hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=6), elements=st.integers(0, 40)),
    seed=st.integers(0, 2**32 - 1),
    table=st.sampled_from([PerturbationTable(), PerturbationTable(1, 0.5), PerturbationTable(10, 20.0)]),
)
def test_perturbation_matches_the_threshold_by_threshold_lookup(counts, seed, table):
    keys = np.random.default_rng(seed).integers(-KEY_RANGE, 2 * KEY_RANGE, size=counts.shape)
    expected = _perturb_threshold_by_threshold(table, counts, keys)
    np.testing.assert_array_equal(table.perturb(counts, keys), expected)
    small = (counts > 0) & (counts < 10)  # a small count stays small (1..9), whatever its noise
    kept_small = np.where(small, np.clip(expected, 1, 9), expected)
    np.testing.assert_array_equal(table.perturb(counts, keys, small_below=10), kept_small)


def test_perturbation_on_and_beside_every_threshold_matches_the_lookup():
    """Keys on a threshold begin the next change: random keys almost never land there."""
    for table in [PerturbationTable(), PerturbationTable(1, 0.5)]:
        _, cumulative = table._thresholds
        for count in range(table.max_change + 3):
            row = cumulative[min(count, table.max_change + 1), :-1]
            keys = np.concatenate([row - 1, row, row + KEY_RANGE])  # a key is taken modulo KEY_RANGE
            counts = np.full(keys.shape, count)
            expected = _perturb_threshold_by_threshold(table, counts, keys)
            np.testing.assert_array_equal(table.perturb(counts, keys), expected)


# Grids of a narrow selection: about half the cells are zeros, which decide where hiding can help.
_SPARSE_COUNTS = st.one_of(st.just(0), st.integers(1, 30))


@settings(max_examples=400, deadline=None)
@given(
    counts=hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6), elements=_SPARSE_COUNTS),
    min_cell=st.sampled_from([1, 3, 10]),
    data=st.data(),
)
def test_suppression_matches_every_sweep_of_every_axis(counts, min_cell, data):
    """1D and 2D grids go through the compiled sweeps, larger ones through numpy's: both skip sweeps known
    to change nothing, and both must hide what sweeping every axis until nothing changes hides."""
    group = None
    if data.draw(st.booleans()):
        axis = data.draw(st.integers(0, counts.ndim - 1))
        mask = np.array(data.draw(st.lists(st.booleans(), min_size=counts.shape[axis], max_size=counts.shape[axis])))
        group = (axis, mask)
    also_hide = data.draw(hnp.arrays(np.bool_, counts.shape)) if data.draw(st.booleans()) else None
    expected = _suppress_every_sweep(counts, min_cell, group, also_hide)
    np.testing.assert_array_equal(suppress(counts, min_cell, also_hide=also_hide, group=group), expected)
    np.testing.assert_array_equal(_suppress_sweeps(counts, min_cell, also_hide, group), expected)


def _exposed_lines(values: np.ndarray, status: np.ndarray, min_cell: int) -> np.ndarray:
    """Indices of the rows with a hidden cell that are not protected (lines_protected)."""
    with_hidden = np.flatnonzero((status != SHOWN).any(axis=1))
    return with_hidden[~lines_protected(values[with_hidden], status[with_hidden], min_cell)]


def _protect_lines_as_numpy_rounds(values, status, min_cell, eligible) -> bool:
    """_protect_lines as numpy calls over every exposed line at once, one hidden cell per line a round."""
    exposed = _exposed_lines(values, status, min_cell)
    changed = False
    while len(exposed):
        line_values, line_status = values[exposed], status[exposed]
        hideable = (line_status == SHOWN) & (line_values > 0)
        preferred = hideable & eligible[exposed]
        hideable = np.where(preferred.any(axis=1, keepdims=True), preferred, hideable)
        can_hide = hideable.any(axis=1)
        exposed, hideable, line_values = exposed[can_hide], hideable[can_hide], line_values[can_hide]
        if not len(exposed):
            break
        smallest = np.where(hideable, line_values, np.iinfo(np.int64).max).argmin(axis=1)
        status[exposed, smallest] = HIDDEN_TO_PROTECT
        changed = True
        exposed = exposed[~lines_protected(values[exposed], status[exposed], min_cell)]
    return changed


@settings(max_examples=400, deadline=None)
@given(
    values=hnp.arrays(np.int64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=8), elements=st.integers(0, 40)),
    min_cell=st.sampled_from([3, 5, 10]),
    data=st.data(),
)
def test_compiled_line_protection_matches_numpy_rounds(values, min_cell, data):
    shape = values.shape
    status = data.draw(hnp.arrays(np.int8, shape, elements=st.sampled_from([SHOWN, FEWER_THAN_MIN, HIDDEN_TO_PROTECT])))
    status = np.where(values == 0, SHOWN, status).astype(np.int8)  # a zero is never hidden
    eligible = data.draw(hnp.arrays(np.bool_, shape))
    compiled, rounds = status.copy(), status.copy()
    assert _protect_lines(values, compiled, min_cell, eligible) == _protect_lines_as_numpy_rounds(
        values, rounds, min_cell, eligible
    )
    assert np.array_equal(compiled, rounds)


def _pinned_margins_as_numpy_sweeps(grid: np.ndarray, min_cell: int) -> np.ndarray:
    """pinned_margins as whole-array numpy steps: unprotected rows, then rows whose small counts can be
    recovered by subtraction along rows (of unpinned totals) and columns, until none is added."""
    status = _suppress_every_sweep(grid, min_cell)
    pinned = np.zeros(len(grid), dtype=bool)
    if not (status == FEWER_THAN_MIN).any():
        return pinned
    pinned[_exposed_lines(grid, status, min_cell)] = True
    while True:
        unknown, recovered = status != SHOWN, np.zeros(grid.shape, dtype=bool)
        while True:
            rows = ~pinned & (unknown.sum(axis=1) == 1)
            columns = unknown.sum(axis=0) == 1
            found = unknown & (rows[:, None] | columns[None, :])
            if not found.any():
                break
            recovered |= found
            unknown &= ~found
        newly = (recovered & (status == FEWER_THAN_MIN)).any(axis=1) & ~pinned
        if not newly.any():
            return pinned
        pinned |= newly


@settings(max_examples=400, deadline=None)
@given(
    grid=hnp.arrays(np.int64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=8), elements=_SPARSE_COUNTS),
    min_cell=st.sampled_from([2, 3, 10]),
)
def test_compiled_pinned_margins_match_numpy_sweeps(grid, min_cell):
    np.testing.assert_array_equal(pinned_margins(grid, min_cell), _pinned_margins_as_numpy_sweeps(grid, min_cell))


def test_rates_by_position_match_a_row_by_row_lookup_whatever_the_row_order():
    table = RateTable("state", ["TX", "GU", "CA", "NY"], (2019, 2021))
    frame = pd.DataFrame(
        {
            "state": ["NY", "GU", "TX", "unknown", "CA", "TX"],
            "year": [2021, 2020, 2019, 2020, 2022, 2021],
            "count": pd.array([50, 3, 400, 7, 90, None], dtype="Int64"),
            "suppressed": [False, False, False, False, False, True],
        }
    )
    for geography, years in [((), None), (("TX", "CA"), (2020, 2021)), (("GU",), None)]:
        result = table.attach(frame.copy(), ("state", "year"), geography, years)
        population = table._people
        expected = []
        for state, year in zip(frame["state"], frame["year"], strict=True):
            selected = (not geography or state in geography) and (not years or years[0] <= year <= years[1])
            known = state in table._area_index and year in table._year_index
            value = population[table._area_index.get_loc(state), table._year_index.get_loc(year)] if known else np.nan
            expected.append(value if selected else np.nan)
        expected = pd.array(expected, dtype="Float64")
        pd.testing.assert_extension_array_equal(result["population"].array, expected)
        rate = frame["count"].astype("Float64") / expected * 100_000
        rate = rate.where(~frame["suppressed"] & (expected > 0).fillna(False))
        pd.testing.assert_series_equal(result["rate"], pd.Series(rate, name="rate"), check_exact=False, rtol=0)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), exact=st.booleans())
def test_finer_grids_in_one_pass_match_each_grid_alone(data, exact):
    """The pinned margins' finer grids, summed side by side, are each the grid `_grid` gives alone."""
    dataset = small_dataset() if not exact else _exact_small()
    dimensions = list(dataset.dimensions)
    by = tuple(data.draw(st.lists(st.sampled_from(dimensions), max_size=2, unique=True)))
    others = tuple(data.draw(st.lists(st.sampled_from([d for d in dimensions if d not in by]), min_size=1, unique=True)))
    chosen = {}
    fields = {"states": "state", "genders": "gender", "callers": "caller"}
    for name in data.draw(st.lists(st.sampled_from(sorted(fields)), max_size=2, unique=True)):
        values = list(dataset.values(fields[name]))
        chosen[name] = tuple(data.draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True)))
    if data.draw(st.booleans()):
        first, last = dataset.years
        chosen["years"] = (first + 1, last)
    filters = Filters(**chosen)
    together = dataset._finer_grids(by, filters, others)
    for other, grid in zip(others, together, strict=True):
        alone, _ = dataset._grid((*by, other), filters)
        np.testing.assert_array_equal(grid, alone)
        assert not grid.flags.writeable


@lru_cache(maxsize=1)
def _exact_small():
    cube = small_dataset().cube
    return Dataset(cube, source=SourceInfo("small.csv", "small test data"), records=1, perturbation=None)


def test_finer_grids_from_the_full_cube_match_each_grid_alone():
    """With a month selected every grid reads the full cube (not the one summed over months): the same."""
    dataset = demo()
    filters = Filters(years=(2020, 2020), months=(3, 4), states=("TX", "CA"))
    for by in [(), ("state",), ("year", "trafficking_type")]:
        others = tuple(d for d in dataset.dimensions if d not in by)
        for other, grid in zip(others, dataset._finer_grids(by, filters, others), strict=True):
            np.testing.assert_array_equal(grid, dataset._grid((*by, other), filters)[0])


def _plain(values: list) -> list:
    """pd.NA as None, so that lists compare with ==."""
    return [None if v is pd.NA else v for v in values]


@settings(max_examples=80, deadline=None)
@given(data=st.data(), measure=st.sampled_from(["count", "rate"]))
def test_columns_are_the_frames_columns_as_plain_values(data, measure):
    """Dataset.columns (built from the query's arrays) lists what each column of `aggregate` lists."""
    dataset = data.draw(st.sampled_from([small_dataset(), demo(), _censored()]))
    dimensions = list(dataset.dimensions)
    by = tuple(data.draw(st.lists(st.sampled_from(dimensions), max_size=2, unique=True)))
    open_dimension = data.draw(st.sampled_from([None, *by]))
    areas = list(dataset.values(dataset.geography))
    chosen = tuple(data.draw(st.lists(st.sampled_from(areas), max_size=2, unique=True)))
    filters = Filters(**{DIMENSION_FIELD[dataset.geography]: chosen})
    frame = dataset.aggregate(by, filters, measure=measure, open_dimension=open_dimension)
    columns = dataset.columns(by, filters, measure=measure, open_dimension=open_dimension)
    assert list(columns) == list(frame.columns)
    for name in frame.columns:
        assert _plain(list(columns[name])) == _plain(frame[name].tolist()), name
        assert all(type(a) is type(b) for a, b in zip(columns[name], frame[name].tolist(), strict=True)), name


@lru_cache(maxsize=1)
def _censored():
    """Counts suppressed at the source ("<5"): the columns `at_least` and `count_max`, and "includes_censored"."""
    rows = [("MEX", "2019", "sex", "1,281"), ("MEX", "2019", "labor", "<5"), ("MEX", "2020", "labor", "<5"),
            ("USA", "2019", "sex", "8,375"), ("USA", "2020", "labor", "7"), ("DEU", "2020", "sex", "300"),
            ("DEU", "2019", "labor", "<5"), ("BRA", "2020", "sex", "<5")]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["Country", "Year", "Type", "Count"], dtype=object)
    table = normalize(frame, "glotip.csv")
    return Dataset(build_cube(table), source=SourceInfo("glotip.csv", "test rows"), records=len(table), perturbation=None)


def test_cells_hidden_on_their_own_carry_the_labels_of_the_aggregate_with_counts_censored_at_the_source():
    """With "<5" counts, a hidden cell that may hold 10 or more is "includes_censored" in both."""
    data = _censored()
    labels = set()
    for by, open_dimension in [((), None), (("country",), "country"), (("year",), "year"), (("year", "country"), "year")]:
        alone = data.hidden_on_its_own(by, open_dimension=open_dimension)
        published = data.aggregate(by, open_dimension=open_dimension)["suppression"].tolist()
        for reason, shown in zip(alone, published, strict=True):
            assert reason is None or reason == shown
        labels |= set(alone)
    assert CENSORED_SMALL in labels  # the case is met


@lru_cache(maxsize=2)
def _without_cuboids(dataset: Dataset) -> Dataset:
    """The same data and settings, every grid summed from the cube's rows (no pre-summed arrays)."""
    plain = Dataset(dataset.cube, min_cell=dataset.min_cell, source=dataset.source, records=dataset.records,
                    perturbation=dataset.perturbation)  # fmt: skip
    plain._cuboids.arrays.clear()
    return plain


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_grids_from_pre_summed_arrays_match_grids_from_the_cube(data):
    """hotline/cuboids.py: a grid read from a pre-summed array is the grid summed from the cube's rows."""
    dataset = data.draw(st.sampled_from([small_dataset(), demo()]))
    assert dataset._cuboids.arrays, "the data should have pre-summed arrays"
    # Dimensions an array holds (year, geography and two more), so that the grid is read from it.
    dimensions = list(data.draw(st.sampled_from(sorted(dataset._cuboids.arrays))))
    by = tuple(data.draw(st.lists(st.sampled_from(dimensions), max_size=3, unique=True)))
    chosen = {}
    for dimension in data.draw(st.lists(st.sampled_from(dimensions), max_size=3, unique=True)):
        if dimension == "year":
            first, last = sorted(data.draw(st.lists(st.sampled_from(dataset.values("year")), min_size=2, max_size=2)))
            chosen["years"] = (first, last)
        else:
            values = list(dataset.values(dimension))
            chosen[DIMENSION_FIELD[dimension]] = tuple(data.draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True)))
    filters = Filters(**chosen)
    assert dataset._from_cuboid(by, filters, ("counts", "keys")) is not None
    np.testing.assert_array_equal(dataset._grid(by, filters)[0], _without_cuboids(dataset)._grid(by, filters)[0])


def _rows_by_masks(dataset: Dataset, filters: Filters, full: bool) -> np.ndarray | None:
    """The rows of a cube matching `filters`, by one mask over every row per filtered dimension."""
    cube = dataset.cube if full else dataset._month_free
    mask = None
    for dimension in cube.dimensions:
        selected = filters.selection(dimension)
        if selected:
            values = cube.categories[dimension]
            if dimension == "year":
                allowed = np.array([selected[0] <= v <= selected[1] for v in values], dtype=bool)
            else:
                allowed = np.array([v in selected for v in values], dtype=bool)
            mask = allowed[cube.codes[dimension]] if mask is None else mask & allowed[cube.codes[dimension]]
    return None if mask is None else np.flatnonzero(mask)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), full=st.booleans())
def test_rows_read_as_runs_of_the_first_dimensions_are_the_rows_every_filter_matches(data, full):
    """A filter set's rows found from runs of the cube's first dimensions (cube.leading_blocks) are those
    that one mask per filtered dimension over the whole cube finds, each once (in any order: the sums are
    whole numbers; the full cube's are listed by the month-free rows they sum into)."""
    dataset = data.draw(st.sampled_from([small_dataset(), demo()]))
    chosen = {}
    for dimension in data.draw(st.lists(st.sampled_from(list(dataset.dimensions)), max_size=4, unique=True)):
        values = list(dataset.values(dimension))
        if dimension == "year":
            chosen["years"] = tuple(sorted(data.draw(st.lists(st.sampled_from(values), min_size=2, max_size=2))))
        elif dimension == "month":
            chosen["months"] = tuple(data.draw(st.lists(st.sampled_from(range(1, 13)), min_size=1, max_size=3, unique=True)))
        else:
            chosen[DIMENSION_FIELD[dimension]] = tuple(data.draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True)))
    filters = Filters(**chosen)
    if not full and dataset._needs_months((), filters):
        full = True  # a month filter reads the full cube
    expected = _rows_by_masks(dataset, filters, full)
    found = dataset._compute_row_index(filters, full)
    if expected is None:
        assert found is None
    else:
        np.testing.assert_array_equal(np.sort(found), expected)
        assert found.dtype == np.intp


def test_the_first_dimensions_of_both_cubes_are_read_as_runs():
    """The shortcut is taken: the demo's cubes are in the order of their codes, so both have runs."""
    dataset = demo()
    for full in (False, True):
        dimensions, bounds = dataset._leading_blocks[full]
        assert dimensions[0] == "year" and "state" in dimensions
        cube = dataset.cube if full else dataset._month_free
        assert bounds[-1] == len(cube.counts) and (np.diff(bounds) >= 0).all()
