"""Small-count suppression: hand-made grids, and properties over many random grids and filter combinations.

The attacker of these tests knows every shown cell, every published line total, that a cell marked
"fewer than min_cell" is in 1..min_cell-1 and that a cell hidden to protect is at least min_cell.
Feasible values are worked out here by brute force (sums reachable by the other hidden cells),
independently of hotline.privacy.is_protected.
"""

import numpy as np
import pandas as pd
import pytest
from domain_fixtures import filters_strategy, make_dataset, raw_signals, shared_dataset
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hotline import Filters
from hotline.privacy import FEWER_THAN_MIN, HIDDEN_TO_PROTECT, MIN_AMBIGUITY, SHOWN, is_protected, suppress

STATUS = {None: SHOWN, "fewer_than_min": FEWER_THAN_MIN, "protects_small_count": HIDDEN_TO_PROTECT}


# --- an independent attacker -------------------------------------------------------------------------
def _reachable_after(reach: np.ndarray, low: int, high: int) -> np.ndarray:
    """Sums reachable by adding one value in [low, high] to any sum in `reach` (bool array by sum)."""
    before = np.concatenate([[0], np.cumsum(reach)])
    k = np.arange(len(reach))
    first, last = np.clip(k - high, 0, None), k - low
    out = np.zeros(len(reach), dtype=bool)
    ok = last >= 0
    out[ok] = before[last[ok] + 1] - before[first[ok]] > 0
    return out


def line_options(values, status, min_cell: int) -> dict[int, list[int]]:
    """For each hidden cell of one line: every value it could have, given the line total and shown cells."""
    values, status = np.asarray(values), np.asarray(status)
    hidden = [int(i) for i in np.flatnonzero(status != SHOWN)]
    total = int(values[hidden].sum())
    bounds = {i: (1, min_cell - 1) if status[i] == FEWER_THAN_MIN else (min_cell, total) for i in hidden}
    options = {}
    for i in hidden:
        reach = np.zeros(total + 1, dtype=bool)
        reach[0] = True
        for j in hidden:
            if j != i:
                reach = _reachable_after(reach, *bounds[j])
        candidates = np.arange(bounds[i][0], min(bounds[i][1], total) + 1)
        options[i] = candidates[reach[total - candidates]].tolist()
    return options


def exhausted(values, status) -> bool:
    """No shown non-zero cell is left in the line: suppression has nothing more to hide there."""
    values, status = np.asarray(values), np.asarray(status)
    return not ((status == SHOWN) & (values > 0)).any()


def check_line(values, status, min_cell: int) -> bool:
    """Assert the line is safe, or that nothing is left to hide in it (returns False: its total must be hidden)."""
    values, status = np.asarray(values), np.asarray(status)
    if not (status != SHOWN).any():
        return True
    options = line_options(values, status, min_cell)
    for i, feasible in options.items():
        assert values[i] in feasible  # the attacker's model is right about the truth
    need_small = min(MIN_AMBIGUITY, min_cell - 1)
    safe = all(len(feasible) >= (need_small if status[i] == FEWER_THAN_MIN else 2) for i, feasible in options.items())
    assert safe == is_protected(values, status, min_cell), (values, status)
    if not safe:
        assert exhausted(values, status), (values, status)  # otherwise suppression stopped too early
    return safe


def lines(grid: np.ndarray):
    """Every 1-D line of an n-D grid, with its index (axis, other coordinates)."""
    for axis in range(grid.ndim):
        moved = np.moveaxis(grid, axis, -1)
        for index in np.ndindex(moved.shape[:-1]):
            yield (axis, index), moved[index]


def peel(truth: np.ndarray, status: np.ndarray, row_known, col_known) -> np.ndarray:
    """Cells of a 2-D grid an attacker recovers by subtraction: repeatedly, a line with a published
    total and a single unknown cell gives that cell away. Returns the mask of recovered hidden cells."""
    known = status == SHOWN
    recovered = np.zeros_like(known)
    changed = True
    while changed:
        changed = False
        for axis, published in ((1, row_known), (0, col_known)):
            for line in range(truth.shape[1 - axis]):
                if not published[line]:
                    continue
                unknown = np.flatnonzero(~(known[line] if axis == 1 else known[:, line]))
                if len(unknown) == 1:
                    cell = (line, unknown[0]) if axis == 1 else (unknown[0], line)
                    known[cell] = recovered[cell] = changed = True
    return recovered


