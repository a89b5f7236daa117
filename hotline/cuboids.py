"""Dense pre-summed grids over a few dimensions: most of a view's grids without a pass over the cube.

A view asks for dozens of small grids: each chart's own, and for its pinned margins the same split by
every other dimension. Read from the cube, each is a pass over the rows that match the view's
filters, tens of thousands at a hotline's size and millions at ten million signals. Most of those
grids involve only the year, the geography and two other dimensions, so at load the counts and the
cell-key sums are summed once into one dense array per such set of four dimensions (axes: the
observed values). A grid is then a slice of the smallest array that holds its dimensions, its filters
applied as masks along their axes, the other axes summed away: integers added in another order, so
the very same numbers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from itertools import combinations

import numpy as np

# One array per set of this many dimensions (those with year and the geography, when the data have them).
CUBOID_DIMENSIONS = 4
# An array is not built past this many cells (a dimension with very many values): those grids read the cube.
MAX_CELLS = 2_000_000


class Cuboids:
    """Dense count and key-sum arrays over sets of dimensions, and grids read from them.

    `sources(dims)` gives (codes by dimension, counts, keys) of a cube holding those dimensions (the
    cube summed over months unless a month is among them); `positions[d]` maps a category code of d to
    its position among the observed values, `sizes[d]` is the number of observed values.
    """

    def __init__(
        self,
        dimensions: Sequence[str],
        pinned: Sequence[str],
        sizes: dict[str, int],
        positions: dict[str, np.ndarray],
        sources: Callable[[Iterable[str]], tuple[dict[str, np.ndarray], np.ndarray, np.ndarray | None]],
    ) -> None:
        self.sizes = sizes
        # Which array answers a set of dimensions: at most 2**dimensions sets, asked for again and again.
        self._best = functools.lru_cache(maxsize=1024)(self._smallest_holding)
        self.arrays: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray | None]] = {}
        rest = [d for d in dimensions if d not in pinned]
        extra = max(0, min(CUBOID_DIMENSIONS - len(pinned), len(rest)))
        for chosen in combinations(rest, extra):
            dims = tuple(d for d in dimensions if d in pinned or d in chosen)  # in cube order
            shape = tuple(sizes[d] for d in dims)
            if math.prod(shape) > MAX_CELLS:
                continue
            codes, counts, keys = sources(dims)
            flat = np.zeros(len(counts), dtype=np.intp)
            for d in dims:
                flat = flat * sizes[d] + np.take(positions[d], codes[d])
            summed = [
                np.bincount(flat, weights=values, minlength=math.prod(shape)).round().astype(np.int64).reshape(shape)
                for values in (counts, keys)
                if values is not None
            ]
            self.arrays[dims] = (summed[0], summed[1] if len(summed) > 1 else None)

    def nbytes(self) -> int:
        return sum(a.nbytes + (b.nbytes if b is not None else 0) for a, b in self.arrays.values())

    def find(self, needed: Iterable[str]) -> tuple[str, ...] | None:
        """The dimensions of the smallest array that holds every dimension in `needed`, or None."""
        return self._best(frozenset(needed))

    def _smallest_holding(self, needed: frozenset[str]) -> tuple[str, ...] | None:
        holding = [dims for dims in self.arrays if needed.issubset(dims)]
        return min(holding, key=lambda dims: self.arrays[dims][0].size, default=None)

    def grids(
        self, dims: tuple[str, ...], by: Sequence[str], masks: dict[str, np.ndarray], keys: bool
    ) -> list[np.ndarray]:
        """The count grid (and the key-sum grid, with `keys`) over `by`, from the array over `dims`.

        `masks[d]`: which observed values of d the filters keep (a dimension without a mask: all).
        """
        counts, key_sums = self.arrays[dims]
        positions = {d: np.flatnonzero(mask) for d, mask in masks.items()}
        # The most selective filter first: each step then copies only what is left (one state of 54: 2%).
        order = sorted(masks, key=lambda d: len(positions[d]) / len(masks[d]))
        kept = [d for d in dims if d in by]
        out = []
        for array in (counts, key_sums) if keys else (counts,):
            for d in order:
                array = np.take(array, positions[d], axis=dims.index(d))
            summed = array.sum(axis=tuple(i for i, d in enumerate(dims) if d not in by), dtype=np.int64)
            if any(d in masks for d in kept):  # the grid keeps every value of its own axes: zeros where filtered out
                whole = np.zeros(tuple(self.sizes[d] for d in kept), dtype=np.int64)
                whole[np.ix_(*(positions[d] if d in masks else np.arange(self.sizes[d]) for d in kept))] = summed
                summed = whole
            # In the order of `by` (the array's axes are in cube order); by=() gives a 0-d array.
            out.append(np.ascontiguousarray(np.transpose(summed, [kept.index(d) for d in by]), dtype=np.int64))
        return out
