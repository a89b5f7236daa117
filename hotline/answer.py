"""One computed aggregate: its columns as plain values for the page, and its DataFrame when asked for.

A view's panels read every value of a few small columns per aggregate. Read back out of a pandas
DataFrame, each column costs more than the figure drawn from it, so an aggregate keeps its columns
as tuples of plain values, made from the query's own numpy arrays, and makes its DataFrame only for
`Dataset.aggregate` (exports, files, tests). Both say the same: what the frame's column would list.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from hotline import privacy

SUPPRESSION_REASON = {
    privacy.SHOWN: None,
    privacy.FEWER_THAN_MIN: "fewer_than_min",
    privacy.HIDDEN_TO_PROTECT: "protects_small_count",
}
# A hidden cell that holds counts suppressed at the source ("<5") may not be below min_cell at all:
# its label must not claim "fewer than 10".
CENSORED_SMALL = "includes_censored"
# SUPPRESSION_REASON as an array indexed by status code, to label a whole grid at once.
_SUPPRESSION_LABELS = pd.array(
    [SUPPRESSION_REASON.get(code) for code in range(max(SUPPRESSION_REASON) + 1)], dtype="string"
)
# The same labels as the plain values of `Dataset.columns` (what the frame's column lists).
_SUPPRESSION_VALUES = tuple(pd.NA if label is None else label for label in _SUPPRESSION_LABELS.tolist())


class Answer:
    """One computed aggregate: its columns as plain values (`columns`, what the page's panels read), and
    the DataFrame `aggregate` hands out copies of, built on first use from `parts` (the page never asks
    for one: making pandas arrays costs more than the query's own arrays).

    `parts` maps each column to its pandas values, or to a function that makes them; `counts` (0 where
    suppressed) and `suppressed` are the count column as numpy, for the rates built on it.
    """

    def __init__(
        self,
        parts: dict,
        columns: Mapping[str, tuple],
        counts: np.ndarray,
        suppressed: np.ndarray,
        total: bool,
        status: np.ndarray | None = None,
    ) -> None:
        self.parts = parts
        self.columns = MappingProxyType(dict(columns))
        self.counts, self.suppressed = counts, suppressed
        self.status = status  # each cell's privacy status (flat), where the counts were suppressed here
        self._total = total  # by=(): a single row, index [0]
        self._frame: pd.DataFrame | None = None

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:  # two threads may both build it: the same frame, one is kept
            made = {name: part() if callable(part) else part for name, part in self.parts.items()}
            self._frame = pd.DataFrame(made, index=[0] if self._total else None)
        return self._frame


def by_columns(by: tuple[str, ...], axes: list[tuple]) -> dict[str, pd.Index]:
    """The `by` columns of a result frame: every combination of the axes' values, in C order."""
    columns = {}
    shape = tuple(len(a) for a in axes)
    for i, (name, values) in enumerate(zip(by, axes)):
        # Column i of the product of the axes in C order, as pd.MultiIndex.from_product lists it.
        positions = np.tile(np.repeat(np.arange(shape[i]), int(np.prod(shape[i + 1 :]))), int(np.prod(shape[:i])))
        columns[name] = pd.Index(values).take(positions)
    return columns


def counted_answer(
    by_columns: dict[str, pd.Index], by_values: dict[str, tuple], grid: np.ndarray, status: np.ndarray
) -> Answer:
    """A count aggregate from its grid and the status of each cell.

    Its frame is built column by column (a few times faster than MultiIndex.to_frame). `by_columns`
    and `by_values` (see by_columns) depend only on `by`, so the dataset builds them once per `by`.
    """
    flat_status = np.asarray(status).reshape(-1)
    suppressed = flat_status != privacy.SHOWN
    counts = np.where(suppressed, 0, np.asarray(grid).reshape(-1)).astype(np.int64)
    parts = {
        **by_columns,
        "count": lambda: pd.arrays.IntegerArray(counts, suppressed.copy()),  # missing where suppressed
        "suppressed": suppressed,
        "suppression": lambda: _SUPPRESSION_LABELS.take(flat_status.astype(np.intp)),
    }
    hidden = suppressed.tolist()
    plain = {
        **by_values,
        "count": tuple(pd.NA if h else c for c, h in zip(counts.tolist(), hidden)),
        "suppressed": tuple(hidden),
        "suppression": tuple(_SUPPRESSION_VALUES[code] for code in flat_status.tolist()),
    }
    return Answer(parts, plain, counts, suppressed, total=not by_columns, status=flat_status)


def with_missing(values: np.ndarray, missing: np.ndarray) -> tuple:
    """Plain values, pd.NA where `missing` (as a Float64 column lists them)."""
    return tuple(pd.NA if m else v for v, m in zip(values.tolist(), missing.tolist()))
