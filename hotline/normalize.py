"""Turn a raw table (text cells, any accepted spelling) into the canonical signal table.

Every check reports the first offending rows; nothing is returned unless every cell is valid,
so a file is either loaded whole or not at all.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hotline.areas import SCHEMES, AreaScheme
from hotline.errors import DataError
from hotline.schema import (
    CATEGORY_VALUES,
    COLUMN_ALIASES,
    MISSING_TOKENS,
    MISSING_VALUE,
    UNKNOWN_AREA,
    VALUE_LOOKUP,
    token,
)

FIRST_DATA_ROW = 2  # spreadsheet numbering: the header is row 1
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_COUNT = 1_000_000_000  # per row; far above any real count, and sums stay exact


def canonical_columns(file: str, columns: list[str]) -> dict[str, str]:
    """Map the file's column names to canonical names; unknown extra columns are ignored."""
    lookup = {token(alias): canonical for canonical, aliases in COLUMN_ALIASES.items() for alias in aliases}
    mapping: dict[str, str] = {}
    for column in columns:
        canonical = lookup.get(token(column))
        if canonical is None:
            continue
        if canonical in mapping.values():
            first = next(src for src, dst in mapping.items() if dst == canonical)
            raise DataError(file, f"both '{first}' and '{column}' mean '{canonical}'; keep one", column=column)
        mapping[column] = canonical
    present = set(mapping.values())
    for required in ("year", "trafficking_type"):
        if required not in present:
            raise DataError(
                file,
                f"required column '{required}' is missing",
                hint=f"Columns found: {', '.join(map(str, columns))}",
            )
    if "state" in present and "country" in present:
        both = [source for source, canonical in mapping.items() if canonical in ("state", "country")]
        raise DataError(
            file, f"both '{both[0]}' and '{both[1]}' are geography columns; keep one, a state or a country column"
        )
    if "state" not in present and "country" not in present:
        raise DataError(
            file,
            "the table needs a geography column, 'state' (US) or 'country'",
            hint=f"Columns found: {', '.join(map(str, columns))}",
        )
    return mapping


def normalize(raw: pd.DataFrame, file: str) -> pd.DataFrame:
    """Validate and convert a raw text table into the canonical table (categoricals, integer counts)."""
    mapping = canonical_columns(file, [str(c) for c in raw.columns])
    # Errors name the column as the file spells it, so the user can find it.
    name = {canonical: str(original) for original, canonical in mapping.items()}
    source = raw.rename(columns=mapping)[list(mapping.values())]
    out: dict[str, pd.Series] = {}
    out["year"] = _integers(source["year"], file, name["year"], low=MIN_YEAR, high=MAX_YEAR).astype(np.int16)
    if "month" in source:
        out["month"] = _integers(source["month"], file, name["month"], low=1, high=12, allow_missing=True)
    for scheme in SCHEMES.values():
        if scheme.dimension in source:
            out[scheme.dimension] = _areas(source[scheme.dimension], file, name[scheme.dimension], scheme)
    for dimension in CATEGORY_VALUES:
        if dimension in source:
            out[dimension] = _categories(source[dimension], file, dimension, name[dimension])
    if "count" in source:
        exact, censored_excess = _censored(source["count"])
        out["count"] = _integers(exact, file, name["count"], low=0, high=MAX_COUNT).astype(np.int64)
        if censored_excess is not None:
            out["censored_excess"] = censored_excess
        if not out["count"].any():
            raise DataError(file, "every count is 0, so there are no signals to show", column=name["count"])
    else:
        out["count"] = pd.Series(np.ones(len(source), dtype=np.int64), index=source.index)
    return pd.DataFrame(out).reset_index(drop=True)


_CENSORED = re.compile(r"^<\s*(\d+)$")


