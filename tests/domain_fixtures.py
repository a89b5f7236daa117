"""Shared data for the domain tests: a small deterministic signal table with many small cells,
helpers to write it to disk and load it, and a plain-pandas reference for every aggregate.

Imported by the test modules (not a conftest, so browser-test fixtures can live there freely).
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from hotline.cube import build_cube
from hotline.dataset import Dataset, SourceInfo
from hotline.demo import TRAFFICKING_TYPES
from hotline.filters import FIELD_DIMENSION, Filters
from hotline.geography import STATES as ALL_STATES
from hotline.normalize import normalize
from hotline.schema import AGE_GROUPS, CITIZENSHIPS, GENDERS

# Regions: CA, WY West; NY, VT Northeast; TX, OK South; GU U.S. territories (no population).
STATES = ("CA", "NY", "TX", "OK", "WY", "VT", "GU")
STATE_WEIGHTS = (0.30, 0.20, 0.25, 0.10, 0.05, 0.05, 0.05)
YEARS = (2015, 2016, 2017, 2018, 2019)
REGIONS = ("Northeast", "South", "West", "U.S. territories")
CATEGORIES = {
    "trafficking_type": (TRAFFICKING_TYPES, (0.6, 0.2, 0.1, 0.1)),
    "gender": (GENDERS, (0.7, 0.2, 0.03, 0.07)),
    "age_group": (AGE_GROUPS, (0.6, 0.3, 0.1)),
    "citizenship": (CITIZENSHIPS, (0.5, 0.3, 0.2)),
}
COUNT_CHOICES = (0, 1, 1, 1, 2, 3, 4, 6)


def raw_signals(rows: int = 1500, seed: int = 7, *, month: bool = True) -> pd.DataFrame:
    """Canonical signal rows (one row = a group of `count` identical signals), deterministic.

    Counts are small and spread over 7 states, 5 years and 4 categorical dimensions, so most
    cells of a breakdown are small and many filter combinations hit the suppression rule.
    `month` is an int or None (missing); every other value is a canonical string.
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "year": rng.choice(YEARS, size=rows),
            "state": rng.choice(STATES, size=rows, p=STATE_WEIGHTS),
        }
    )
    if month:
        months = rng.integers(1, 13, size=rows).astype(object)
        months[rng.random(rows) < 0.05] = None
        frame["month"] = months
    for dimension, (values, weights) in CATEGORIES.items():
        frame[dimension] = rng.choice(values, size=rows, p=weights)
    frame["count"] = rng.choice(COUNT_CHOICES, size=rows)
    return frame


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a reader returns it: every cell text, missing cells None."""
    return frame.astype(object).map(lambda v: None if v is None or v is pd.NA else str(v))


def write_csv(path: Path, frame: pd.DataFrame, *, sep: str = ",") -> Path:
    """Write a frame as CSV (missing cells blank) and return the path."""
    as_text(frame).to_csv(path, index=False, sep=sep, na_rep="")
    return path


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


TEST_SEED = b"hotline-dashboard test record keys"


def make_dataset(frame: pd.DataFrame, min_cell: int = 10, perturbation=None) -> Dataset:
    """A Dataset straight from a canonical frame (normalize + cube, no file).

    Exact counts by default (these tests check suppression itself); pass a PerturbationTable for the
    cell-key layer on top."""
    table = normalize(as_text(frame), "test.csv")
    cube = build_cube(table, key_seed=TEST_SEED if perturbation is not None else None)
    source = SourceInfo("test.csv", "test")
    return Dataset(cube, min_cell=min_cell, source=source, records=len(table), perturbation=perturbation)


@lru_cache(maxsize=8)
def shared_frame(rows: int = 1500, seed: int = 7) -> pd.DataFrame:
    return raw_signals(rows, seed)


@lru_cache(maxsize=8)
def shared_dataset(min_cell: int, rows: int = 1500, seed: int = 7) -> Dataset:
    return make_dataset(shared_frame(rows, seed), min_cell)


# --- a plain pandas reference ------------------------------------------------------------------
MONTH_ORDER = (*range(1, 13), "unknown")
STATE_ORDER = (*ALL_STATES, "unknown")
ORDER = {
    "month": MONTH_ORDER,
    "state": STATE_ORDER,
    **{dimension: values for dimension, (values, _) in CATEGORIES.items()},
}


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "month" in out:
        out["month"] = out["month"].map(lambda m: "unknown" if m is None or pd.isna(m) else int(m)).astype(object)
    return out


_OBSERVED: dict[tuple[int, str], tuple[pd.DataFrame, tuple]] = {}


def observed_values(frame: pd.DataFrame, dimension: str) -> tuple:
    """Values of a dimension with a positive total in the whole frame, in schema order."""
    cached = _OBSERVED.get((id(frame), dimension))
    if cached is not None and cached[0] is frame:
        return cached[1]
    _OBSERVED[(id(frame), dimension)] = (frame, _observed(frame, dimension))
    return _OBSERVED[(id(frame), dimension)][1]


def _observed(frame: pd.DataFrame, dimension: str) -> tuple:
    totals = _keyed(frame[[dimension, "count"]]).groupby(dimension)["count"].sum()
    present = {value for value, total in totals.items() if total > 0}
    if dimension == "year":
        return tuple(sorted(int(v) for v in present))
    return tuple(v for v in ORDER[dimension] if v in present)


def filter_rows(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows a Filters value selects, written out with plain pandas."""
    keep = pd.Series(True, index=frame.index)
    if filters.years:
        keep &= frame["year"].between(*filters.years)
    states = filters.geography()
    if states:
        keep &= frame["state"].isin(states)
    for field, dimension in FIELD_DIMENSION.items():
        chosen = getattr(filters, field)
        if chosen and dimension != "state" and dimension in frame:
            keep &= frame[dimension].isin(chosen)
    return frame[keep]