def check_grid(truth: np.ndarray, status: np.ndarray, min_cell: int, published: dict | None = None) -> None:
    """Per-line safety everywhere, and no small count recovered by chains of subtractions (2-D).

    `published` maps each line (as keyed by `lines`) to whether its total is shown elsewhere (for a
    Dataset: by the aggregate one dimension coarser). A line the grid cannot protect must then have
    its total hidden. For a bare grid, totals count as shown unless small, and lines the grid cannot
    protect are left out (hiding their totals is the Dataset's job, tested below).
    """
    assert ((status == FEWER_THAN_MIN) == ((truth > 0) & (truth < min_cell))).all()
    assert (truth[status == HIDDEN_TO_PROTECT] >= min_cell).all()
    moved = {key: np.moveaxis(status, key[0], -1)[key[1]] for key, _ in lines(truth)}
    safe = {key: check_line(line, moved[key], min_cell) for key, line in lines(truth)}
    if published is None:
        published = {key: (line.sum() == 0 or line.sum() >= min_cell) and safe[key] for key, line in lines(truth)}
    for key, line in lines(truth):
        # A shown total may pin a cell hidden only to protect (a large count); whether that leads to
        # a small count is for the subtraction attack below.
        small = (moved[key] == FEWER_THAN_MIN).any()
        assert safe[key] or not published[key] or not small, ("a shown total pins", line, moved[key])
    if truth.ndim == 2:
        row_known = [published[(1, (i,))] for i in range(truth.shape[0])]
        col_known = [published[(0, (j,))] for j in range(truth.shape[1])]
        recovered = peel(truth, status, row_known, col_known)
        assert not (recovered & (status == FEWER_THAN_MIN)).any(), (truth, status, row_known, col_known)


# --- hand-made grids -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("counts", "min_cell", "expected"),
    [
        ([0, 0, 15], 10, [0, 0, 0]),
        ([5, 20, 30], 10, [1, 2, 0]),  # 5 = total - 20 - 30: the smaller of the two is hidden too
        ([5, 7, 30], 10, [1, 1, 0]),  # 5 + 7 = 12: each could be 3..9
        ([9, 9, 0], 10, [1, 1, 0]),  # nothing left to hide: the total must be hidden elsewhere
        ([1, 2, 3], 1, [0, 0, 0]),
        ([1, 2, 3], 2, [1, 0, 0]),
        ([2, 2, 40, 50], 3, [1, 1, 2, 0]),  # 2 + 2 = 4 with both in 1..2 would pin both
        ([4, 40, 50, 60], 5, [1, 2, 0, 0]),
        ([[5, 20], [30, 40]], 10, [[1, 2], [2, 2]]),
        ([[5, 20, 50], [30, 40, 60]], 10, [[1, 2, 0], [2, 2, 0]]),
        ([[0, 0], [0, 0]], 10, [[0, 0], [0, 0]]),
        (7, 10, 1),
        (12, 10, 0),
    ],
)
def test_suppress_hand_made(counts, min_cell, expected):
    status = suppress(np.array(counts), min_cell)
    assert status.tolist() == expected
    assert status.shape == np.shape(counts)


def test_complement_cannot_be_recovered_from_its_own_line():
    # Before: [[1, 2], [2, 0]] showed 40; then 30 = 70 - 40 (row 2) and 5 = 35 - 30 (column 1).
    counts = np.array([[5, 20], [30, 40]])
    status = suppress(counts, 10)
    assert not peel(counts, status, [False, True], [True, True]).any()
    assert is_protected(np.array([30, 40]), np.array([HIDDEN_TO_PROTECT, HIDDEN_TO_PROTECT]), 10)
    assert not is_protected(np.array([30, 40]), np.array([HIDDEN_TO_PROTECT, SHOWN]), 10)