def _censored(series: pd.Series) -> tuple[pd.Series, pd.Series | None]:
    """Counts published as "<5" (suppressed at the source): a known lower bound and an unknown rest.

    Such a cell holds at least 1 and at most 4. It becomes a count of 1 plus a censored excess of
    3, so a sum stays a true lower bound ("at least 1,281") and is never guessed or taken as zero.
    Returns the counts with censored cells replaced by their lower bound, and the excess per row
    (None when no cell is censored).
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    bounds = [_CENSORED.match(str(u).strip()) if isinstance(u, str) else None for u in uniques]
    limits = [int(m.group(1)) if m and int(m.group(1)) >= 2 else 0 for m in bounds]
    if not any(limits):
        return series, None
    is_censored = np.array(limits + [0])[np.where(codes < 0, len(limits), codes)] > 0
    excess = np.array([max(limit - 2, 0) for limit in limits] + [0], dtype=np.int64)
    exact = series.where(~is_censored, "1")
    return exact, pd.Series(excess[np.where(codes < 0, len(limits), codes)], index=series.index)


def _distinct(series: pd.Series, blanks: frozenset[str] | None = None) -> tuple[np.ndarray, list[str | None]]:
    """Codes and distinct values as stripped text (None for blank): checks run once per distinct value."""
    blanks = _BLANKS if blanks is None else blanks
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = [None if pd.isna(u) else str(u).strip() for u in uniques]
    texts = [None if t is None or t.lower() in blanks else t for t in texts]
    return codes, texts


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_BLANKS = frozenset({"", "na", "n/a", "nan", "none", "null", "missing", "-99", "<na>"})


def _fail(file: str, column: str, problem: str, series: pd.Series, bad_rows: np.ndarray, hint: str | None = None):
    positions = np.flatnonzero(bad_rows)
    # A reader's index is the record number (blank rows left out keep theirs), so rows stay spreadsheet rows.
    records = series.index[positions[:5]] if pd.api.types.is_integer_dtype(series.index) else positions[:5]
    raise DataError(
        file,
        problem,
        column=column,
        value=series.iloc[positions[0]],
        rows=[int(r) + FIRST_DATA_ROW for r in records],
        total_rows=len(positions),
        hint=hint,
    )


def _check(file, column, problem, series, codes, bad_distinct: list[bool], hint=None) -> None:
    bad = np.flatnonzero(bad_distinct)
    if len(bad):
        _fail(file, column, problem, series, np.isin(codes, bad), hint)


def _integers(series: pd.Series, file: str, column: str, *, low: int, high: int | None, allow_missing: bool = False):
    codes, texts = _distinct(series)
    missing = [t is None for t in texts]
    if not allow_missing:
        missing_rows = codes < 0
        if missing_rows.any() or any(missing):
            bad = missing_rows | np.isin(codes, np.flatnonzero(missing))
            _fail(file, column, "a value is missing", series, bad)
    numbers: list[float | None] = []
    for text in texts:
        try:
            # A comma only as a thousands separator ("1,281"): "2,5" is refused, never read as 25.
            number = None if text is None else float(text.replace(",", "") if _THOUSANDS.match(text) else text)
        except ValueError:
            number = float("nan")
        numbers.append(float("nan") if number is not None and not np.isfinite(number) else number)
    _check(file, column, "expected a whole number", series, codes, [n is not None and np.isnan(n) for n in numbers])
    _check(
        file,
        column,
        "expected a whole number, not a fraction",
        series,
        codes,
        [n is not None and n != round(n) for n in numbers],
    )
    bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
    _check(
        file,
        column,
        f"expected a number {bound}",
        series,
        codes,
        [n is not None and (n < low or (high is not None and n > high)) for n in numbers],
    )
    if allow_missing:
        values = pd.array([None if n is None else int(n) for n in numbers] + [None], dtype="Int64")
        return pd.Series(values[np.where(codes < 0, len(numbers), codes)], index=series.index)
    values = np.array([int(n) for n in numbers], dtype=np.int64)
    return pd.Series(values[codes], index=series.index)


def _categories(series: pd.Series, file: str, dimension: str, column: str) -> pd.Series:
    values = CATEGORY_VALUES[dimension]
    lookup = VALUE_LOOKUP[dimension]
    codes, texts = _distinct(series)
    # A spelling of the value wins; else a missing-value word ("NA", "unknown") means missing.
    canonical = [
        MISSING_VALUE[dimension] if t is None else lookup.get(token(t)) or _missing_or_none(t, dimension) for t in texts
    ]
    _check(
        file,
        column,
        "unrecognised value",
        series,
        codes,
        [c is None for c in canonical],
        hint=f"Expected one of: {', '.join(values)}",
    )
    return _categorical(codes, canonical, MISSING_VALUE[dimension], values, series.index)


def _missing_or_none(text: str, dimension: str) -> str | None:
    return MISSING_VALUE[dimension] if token(text) in MISSING_TOKENS else None


_AREA_HINTS = {
    "state": ("unrecognised US state", "Use two-letter codes such as TX, or full names such as Texas"),
    "country": ("unrecognised country", "Use ISO 3166 codes such as MX or MEX, or English names such as Mexico"),
}


def _areas(series: pd.Series, file: str, column: str, scheme: AreaScheme) -> pd.Series:
    # "NA" is Namibia's ISO code, so in a country column it is a country, not a missing value.
    codes, texts = _distinct(series, _BLANKS - {"na"} if scheme.dimension == "country" else None)
    canonical = [
        UNKNOWN_AREA if t is None else scheme.normalize(t) or (UNKNOWN_AREA if token(t) in MISSING_TOKENS else None)
        for t in texts
    ]
    problem, hint = _AREA_HINTS[scheme.dimension]
    _check(file, column, problem, series, codes, [c is None for c in canonical], hint=hint)
    return _categorical(codes, canonical, UNKNOWN_AREA, scheme.codes + (UNKNOWN_AREA,), series.index)


def _categorical(codes, distinct_values, missing_value, categories, index) -> pd.Series:
    """Build the categorical straight from codes: fast on ten million rows."""
    position = {value: i for i, value in enumerate(categories)}
    remap = np.array([position[v] for v in distinct_values] + [position[missing_value]], dtype=np.int16)
    category_codes = remap[np.where(codes < 0, len(distinct_values), codes)]
    return pd.Series(pd.Categorical.from_codes(category_codes, categories=categories), index=index)
