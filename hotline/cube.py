"""The compact cube: one row per distinct combination of dimension values, with summed counts.

Built once at load. Every query filters and groups this cube with numpy on small integer codes,
never the raw rows, which keeps a view update fast on ten million signals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numba
import numpy as np
import pandas as pd

from hotline import cellkey
from hotline.schema import CATEGORY_VALUES, UNKNOWN_MONTH

# Dimensions in cube order; a dataset has the ones whose columns it was given.
CUBE_DIMENSIONS = ("year", "month", "state", "country", *CATEGORY_VALUES)


@dataclass(frozen=True)
class Cube:
    """Codes per dimension (index into `categories[dim]`) and the summed `counts` of each combination.

    `excess` is present only for data with counts suppressed at the source ("<5"): how much the
    true count of each combination may exceed `counts`, which is then a lower bound.
    `keys` (with a key seed) is the sum of the record keys of each combination's signals, modulo
    hotline.cellkey.KEY_RANGE: what the cell-key perturbation needs.
    """

    categories: dict[str, tuple]
    codes: dict[str, np.ndarray]
    counts: np.ndarray
    excess: np.ndarray | None = None
    keys: np.ndarray | None = None

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(self.categories)

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    @cached_property
    def observed(self) -> dict[str, tuple]:
        """Values that occur with a non-zero count, per dimension (for filter options)."""
        out = {}
        for dimension, values in self.categories.items():
            present = np.bincount(self.codes[dimension], weights=self.counts, minlength=len(values)) > 0
            out[dimension] = tuple(v for v, keep in zip(values, present) if keep)
        return out

    def nbytes(self) -> int:
        return int(self.counts.nbytes + sum(c.nbytes for c in self.codes.values()))


def build_cube(table: pd.DataFrame, key_seed: bytes | None = None) -> Cube:
    """Collapse a canonical table (see hotline.normalize) into a cube; with `key_seed`, with record keys."""
    categories: dict[str, tuple] = {}
    row_codes: dict[str, np.ndarray] = {}
    for dimension in CUBE_DIMENSIONS:
        if dimension not in table:
            continue
        column = table[dimension]
        if dimension == "year":
            first, last = int(column.min()), int(column.max())
            categories[dimension] = tuple(range(first, last + 1))
            row_codes[dimension] = (column.to_numpy(np.int32) - first).astype(np.int32)
        elif dimension == "month":
            categories[dimension] = (*range(1, 13), UNKNOWN_MONTH)
            months = column.fillna(13).to_numpy(np.int32)
            row_codes[dimension] = months - 1
        else:
            categories[dimension] = tuple(column.cat.categories)
            row_codes[dimension] = column.cat.codes.to_numpy(np.int32)
    shape = tuple(len(values) for values in categories.values())
    keys = np.ravel_multi_index(tuple(row_codes.values()), shape).astype(np.int64)
    distinct, inverse = np.unique(keys, return_inverse=True)
    summed = np.bincount(inverse, weights=table["count"].to_numpy(np.float64), minlength=len(distinct))
    keep = summed > 0
    excess = None
    if "censored_excess" in table:
        excess = np.bincount(inverse, weights=table["censored_excess"].to_numpy(np.float64), minlength=len(distinct))
        excess = np.rint(excess[keep]).astype(np.int64)
    distinct, summed = distinct[keep], summed[keep]
    codes = {
        dimension: code.astype(_code_type(len(categories[dimension])))
        for dimension, code in zip(categories, np.unravel_index(distinct, shape))
    }
    counts = np.rint(summed).astype(np.int64)
    record_keys = None
    if key_seed is not None:
        record_keys = cellkey.key_sums(cellkey.combination_hashes(key_seed, categories, codes), counts)
    return Cube(categories=categories, codes=codes, counts=counts, excess=excess, keys=record_keys)


def _code_type(size: int) -> type:
    return np.int8 if size < 127 else np.int16


def sum_over(cube: Cube, dimension: str) -> tuple[Cube, tuple[np.ndarray, np.ndarray] | None]:
    """The cube with `dimension` summed away, and which rows of `cube` went into each of its rows.

    The second item is (order, bounds): the rows summed into row j are order[bounds[j]:bounds[j + 1]].
    Without such a dimension: the same cube and None.
    """
    if dimension not in cube.categories:
        return cube, None
    kept = [d for d in cube.dimensions if d != dimension]
    shape = tuple(len(cube.categories[d]) for d in kept)
    keys = np.ravel_multi_index(tuple(cube.codes[d] for d in kept), shape)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else order
    counts = np.add.reduceat(cube.counts[order], starts) if len(keys) else cube.counts[:0]
    excess = None
    if cube.excess is not None:
        excess = np.add.reduceat(cube.excess[order], starts) if len(keys) else cube.excess[:0]
    key_sums = None
    if cube.keys is not None:
        key_sums = (np.add.reduceat(cube.keys[order], starts) if len(keys) else cube.keys[:0]) % cellkey.KEY_RANGE
    codes = {
        d: position.astype(cube.codes[d].dtype) for d, position in zip(kept, np.unravel_index(keys[starts], shape))
    }
    bounds = np.append(starts, len(keys))
    if len(keys) < 2**31:
        order = order.astype(np.int32)
    summed = Cube(
        categories={d: cube.categories[d] for d in kept}, codes=codes, counts=counts, excess=excess, keys=key_sums
    )
    return summed, (order, bounds)


def member_rows(rows: np.ndarray | None, order: np.ndarray, bounds: np.ndarray) -> np.ndarray | None:
    """Rows of a cube summed into the given rows of the summed cube (see sum_over); None: all."""
    if rows is None:
        return None
    return _members(rows, order, bounds)


@numba.njit(cache=True)
def _members(rows, order, bounds):  # compiled: one pass, no temporary arrays of the rows' size
    total = 0
    for row in rows:
        total += bounds[row + 1] - bounds[row]
    found = np.empty(total, dtype=np.intp)
    n = 0
    for row in rows:
        for k in range(bounds[row], bounds[row + 1]):
            found[n] = order[k]
            n += 1
    return found


def leading_blocks(cube: Cube, max_blocks: int = 1 << 16) -> tuple[tuple[str, ...], np.ndarray] | None:
    """The cube's first dimensions, and where the rows of each combination of their codes start.

    A cube's rows are in the order of their codes, dimension by dimension (build_cube and sum_over make
    them so), so the rows holding given codes of the first dimensions are one run: rows bounds[k] to
    bounds[k + 1] - 1, for k the combination's flat index. As many first dimensions as keep the
    combinations under `max_blocks`. None for a cube whose rows are in another order.
    """
    dimensions: list[str] = []
    combinations = 1
    for dimension in cube.dimensions:
        size = len(cube.categories[dimension])
        if combinations * size > max_blocks:
            break
        dimensions.append(dimension)
        combinations *= size
    if not dimensions:
        return None
    shape = tuple(len(cube.categories[d]) for d in dimensions)
    prefix = np.ravel_multi_index(tuple(cube.codes[d] for d in dimensions), shape)
    if len(prefix) > 1 and bool((prefix[1:] < prefix[:-1]).any()):
        return None
    bounds = np.zeros(combinations + 1, dtype=np.intp)
    np.cumsum(np.bincount(prefix, minlength=combinations), out=bounds[1:])
    return tuple(dimensions), bounds


def block_runs(bounds: np.ndarray, shape: tuple[int, ...], codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Where the rows of every combination of the given codes (ascending) of the first len(codes) dimensions
    of leading_blocks start, and how many there are (`shape`: the sizes of all of its dimensions), whatever
    the codes of the dimensions after those: (first rows, sizes), runs in the order of the cube."""
    flat = np.zeros(1, dtype=np.intp)
    for chosen, size in zip(codes, shape):
        flat = (flat[:, None] * size + chosen).reshape(-1)  # each combination's flat index, in order
    span = math.prod(shape[len(codes) :])  # the combinations of the dimensions after them: one run of rows
    first = bounds[flat * span]
    return first, bounds[(flat + 1) * span] - first