@pytest.mark.parametrize(
    ("values", "status", "min_cell", "protected"),
    [
        ([5, 20, 30], [1, 0, 0], 10, False),
        ([5, 20, 30], [1, 2, 0], 10, True),
        ([5, 7, 30], [1, 1, 0], 10, True),
        ([9, 8, 30], [1, 1, 0], 10, False),  # 17 = 9 + 8 = 8 + 9 only
        ([7, 7, 30], [1, 1, 0], 10, True),  # 14: 5..9
        ([40, 50], [2, 0], 10, False),
        ([40, 50], [2, 2], 10, True),
        ([10, 10], [2, 2], 10, False),  # both must be exactly 10
        ([0, 0], [0, 0], 10, True),
        ([1, 50], [1, 0], 2, True),  # "fewer than 2" is 1 anyway
    ],
)
def test_is_protected_examples(values, status, min_cell, protected):
    assert is_protected(np.array(values), np.array(status), min_cell) is protected
    assert (
        all(
            len(v) >= (min(MIN_AMBIGUITY, min_cell - 1) if status[i] == 1 else 2)
            for i, v in line_options(values, status, min_cell).items()
        )
        is protected
    )


# --- random grids ----------------------------------------------------------------------------------------
small_counts = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 15, 20, 30, 60])
grids = st.integers(1, 3).flatmap(
    lambda ndim: hnp.arrays(
        np.int64, hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=1, max_side=5), elements=small_counts
    )
)


@settings(max_examples=200, deadline=None)
@given(counts=grids, min_cell=st.sampled_from([3, 5, 10, 11]))
def test_suppress_random_grids(counts, min_cell):
    check_grid(counts, suppress(counts, min_cell), min_cell)


@settings(max_examples=50, deadline=None)
@given(counts=grids)
def test_min_cell_one_suppresses_nothing(counts):
    assert (suppress(counts, 1) == SHOWN).all()


# --- every aggregate of a dataset with many small cells ------------------------------------------------
ONE_D = ["state", "trafficking_type", "gender", "age_group", "year"]  # also the margins of TWO_D
TWO_D = [["state", "trafficking_type"], ["year", "trafficking_type"], ["gender", "age_group"], ["state", "year"]]


def published(result: pd.DataFrame) -> list[bool]:
    return (~result["suppressed"]).tolist()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters=filters_strategy, min_cell=st.sampled_from([10, 10, 5]))
# Found by this test: a cell hidden to protect was the only one in its column, whose shown total gave
# it away, and with it the small count beside it (2 = 8 - 6).
@example(filters=Filters(states=["NY"], genders=["unknown"], age_groups=["adult"]), min_cell=5)
@example(
    filters=Filters(states=["CA"], trafficking_types=["sex"], genders=["female", "unknown"], citizenships=["citizen"]),
    min_cell=10,
)
def test_no_aggregate_gives_a_small_count_away(filters, min_cell):
    data, truth_data = shared_dataset(min_cell), shared_dataset(1)
    for by in [[d] for d in ONE_D] + TWO_D:
        result = data.aggregate(by, filters)
        truth = truth_data.aggregate(by, filters)
        shown = result["count"].dropna()
        assert not ((shown > 0) & (shown < min_cell)).any()
        assert (result["count"].isna() == result["suppressed"]).all()
        status = np.array([STATUS[None if pd.isna(s) else s] for s in result["suppression"]], dtype=np.int8)
        true_counts = truth["count"].to_numpy(np.int64)
        if len(by) == 1:
            total_shown = published(data.aggregate([], filters))[0]
            check_grid(true_counts, status, min_cell, {(0, ()): total_shown})
        else:
            shape = tuple(len(data.values(d)) for d in by)
            rows_shown = published(data.aggregate([by[0]], filters))
            cols_shown = published(data.aggregate([by[1]], filters))
            margins = {(1, (i,)): shown for i, shown in enumerate(rows_shown)}
            margins |= {(0, (j,)): shown for j, shown in enumerate(cols_shown)}
            check_grid(true_counts.reshape(shape), status.reshape(shape), min_cell, margins)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters=filters_strategy, by=st.sampled_from([["state"], ["year"], ["gender"], [], ["state", "year"]]))
