"""Small-count suppression, applied once, to every aggregate, before anything reaches a chart.

Primary suppression hides every count c with 0 < c < min_cell. That alone is not enough: a chart
shows all values of a dimension and the page shows their total, so a single hidden cell in a row
could be recovered as "total minus the shown cells". Secondary (complementary) suppression hides
more cells, smallest first, until in every row and column of the aggregate each hidden small count
could still be any of several values given everything shown (the line's total included).
"""

from __future__ import annotations

import numba
import numpy as np

SHOWN, FEWER_THAN_MIN, HIDDEN_TO_PROTECT = 0, 1, 2

# A hidden small count must stay ambiguous among at least this many values (capped by 1..min_cell-1).
MIN_AMBIGUITY = 3
# Larger than any count: what a cell that may not be hidden weighs when picking the smallest one.
_NEVER = np.iinfo(np.int64).max


def suppress(
    counts: np.ndarray,
    min_cell: int,
    also_hide: np.ndarray | None = None,
    group: tuple[int, np.ndarray] | None = None,
) -> np.ndarray:
    """Status of every cell of an n-dimensional grid of counts: SHOWN, FEWER_THAN_MIN or HIDDEN_TO_PROTECT.

    `also_hide` marks cells that must be hidden whatever their size (see `pinned_margins`).
    `group` is (axis, mask over that axis): the cells of each line where the mask is true have a
    total published elsewhere (a chart's selected values add up to the rest of the page's
    numbers), so they are protected as a line of their own too.
    """
    counts = np.asarray(counts)
    if counts.ndim in (1, 2):
        # Every grid of the page (a chart's, a pinned margin's breakdown) is one of these; a 1D grid
        # goes as one row, so its axis 0 is the row's axis 1.
        hide = np.zeros(counts.shape, dtype=np.bool_) if also_hide is None else np.asarray(also_hide, dtype=np.bool_)
        one_line = counts.ndim == 1
        group_axis = -1 if group is None else group[0] + one_line
        group_mask = np.zeros(0, dtype=np.bool_) if group is None else np.asarray(group[1], dtype=np.bool_)
        # Fresh C-ordered copies: one compiled signature whatever arrays come in (read-only, strided).
        grid = np.array(np.atleast_2d(counts), dtype=np.int64)
        status = _suppress_compiled(grid, min_cell, np.array(np.atleast_2d(hide)), one_line, group_axis, group_mask)
        return status.reshape(counts.shape)
    return _suppress_sweeps(counts, min_cell, also_hide, group)


def _suppress_sweeps(
    counts: np.ndarray, min_cell: int, also_hide: np.ndarray | None, group: tuple[int, np.ndarray] | None
) -> np.ndarray:
    """suppress() for a grid of any number of dimensions, as numpy calls over each axis's lines."""
    status = np.where((counts > 0) & (counts < min_cell), FEWER_THAN_MIN, SHOWN).astype(np.int8)
    if min_cell > 1 and also_hide is not None:
        status[np.asarray(also_hide, dtype=bool) & (status == SHOWN) & (counts > 0)] = HIDDEN_TO_PROTECT
    if min_cell <= 1 or counts.ndim == 0 or not status.any():
        return status
    # Protecting one line can expose a crossing line, so sweep every axis until nothing changes. The
    # lines along one axis share no cell, so each sweep protects all of them at once, as arrays.
    eligible = _not_alone_in_any_line(counts, group)
    # The lines along each axis as the rows of 2D arrays: counts and eligibility never change.
    # (np.moveaxis as a transpose with precomputed orders: moveaxis itself costs more than the move here.)
    lines = []
    for axis in range(counts.ndim):
        order = (*(d for d in range(counts.ndim) if d != axis), axis)
        moved = counts.transpose(order)
        lines.append(
            (
                moved.reshape(-1, counts.shape[axis]),
                eligible.transpose(order).reshape(-1, counts.shape[axis]),
                moved.shape,
                order,
                tuple(np.argsort(order)),
            )
        )
    # Protecting an axis is a function of the status alone. `settled[axis]` is the status version at
    # which protecting that axis is known to change nothing (it just did nothing, or, without a group
    # on it, it just ran: protecting lines leaves each one protected or with nothing left to hide),
    # so it is skipped there: the same result as running it, without the work.
    version = 0
    settled: list[int | None] = [None] * counts.ndim
    changed = True
    while changed:
        changed = False
        for axis in range(counts.ndim):
            if settled[axis] == version:
                continue
            lines_counts, lines_eligible, moved_shape, order, inverse = lines[axis]
            lines_status = status.transpose(order).reshape(-1, counts.shape[axis]).copy()
            axis_changed = _protect_lines(lines_counts, lines_status, min_cell, lines_eligible)
            grouped = group is not None and group[0] == axis
            if grouped:
                selected = group[1]
                selected_status = lines_status[:, selected]
                if _protect_lines(lines_counts[:, selected], selected_status, min_cell, lines_eligible[:, selected]):
                    lines_status[:, selected] = selected_status
                    axis_changed = True
            if axis_changed:
                changed = True
                version += 1
                status = lines_status.reshape(moved_shape).transpose(inverse)
            if not axis_changed or not grouped:
                settled[axis] = version
    return np.ascontiguousarray(status)