@numba.njit(cache=True)
def rows_in_runs(first, sizes, codes, dimensions, allowed):
    """The rows of the runs (first[i] to first[i] + sizes[i] - 1, in order) whose code of each dimension
    dimensions[j] is allowed: allowed[j, code]. `codes` as in sum_rows. One pass, in proportion to the
    rows of the runs: what numpy did in a dozen calls, and at a hotline's size their fixed costs were more
    than the work."""
    total = 0
    for size in sizes:
        total += size
    found = np.empty(total, dtype=np.intp)
    n = 0
    for i in range(len(first)):
        for row in range(first[i], first[i] + sizes[i]):
            kept = True
            for j in range(len(dimensions)):
                if not allowed[j, codes[dimensions[j]][row]]:
                    kept = False
                    break
            if kept:
                found[n] = row
                n += 1
    return found[:n] if 2 * n >= total else found[:n].copy()  # a cached result holds no more than twice its rows


@numba.njit(cache=True)
def sum_rows(codes, positions, rows, all_rows, by, by_sizes, others, other_sizes, columns):
    """Each column of `columns` summed over cube rows into the grids (*by, other) of every dimension in
    `others`, side by side in one flat array per column (C order, each grid after the one before).

    `codes[d]` are the category codes of dimension d (its index in the cube), `positions[d, code]` the
    code's position among the observed values; `rows` are the rows to sum (every row with `all_rows`).
    One pass over the rows for every grid: the numpy way took a dozen passes per grid, and at a hotline's
    size their fixed costs were most of a view's time. Whole numbers, so the same sums in any order.
    """
    by_cells = 1
    for size in by_sizes:
        by_cells *= size
    offsets = np.empty(len(others), dtype=np.int64)
    total = 0
    for j in range(len(others)):
        offsets[j] = total
        total += by_cells * other_sizes[j]
    sums = np.zeros((len(columns), total), dtype=columns[0].dtype)
    count = len(codes[0]) if all_rows else len(rows)
    for i in range(count):
        row = i if all_rows else rows[i]
        base = 0
        for k in range(len(by)):
            base = base * by_sizes[k] + positions[by[k], codes[by[k]][row]]
        for j in range(len(others)):
            cell = offsets[j] + base * other_sizes[j] + positions[others[j], codes[others[j]][row]]
            for m in range(len(columns)):
                sums[m, cell] += columns[m][row]
    return sums
