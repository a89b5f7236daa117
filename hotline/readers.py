"""Read CSV, Parquet and Excel files into a raw frame of text, reporting problems by file name.

Readers do not interpret values: cells stay as the file has them (text from CSV and Excel, typed
columns from Parquet) so that normalization can name the exact cell that is wrong.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from hotline.errors import DataError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
PARQUET_SUFFIXES = {".parquet", ".pq"}


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one file into a frame whose columns are as in the file, values as text or missing."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise DataError(name, "file not found")
    if path.stat().st_size == 0:
        raise DataError(name, "the file is empty", hint="Expected a header row and at least one record")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        frame = _read_csv(path)
    elif suffix in PARQUET_SUFFIXES:
        frame = _read_parquet(path)
    elif suffix in EXCEL_SUFFIXES:
        frame = _read_excel(path)
    else:
        raise DataError(name, f"unsupported file type '{suffix or 'none'}'", hint="Use CSV, Parquet or Excel")
    if frame.empty:
        raise DataError(name, "the file has a header but no records")
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise DataError(path.name, "this is not a text file (it contains binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(
            path.name,
            f"the file is not UTF-8 text (byte {raw[error.start]:#04x} on row {line})",
            hint="Save it as 'CSV UTF-8'",
        ) from None
    delimiter = _sniff_delimiter(text, path.suffix.lower())
    header = next(csv.reader([_first_line(text)], delimiter=delimiter)) if text.strip() else []
    _reject_duplicate_columns(path.name, header)
    try:
        return pd.read_csv(
            io.StringIO(text),  # the text decoded above: the file is read once
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
        )
    except pd.errors.ParserError as error:
        raise DataError(path.name, f"the file is not a well-formed table: {error}") from None
    except pd.errors.EmptyDataError:
        raise DataError(path.name, "the file is empty") from None


def _sniff_delimiter(text: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    first_line = _first_line(text)
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises many types for a damaged file
        raise DataError(path.name, f"not a readable Parquet file ({type(error).__name__})") from None
    _reject_duplicate_columns(path.name, list(frame.columns))
    return frame


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=str, keep_default_na=False, na_values=[""])
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise DataError(path.name, f"not a readable Excel file ({type(error).__name__})") from None
    if sheet.empty:
        raise DataError(path.name, "the first sheet is empty")
    # Read the header ourselves: pandas would silently rename a repeated column to "name.1".
    header = [str(cell).strip() for cell in sheet.iloc[0]]
    _reject_duplicate_columns(path.name, header)
    frame = sheet.iloc[1:].reset_index(drop=True)
    frame.columns = header
    return frame


def _reject_duplicate_columns(name: str, header: list[str]) -> None:
    seen: set[str] = set()
    for position, column in enumerate(header, start=1):
        key = str(column).strip().lower()
        if key in seen:
            raise DataError(name, f"the column name appears twice (again in position {position})", column=str(column))
        seen.add(key)