def reference_counts(frame: pd.DataFrame, by: list[str], filters: Filters) -> dict[tuple, int]:
    """Signals per combination of the observed values of `by` (zeros included), from raw rows."""
    rows = filter_rows(frame, filters)
    if not by:
        return {(): int(rows["count"].sum())}
    sums = _keyed(rows[[*by, "count"]]).groupby(list(by))["count"].sum()
    sums.index = [key if isinstance(key, tuple) else (key,) for key in sums.index]
    found = {tuple(_plain(k) for k in key): int(v) for key, v in sums.items()}
    axes = [observed_values(frame, d) for d in by]
    return {key: found.get(key, 0) for key in itertools.product(*axes)}


def result_by_key(result: pd.DataFrame, by: list[str], column: str = "count") -> dict[tuple, object]:
    """An aggregate as {(by values...): column value}, missing values as None."""
    out = {}
    for record in result.to_dict("records"):
        value = record[column]
        out[tuple(_plain(record[d]) for d in by)] = None if value is None or pd.isna(value) else value
    return out


def _plain(value):
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    return value


# --- hypothesis strategies -----------------------------------------------------------------------
def _subsets(values) -> st.SearchStrategy:
    return st.lists(st.sampled_from(values), max_size=2, unique=True)


years_strategy = st.one_of(st.none(), st.tuples(st.sampled_from(YEARS), st.sampled_from(YEARS)))

filters_strategy = st.builds(
    Filters,
    years=years_strategy,
    regions=st.one_of(st.just(()), _subsets(REGIONS)),
    states=st.lists(st.sampled_from(STATES), max_size=3, unique=True),
    trafficking_types=_subsets(TRAFFICKING_TYPES),
    genders=_subsets(GENDERS),
    age_groups=_subsets(AGE_GROUPS),
    citizenships=_subsets(CITIZENSHIPS),
)