def pinned_margins(breakdowns: np.ndarray, min_cell: int) -> np.ndarray:
    """For each row of `breakdowns` (the cells of one aggregate, split by another dimension), whether
    that row's total must be hidden because, once the split is suppressed, it would still give a
    small count away.

    Two ways that happens: every non-zero cell of the row is small (9 and 9 with a total of 18),
    or the cells hidden to cover a small count can be recovered by subtracting along rows and
    columns whose totals are shown. Rows found so are treated as hidden and the search repeats.
    """
    grid = np.array(np.atleast_2d(breakdowns), dtype=np.int64)  # one compiled signature (see suppress)
    return _pinned_margins_compiled(grid, min_cell)


def _not_alone_in_any_line(counts: np.ndarray, group: tuple[int, np.ndarray] | None = None) -> np.ndarray:
    """Cells that share every line through them with another non-zero cell.

    Hiding a cell that is the only non-zero one of some line protects nothing: that line's total
    gives it straight back, and with it the small count it was meant to cover. Such cells are
    hidden only when there is no other choice.
    """
    nonzero = counts > 0
    eligible = np.ones(counts.shape, dtype=bool)
    for axis in range(counts.ndim):
        eligible &= nonzero.sum(axis=axis, keepdims=True) >= 2
    if group is not None:
        axis, selected = group
        shape = [1] * counts.ndim
        shape[axis] = len(selected)
        in_group = np.broadcast_to(selected.reshape(shape), counts.shape)
        group_nonzero = (nonzero & in_group).sum(axis=axis, keepdims=True)
        eligible &= ~in_group | (group_nonzero >= 2)
    return eligible


def _protect_lines(values: np.ndarray, status: np.ndarray, min_cell: int, eligible: np.ndarray) -> bool:
    """Hide the smallest shown cells of each line (a row of `values`) until its small counts are ambiguous.

    Edits `status` in place; True if it hid anything. A line hides one cell at a time, preferring cells
    that share every crossing line with another non-zero cell (`eligible`), the first of equal ones.
    """
    return _protect_lines_compiled(
        np.asarray(values, dtype=np.int64), status, min_cell, np.asarray(eligible, dtype=np.bool_)
    )


# The lines of a grid are a few dozen cells each, and the loops below decide cell by cell: as numpy
# calls, each step cost a fixed overhead far above its work (a third of a view's time at a hotline's
# size). Compiled once (numba, cached on disk), they run as plain loops.
@numba.njit(cache=True)
def _protect_lines_compiled(values, status, min_cell, eligible):
    changed = False
    for row in range(values.shape[0]):
        if not _has_hidden(status, row):
            continue  # a line with nothing hidden gives nothing away
        while not _line_protected(values, status, row, min_cell):
            chosen, chosen_value, chosen_preferred = -1, _NEVER, False
            for column in range(values.shape[1]):
                value = values[row, column]
                if status[row, column] != SHOWN or value <= 0:
                    continue
                preferred = eligible[row, column]
                if (preferred and not chosen_preferred) or (preferred == chosen_preferred and value < chosen_value):
                    chosen, chosen_value, chosen_preferred = column, value, preferred
            if chosen < 0:
                break  # everything non-zero is hidden: only the line's total is left
            status[row, chosen] = HIDDEN_TO_PROTECT
            changed = True
    return changed


