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


def suppress(counts: np.ndarray, min_cell: int, also_hide: np.ndarray | None = None) -> np.ndarray:
    """Status of every cell of an n-dimensional grid of counts: SHOWN, FEWER_THAN_MIN or HIDDEN_TO_PROTECT.

    `also_hide` marks cells that must be hidden whatever their size (see `pinned_margins`).
    """
    counts = np.asarray(counts)
    status = np.where((counts > 0) & (counts < min_cell), FEWER_THAN_MIN, SHOWN).astype(np.int8)
    if min_cell > 1 and also_hide is not None:
        status[np.asarray(also_hide, dtype=bool) & (status == SHOWN) & (counts > 0)] = HIDDEN_TO_PROTECT
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


def pinned_margins(breakdowns: np.ndarray, min_cell: int) -> np.ndarray:
    """For each row of `breakdowns` (one margin's counts split by another dimension), whether the row's
    small counts could be pinned from its total however the row itself is suppressed.

    That happens when every non-zero cell of the row is small (9 and 9 with a total of 18): then
    the total, wherever it is shown, gives them away, so the total itself must be hidden.
    """
    rows = np.atleast_2d(np.asarray(breakdowns))
    pinned = np.zeros(len(rows), dtype=bool)
    for index, values in enumerate(rows):
        status = np.where((values > 0) & (values < min_cell), FEWER_THAN_MIN, SHOWN).astype(np.int8)
        if status.any():
            _protect_line(values, status, min_cell)
            pinned[index] = not is_protected(values, status, min_cell)
    return pinned


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
    """Whether someone who knows the line total and every shown cell still cannot pin a hidden count.

    They know each FEWER_THAN_MIN cell is in [1, min_cell-1] and each HIDDEN_TO_PROTECT cell is at
    least min_cell, and that the hidden cells add up to the line total minus the shown ones. A small
    count must stay ambiguous; a cell hidden to protect must not be recoverable either, or it could be
    subtracted from a crossing line and give the small count away there.
    """
    small = status == FEWER_THAN_MIN
    large = status == HIDDEN_TO_PROTECT
    if not small.any() and not large.any():
        return True
    hidden = status != SHOWN
    hidden_total = int(values[hidden].sum())
    n_small, n_large = int(small.sum()), int(large.sum())
    top = min_cell - 1
    if n_small:
        # Interval of one small cell given the others' bounds.
        upper = min(top, hidden_total - (n_small - 1) * 1 - n_large * min_cell)
        lower = 1 if n_large else max(1, hidden_total - (n_small - 1) * top)
        if upper - lower + 1 < min(MIN_AMBIGUITY, top):
            return False
    if n_large:
        # Interval of one cell hidden to protect, given the others' bounds.
        upper = hidden_total - n_small * 1 - (n_large - 1) * min_cell
        lower = min_cell if n_large > 1 else max(min_cell, hidden_total - n_small * top)
        if upper - lower + 1 < 2:
            return False
    return True
