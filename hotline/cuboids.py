"""Dense pre-summed grids over a few dimensions: most of a view's grids without a pass over the cube.

A view asks for dozens of small grids: each chart's own, and for its pinned margins the same split by
every other dimension. Read from the cube, each is a pass over the rows that match the view's
filters, tens of thousands at a hotline's size and millions at ten million signals. Most of those
grids involve only the year, the geography and two other dimensions, so at load the counts and the
cell-key sums are summed once into one dense array per such set of four dimensions (axes: the
observed values), and from those into one per set of fewer. A grid is then a slice of the smallest
array that holds its dimensions, its filters applied as positions along their axes, the other axes
summed away: integers added in another order, so the very same numbers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations

import numba
import numpy as np

# One array per set of at most this many dimensions (with year and the geography, when the data have them).
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
        self._every_position = {d: np.arange(size, dtype=np.intp) for d, size in sizes.items()}
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
        # Fewer dimensions, summed from those: a grid reads the smallest array holding it, and a sum
        # visits every cell of that array (an array over one dimension less is several times smaller).
        for size in range(extra - 1, -1, -1):
            for chosen in combinations(rest, size):
                dims = tuple(d for d in dimensions if d in pinned or d in chosen)
                larger = next((held for held in self.arrays if set(dims) < set(held)), None)
                if larger is None:
                    continue  # every array holding these was too large to build
                axes = tuple(i for i, d in enumerate(larger) if d not in dims)
                self.arrays[dims] = tuple(a.sum(axis=axes) if a is not None else None for a in self.arrays[larger])

    def nbytes(self) -> int:
        return sum(a.nbytes + (b.nbytes if b is not None else 0) for a, b in self.arrays.values())

    def find(self, needed: Iterable[str]) -> tuple[str, ...] | None:
        """The dimensions of the smallest array that holds every dimension in `needed`, or None."""
        return self._best(frozenset(needed))

    def _smallest_holding(self, needed: frozenset[str]) -> tuple[str, ...] | None:
        holding = [dims for dims in self.arrays if needed.issubset(dims)]
        return min(holding, key=lambda dims: self.arrays[dims][0].size, default=None)

    def grids(
        self, dims: tuple[str, ...], by: Sequence[str], selected: Mapping[str, np.ndarray], keys: bool
    ) -> list[np.ndarray]:
        """The count grid (and the key-sum grid, with `keys`) over `by`, from the array over `dims`.

        `selected[d]`: the positions of the observed values of d the filters keep (a dimension not in
        it: all). The grid keeps every value of its own axes, with zeros where the filters leave none.
        """
        counts, key_sums = self.arrays[dims]
        padding = (1,) * (CUBOID_DIMENSIONS - len(dims))  # the compiled sum reads four axes
        kept = [d for d in dims if d in by]
        positions = [selected[d] if d in selected else self._every_position[d] for d in dims]
        summed = _masked_sums(
            counts.reshape(counts.shape + padding),
            (key_sums if keys else counts).reshape(counts.shape + padding),
            keys,
            *positions,
            *([_ONLY_POSITION] * len(padding)),
            *(d in by for d in dims),
            *([False] * len(padding)),
        )
        # In the order of `by` (the array's axes are in cube order); by=() gives a 0-d array.
        order = [kept.index(d) for d in by]
        shape = tuple(self.sizes[d] for d in kept)
        return [np.ascontiguousarray(np.transpose(grid.reshape(shape), order)) for grid in summed[: 2 if keys else 1]]


_ONLY_POSITION = np.zeros(1, dtype=np.intp)


# A view reads dozens of small grids from these arrays. As numpy calls (a take per filter, a sum, a
# scatter into zeros), each grid cost some twenty fixed overheads; compiled (numba, cached on disk), one
# loop visits only the selected cells. Integer sums: the same numbers in any order.
@numba.njit(cache=True)
def _masked_sums(counts, key_sums, keys, p0, p1, p2, p3, keep0, keep1, keep2, keep3):
    shape = (
        counts.shape[0] if keep0 else 1,
        counts.shape[1] if keep1 else 1,
        counts.shape[2] if keep2 else 1,
        counts.shape[3] if keep3 else 1,
    )
    summed_counts = np.zeros(shape, dtype=np.int64)
    summed_keys = np.zeros(shape if keys else (1, 1, 1, 1), dtype=np.int64)
    for a in p0:
        o0 = a if keep0 else 0
        for b in p1:
            o1 = b if keep1 else 0
            for c in p2:
                o2 = c if keep2 else 0
                for d in p3:
                    o3 = d if keep3 else 0
                    summed_counts[o0, o1, o2, o3] += counts[a, b, c, d]
                    if keys:
                        summed_keys[o0, o1, o2, o3] += key_sums[a, b, c, d]
    return summed_counts, summed_keys
