"""Small-count suppression, applied once, to every aggregate, before anything reaches a chart.

Primary suppression hides every count c with 0 < c < min_cell. That alone is not enough: a chart
shows all values of a dimension and the page shows their total, so a single hidden cell in a row
could be recovered as "total minus the shown cells". Secondary (complementary) suppression hides
more cells, smallest first, until in every row and column of the aggregate each hidden small count
could still be any of several values given everything shown (the line's total included).
"""

from __future__ import annotations

import numpy as np

SHOWN, FEWER_THAN_MIN, HIDDEN_TO_PROTECT = 0, 1, 2

# A hidden small count must stay ambiguous among at least this many values (capped by 1..min_cell-1).
MIN_AMBIGUITY = 3


def suppress(counts: np.ndarray, min_cell: int) -> np.ndarray:
    """Status of every cell of an n-dimensional grid of counts: SHOWN, FEWER_THAN_MIN or HIDDEN_TO_PROTECT."""
    counts = np.asarray(counts)
    status = np.where((counts > 0) & (counts < min_cell), FEWER_THAN_MIN, SHOWN).astype(np.int8)
    if min_cell <= 1 or counts.ndim == 0 or not status.any():
        return status
    # Protecting one line can expose a crossing line, so sweep every axis until nothing changes.
    changed = True
    while changed:
        changed = False
        for axis in range(counts.ndim):
            lines_counts = np.moveaxis(counts, axis, -1).reshape(-1, counts.shape[axis])
            lines_status = np.moveaxis(status, axis, -1).reshape(-1, counts.shape[axis]).copy()
            for line in np.flatnonzero((lines_status != SHOWN).any(axis=1)):
                if _protect_line(lines_counts[line], lines_status[line], min_cell):
                    changed = True
            if changed:
                status = np.moveaxis(lines_status.reshape(np.moveaxis(counts, axis, -1).shape), -1, axis)
    return np.ascontiguousarray(status)


def _protect_line(values: np.ndarray, status: np.ndarray, min_cell: int) -> bool:
    """Hide the smallest shown cells of one line until its small counts are ambiguous. Edits status in place."""
    changed = False
    while not is_protected(values, status, min_cell):
        candidates = np.flatnonzero((status == SHOWN) & (values > 0))
        if len(candidates) == 0:
            break  # everything non-zero is hidden already: only the line total remains
        status[candidates[np.argmin(values[candidates])]] = HIDDEN_TO_PROTECT
        changed = True
    return changed


def is_protected(values: np.ndarray, status: np.ndarray, min_cell: int) -> bool:
    """Whether someone who knows the line total and every shown cell still cannot pin a small count.

    They know each FEWER_THAN_MIN cell is in [1, min_cell-1] and each HIDDEN_TO_PROTECT cell is at
    least min_cell, and that the hidden cells add up to the line total minus the shown ones.
    """
    small = status == FEWER_THAN_MIN
    if not small.any():
        return True
    hidden = status != SHOWN
    hidden_total = int(values[hidden].sum())
    n_small, n_large = int(small.sum()), int((status == HIDDEN_TO_PROTECT).sum())
    top = min_cell - 1
    # Interval of one small cell given the others' bounds.
    upper = min(top, hidden_total - (n_small - 1) * 1 - n_large * min_cell)
    lower = 1 if n_large else max(1, hidden_total - (n_small - 1) * top)
    return upper - lower + 1 >= min(MIN_AMBIGUITY, top)