@numba.njit(cache=True)
def _has_hidden(status, row):
    for column in range(status.shape[1]):
        if status[row, column] != SHOWN:
            return True
    return False


@numba.njit(cache=True)
def _line_protected(values, status, row, min_cell):
    """lines_protected for one row (its docstring says what is known and what must stay unknown)."""
    hidden_total, n_small, n_large = 0, 0, 0
    for column in range(values.shape[1]):
        if status[row, column] == FEWER_THAN_MIN:
            hidden_total += values[row, column]
            n_small += 1
        elif status[row, column] == HIDDEN_TO_PROTECT:
            hidden_total += values[row, column]
            n_large += 1
    top = min_cell - 1
    if n_small:  # the interval of one small cell given the others' bounds
        upper = min(top, hidden_total - (n_small - 1) - n_large * min_cell)
        lower = 1 if n_large > 0 else max(1, hidden_total - (n_small - 1) * top)
        if upper - lower + 1 < min(MIN_AMBIGUITY, top):
            return False
    if n_large:  # the interval of one cell hidden to protect, given the others' bounds
        upper = hidden_total - n_small - (n_large - 1) * min_cell
        lower = min_cell if n_large > 1 else max(min_cell, hidden_total - n_small * top)
        if upper - lower + 1 < 2:
            return False
    return True


@numba.njit(cache=True)
def _lines_protected_compiled(values, status, min_cell):
    protected = np.empty(values.shape[0], dtype=np.bool_)
    for row in range(values.shape[0]):
        protected[row] = _line_protected(values, status, row, min_cell)
    return protected


@numba.njit(cache=True)
def _suppress_compiled(counts, min_cell, also_hide, one_line, group_axis, group_mask):
    """suppress() of a 2D grid (a 1D one as a single row, `one_line`): the same sweeps, as loops.

    The sweeps, axis 0 (the columns) then axis 1 (the rows), repeat until one changes nothing; an axis
    is skipped where protecting it is known to change nothing (see _suppress_sweeps).
    """
    rows, columns = counts.shape
    status = np.zeros((rows, columns), dtype=np.int8)
    anything_hidden = False
    for i in range(rows):
        for j in range(columns):
            count = counts[i, j]
            if 0 < count < min_cell:
                status[i, j] = FEWER_THAN_MIN
                anything_hidden = True
            elif min_cell > 1 and count > 0 and also_hide[i, j]:
                status[i, j] = HIDDEN_TO_PROTECT
                anything_hidden = True
    if min_cell <= 1 or not anything_hidden:
        return status
    eligible = _not_alone_compiled(counts, one_line, group_axis, group_mask)
    chosen = np.flatnonzero(group_mask)
    version = 0
    settled = np.array([-1, -1])
    changed = True
    while changed:
        changed = False
        for axis in range(1 if one_line else 0, 2):
            if settled[axis] == version:
                continue
            # The lines along an axis as rows: along axis 0 they are the columns.
            values = counts.T if axis == 0 else counts
            lines = status.T if axis == 0 else status
            preferred = eligible.T if axis == 0 else eligible
            axis_changed = _protect_lines_compiled(values, lines, min_cell, preferred)
            grouped = group_axis == axis
            if grouped:
                part = np.empty((values.shape[0], len(chosen)), dtype=np.int8)
                for k in range(len(chosen)):
                    part[:, k] = lines[:, chosen[k]]
                if _protect_lines_compiled(values[:, chosen], part, min_cell, preferred[:, chosen]):
                    for k in range(len(chosen)):
                        lines[:, chosen[k]] = part[:, k]
                    axis_changed = True
            if axis_changed:
                changed = True
                version += 1
            if not axis_changed or not grouped:
                settled[axis] = version
    return status


