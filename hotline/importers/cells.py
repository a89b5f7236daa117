"""Reading cells of a source table: finding its columns, spotting missing values, refusing bad ones.

Shared by the importers so that every refusal names the file, the column as the source spells it,
the value and the spreadsheet rows, like the errors of hotline.normalize.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import NoReturn

import numpy as np
import pandas as pd

from hotline.errors import DataError
from hotline.normalize import FIRST_DATA_ROW, MAX_YEAR, MIN_YEAR
from hotline.schema import token

# Spellings of "no value" in published releases: blank, CTDC's -99, and the words used by codebooks.
# Compared in lower case; "99" alone is a number, only "-99" means missing.
MISSING_TEXTS = frozenset({"", "-99", "-99.0", "unknown", "missing", "na", "n/a", "nan", "none", "null", "<na>"})


def missing_text(value: object) -> bool:
    return str(value).strip().lower() in MISSING_TEXTS


def column_tokens(columns: Iterable[object]) -> set[str]:
    return {token(column) for column in columns}


def find_columns(
    raw: pd.DataFrame, file: str, layout: str, required: Iterable[str], optional: Iterable[str] = ()
) -> dict[str, str | None]:
    """The source's own spelling of each named column (matched by token); None for an absent optional one."""
    by_token = {token(column): str(column) for column in raw.columns}
    found: dict[str, str | None] = {name: by_token.get(token(name)) for name in optional}
    for name in required:
        if token(name) not in by_token:
            raise DataError(
                file,
                f"required column '{name}' of the {layout} layout is missing",
                hint=f"Columns found: {', '.join(map(str, raw.columns))}",
            )
        found[name] = by_token[token(name)]
    return found


def tokens(values: pd.Series) -> pd.Series:
    """token() of each text cell, computed once per distinct value."""
    return values.map({value: token(value) for value in pd.unique(values)})


def texts(series: pd.Series) -> pd.Series:
    """Cells as stripped text; a missing cell becomes ""."""
    return series.astype("string").fillna("").str.strip().astype(object)


def is_missing(values: pd.Series) -> np.ndarray:
    """True where a text cell (from texts()) holds no value."""
    missing = {value for value in pd.unique(values) if missing_text(value)}
    return values.isin(missing).to_numpy()


def map_values(values: pd.Series, file: str, column: str, lookup: Mapping[str, str], missing: str, hint: str):
    """Map text cells through lookup (keyed by token); missing cells become `missing`; others are refused."""
    result: dict[str, str] = {}
    for value in pd.unique(values):
        key = token(value)
        if key in lookup:
            result[value] = lookup[key]
        elif missing_text(value):
            result[value] = missing
        else:
            refuse(file, column, "unrecognised value", values, (values == value).to_numpy(), hint=hint)
    return values.map(result)


def refuse(
    file: str, column: str, problem: str, values: pd.Series, bad: np.ndarray, hint: str | None = None
) -> NoReturn:
    """Raise a DataError naming the first bad cell and the spreadsheet rows of the bad ones."""
    positions = np.flatnonzero(bad)
    raise DataError(
        file,
        problem,
        column=column,
        value=values.iloc[positions[0]],
        rows=record_rows(values.index, positions[:5]),
        total_rows=len(positions),
        hint=hint,
    )


def record_rows(index: pd.Index, positions) -> list[int]:
    """Spreadsheet rows of records: a reader's integer index is the record number (blank rows keep theirs)."""
    records = index[positions] if pd.api.types.is_integer_dtype(index) else np.asarray(positions)
    return [int(record) + FIRST_DATA_ROW for record in records]


def year_numbers(values: pd.Series, file: str, column: str) -> pd.Series:
    """Whole-number years in the range normalization accepts, refused here so the source's row is named."""
    numbers = whole_numbers(values, file, column)
    bad = ((numbers < MIN_YEAR) | (numbers > MAX_YEAR)).to_numpy(dtype=bool, na_value=False)
    if bad.any():
        refuse(file, column, f"expected a year from {MIN_YEAR} to {MAX_YEAR}", values, bad)
    return numbers


def whole_numbers(values: pd.Series, file: str, column: str, *, allow_missing: bool = False) -> pd.Series:
    """Text cells as integers ("1,281" and "2015.0" too); missing cells become <NA> or are refused."""
    numbers = pd.to_numeric(values.str.replace(",", "", regex=False), errors="coerce")
    missing = is_missing(values)
    if not allow_missing and missing.any():
        refuse(file, column, "a value is missing", values, missing)
    bad = ~missing & (numbers.isna() | (numbers != numbers.round())).to_numpy()
    if bad.any():
        refuse(file, column, "expected a whole number", values, bad)
    return numbers.where(~missing).astype("Int64")


def area_codes(
    values: pd.Series, file: str, column: str, normalize: Callable[[str], str | None], problem: str, hint: str
) -> pd.Series:
    """State or country codes through `normalize` (missing cells become None; unrecognised ones are refused).

    A code wins over a missing-value word: "NA" is Namibia where countries are coded.
    """
    result: dict[str, str | None] = {}
    for value in pd.unique(values):
        code = normalize(value) if value else None
        if code is None and not missing_text(value):
            refuse(file, column, problem, values, (values == value).to_numpy(), hint=hint)
        result[value] = code
    return values.map(result)