def test_rate_never_shown_where_count_is_suppressed(filters, by):
    result = shared_dataset(10).aggregate(by, filters, measure="rate")
    assert result.loc[result["suppressed"], "rate"].isna().all()
    assert result.loc[result["count"].isna(), "rate"].isna().all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters=filters_strategy)
def test_min_cell_one_shows_everything(filters):
    data = shared_dataset(1)
    for by in [["state"], ["state", "trafficking_type"], []]:
        result = data.aggregate(by, filters, measure="rate")
        assert not result["suppressed"].any() and result["count"].notna().all()


def test_small_dataset_rows_below_min_cell_are_all_hidden():
    data = make_dataset(raw_signals(rows=40, seed=3), min_cell=10)
    for by in ([], ["state"], ["year", "gender"]):
        counts = data.aggregate(by)["count"].dropna()
        assert ((counts == 0) | (counts >= 10)).all()


def test_line_the_grid_cannot_protect_keeps_its_total_secret():
    """When every non-zero cell of a breakdown is small, its total (shown by another aggregate) is hidden."""
    frame = pd.DataFrame(
        {
            "year": [2015, 2015, 2015],
            "state": ["WY"] * 3,
            "trafficking_type": ["sex"] * 3,
            "gender": ["female", "male", "female"],
            "count": [5, 9, 4],
        }
    )
    data = make_dataset(frame, min_cell=10)
    by_gender = data.aggregate(["gender"])
    assert by_gender["suppressed"].all() or (by_gender["count"] == 0).any()
    total = data.aggregate([])["count"].iloc[0]
    # female 9 and male 9, total 18: both must be 9. Safe only if the total is hidden too,
    # and so is every other breakdown cell that adds up to it (here the one trafficking type).
    assert pd.isna(total)
    assert data.aggregate(["trafficking_type"])["count"].dropna().eq(0).all()
    assert data.aggregate(["year"])["count"].dropna().eq(0).all()


def test_margin_of_only_small_counts_is_hidden_in_the_coarser_chart():
    rows = [
        (2015, "TX", "sex", 400),
        (2015, "WY", "sex", 9),
        (2015, "WY", "labor", 9),
        (2015, "OK", "labor", 50),
        (2015, "OK", "sex", 60),
        (2015, "CA", "sex", 70),
        (2015, "CA", "labor", 80),
    ]
    data = make_dataset(pd.DataFrame(rows, columns=["year", "state", "trafficking_type", "count"]), min_cell=10)
    two_d = data.aggregate(["state", "trafficking_type"]).set_index(["state", "trafficking_type"])
    assert two_d.loc[("WY", "sex"), "suppressed"] and two_d.loc[("WY", "labor"), "suppressed"]
    by_state = data.aggregate(["state"]).set_index("state")
    assert pd.isna(by_state.loc["WY", "count"])  # 18 would give 9 + 9 away
    # ...and it cannot be worked out as the total minus the other states either.
    assert by_state["suppressed"].sum() >= 2 or pd.isna(data.aggregate([])["count"].iloc[0])


PAGE_CHARTS = [((), None), (("state",), "state"), (("year",), "year"), (("trafficking_type",), "trafficking_type"),
               (("gender",), "gender"), (("age_group",), "age_group"), (("year", "trafficking_type"), "year")]  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters=filters_strategy)
def test_what_the_rest_of_the_page_publishes_only_hides_more(filters):
    """A cell an aggregate hides on its own (a small count, a pinned margin, a cell protecting them) stays
    hidden, for the same reason, whatever the rest of the page makes it hide too: the totals checked
    against a chart read what it hides on its own, and so does the change on the previous year."""
    data = shared_dataset(10)
    for by, open_dimension in PAGE_CHARTS:
        alone = data.hidden_on_its_own(by, filters, open_dimension=open_dimension)
        published = data.aggregate(by, filters, open_dimension=open_dimension)["suppression"]
        for reason, shown in zip(alone, published.tolist(), strict=True):
            assert reason is None or reason == shown, (by, filters)