@numba.njit(cache=True)
def _not_alone_compiled(counts, one_line, group_axis, group_mask):
    """_not_alone_in_any_line of a 2D grid (a 1D one as a single row: its columns are not lines)."""
    rows, columns = counts.shape
    in_row = np.zeros(rows, dtype=np.int64)
    in_column = np.zeros(columns, dtype=np.int64)
    for i in range(rows):
        for j in range(columns):
            if counts[i, j] > 0:
                in_row[i] += 1
                in_column[j] += 1
    eligible = np.empty((rows, columns), dtype=np.bool_)
    for i in range(rows):
        for j in range(columns):
            eligible[i, j] = in_row[i] >= 2 and (one_line or in_column[j] >= 2)
    if group_axis == 1:  # the selected columns of each row are a line too
        _alone_among_selected(counts, eligible, group_mask)
    elif group_axis == 0:  # the selected rows of each column
        _alone_among_selected(counts.T, eligible.T, group_mask)
    return eligible


@numba.njit(cache=True)
def _alone_among_selected(counts, eligible, selected):
    """Not eligible: a selected cell of a row whose selected cells hold fewer than two non-zero counts."""
    for i in range(counts.shape[0]):
        selected_nonzero = 0
        for j in range(counts.shape[1]):
            if selected[j] and counts[i, j] > 0:
                selected_nonzero += 1
        if selected_nonzero < 2:
            for j in range(counts.shape[1]):
                if selected[j]:
                    eligible[i, j] = False


@numba.njit(cache=True)
def _pinned_margins_compiled(grid, min_cell):
    rows, columns = grid.shape
    pinned = np.zeros(rows, dtype=np.bool_)
    status = _suppress_compiled(
        grid, min_cell, np.zeros((rows, columns), dtype=np.bool_), False, -1, np.zeros(0, dtype=np.bool_)
    )
    if not (status == FEWER_THAN_MIN).any():
        return pinned  # no small count to give away (what the search finds too)
    for i in range(rows):  # the rows that are not protected
        if _has_hidden(status, i) and not _line_protected(grid, status, i, min_cell):
            pinned[i] = True
    while True:
        recovered = _recoverable_compiled(status, pinned)
        newly = False
        for i in range(rows):
            if pinned[i]:
                continue
            for j in range(columns):
                if recovered[i, j] and status[i, j] == FEWER_THAN_MIN:
                    pinned[i] = True
                    newly = True
                    break
        if not newly:
            return pinned


@numba.njit(cache=True)
def _recoverable_compiled(status, pinned):
    """Hidden cells someone can work out by subtraction, knowing the shown cells, every column total
    and the totals of the rows not `pinned`: a line with one unknown cell gives it away, repeatedly."""
    rows, columns = status.shape
    unknown = status != SHOWN
    recovered = np.zeros((rows, columns), dtype=np.bool_)
    while True:
        found = np.zeros((rows, columns), dtype=np.bool_)
        anything = False
        for i in range(rows):
            if pinned[i] or unknown[i].sum() != 1:
                continue
            for j in range(columns):
                if unknown[i, j]:
                    found[i, j] = True
                    anything = True
        for j in range(columns):
            if unknown[:, j].sum() != 1:
                continue
            for i in range(rows):
                if unknown[i, j]:
                    found[i, j] = True
                    anything = True
        if not anything:
            return recovered
        for i in range(rows):
            for j in range(columns):
                if found[i, j]:
                    recovered[i, j] = True
                    unknown[i, j] = False


def is_protected(values: np.ndarray, status: np.ndarray, min_cell: int) -> bool:
    """Whether someone who knows the line total and every shown cell still cannot pin a hidden count."""
    return bool(lines_protected(np.asarray(values)[None, :], np.asarray(status)[None, :], min_cell)[0])


def lines_protected(values: np.ndarray, status: np.ndarray, min_cell: int) -> np.ndarray:
    """For each line (row), whether someone who knows its total and every shown cell still cannot pin a
    hidden count.

    They know each FEWER_THAN_MIN cell is in [1, min_cell-1] and each HIDDEN_TO_PROTECT cell is at
    least min_cell, and that the hidden cells add up to the line total minus the shown ones. A small
    count must stay ambiguous; a cell hidden to protect must not be recoverable either, or it could be
    subtracted from a crossing line and give the small count away there.
    """
    values, status = np.array(np.atleast_2d(values), dtype=np.int64), np.array(np.atleast_2d(status), dtype=np.int8)
    return _lines_protected_compiled(values, status, min_cell)
