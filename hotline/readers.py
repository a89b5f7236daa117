"""Read CSV, Parquet and Excel files into a raw frame of text, reporting problems by file name.

Readers do not interpret values: cells stay as the file has them (text from CSV and Excel, typed
columns from Parquet) so that normalization can name the exact cell that is wrong.

The index of a raw frame is the record number (0 for the first record under the header), so that
index + 2 is the spreadsheet row even where blank rows were left out.
"""

from __future__ import annotations

import codecs
import csv
import importlib.util
import io
import re
import warnings
from pathlib import Path

import pandas as pd

from hotline import sheet_bounds
from hotline.errors import DataError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
# A reader holds a sheet as a grid from A1 to its last cell: 5 million cells (500,000 rows of 10
# columns) is a few hundred MB; bigger tables belong in CSV or Parquet. The XML cap refuses a zip bomb.
MAX_SHEET_CELLS = 5_000_000
MAX_SHEET_XML_BYTES = 512 * 1024 * 1024
SAVE_AS_UTF8 = "Save it as 'CSV UTF-8' (in Excel: File > Save As > CSV UTF-8)"
_SNIFF_BYTES = 8192

# What a file holds, judged from its first bytes; names as a user would know them.
_KINDS = {
    "zip": "an Excel workbook (or another zip archive)",
    "ole": "an old-format Excel workbook (.xls) or a password-protected one",
    "parquet": "a Parquet file",
    "json": "JSON text",
    "html": "a web page (HTML)",
}
_RENAME = {"zip": ".xlsx", "parquet": ".parquet"}


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one file into a frame whose columns are as in the file, values as text or missing."""
    path = Path(path)
    if not path.exists():
        raise DataError(path.name, "file not found")
    if path.is_dir():
        raise DataError(path.name, "this is a folder, not a file", hint="Give the path of a CSV, Parquet or Excel file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError(path.name, f"the file cannot be read ({error.strerror or 'access refused'})") from None
    return read_table_bytes(path.name, data)


def read_table_bytes(name: str, data: bytes) -> pd.DataFrame:
    """read_table() for a file's content held in memory; the suffix of `name` says the format."""
    if not data[:_SNIFF_BYTES].strip() and not data.strip():
        raise DataError(name, "the file is empty", hint="Expected a header row and at least one record")
    suffix = Path(name).suffix.lower()
    kind = _sniff(data[:_SNIFF_BYTES])
    if suffix in CSV_SUFFIXES:
        _expect_text(name, kind)
        frame = _read_csv(name, data)
    elif suffix in PARQUET_SUFFIXES:
        _expect(name, kind, "parquet", "not a readable Parquet file")
        frame = _read_parquet(name, data)
    elif suffix in EXCEL_SUFFIXES:
        frame = _read_excel(name, data, kind)
    else:
        raise DataError(name, f"unsupported file type '{suffix or 'none'}'", hint=_unsupported_hint(kind))
    if frame.empty:
        raise DataError(name, "the file has a header but no records", hint="Expected at least one record under it")
    if frame.shape[1] == 1:
        raise DataError(
            name,
            "the table has only one column, so its columns are not separated as expected",
            column=str(frame.columns[0]),
            hint="Separate columns with commas, semicolons or tabs",
        )
    return frame


def base_name(name: str) -> str:
    """The file name alone, from a path or a browser's upload name ("C:\\fakepath\\s.csv" -> "s.csv")."""
    return re.split(r"[\\/]", str(name))[-1].strip() or "upload"


def _sniff(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(head):
        return "utf16"
    if _looks_binary(head):
        return "binary"
    start = head.lstrip(codecs.BOM_UTF8).lstrip()[:15].lower()
    if start[:1] in (b"{", b"["):
        return "json"
    if start.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        return "html"
    return "text"


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte order mark: plain letters leave a zero byte in every other position."""
    pairs = len(head) // 2
    return pairs >= 4 and max(head[0::2].count(0), head[1::2].count(0)) > 0.4 * pairs


def _looks_binary(head: bytes) -> bool:
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return b"\x00" in head or controls > 0.02 * len(head)


def _expect_text(name: str, kind: str) -> None:
    if kind == "utf16":
        raise DataError(name, "the text is UTF-16, not UTF-8", hint=SAVE_AS_UTF8)
    if kind == "binary":
        raise DataError(name, "this is not a text file (it contains binary data)", hint="Expected CSV text")
    if kind in _KINDS:
        hint = f"Rename it to {_RENAME[kind]}" if kind in _RENAME else "Export the table as CSV, Parquet or Excel"
        raise DataError(name, f"this file holds {_KINDS[kind]}, not CSV text", hint=hint)


def _expect(name: str, kind: str, wanted: str, problem: str) -> None:
    if kind == wanted:
        return
    what = _KINDS.get(kind, {"text": "text", "utf16": "UTF-16 text", "binary": "binary data"}.get(kind, kind))
    hint = "If it is a CSV table, rename it to .csv" if kind in ("text", "utf16") else None
    if kind in _RENAME:
        hint = f"Rename it to {_RENAME[kind]}"
    raise DataError(name, f"{problem} (it holds {what})", hint=hint)


def _unsupported_hint(kind: str) -> str:
    if kind == "text":
        return "Use CSV, Parquet or Excel; if this file holds comma-separated text, rename it to .csv"
    if kind in _RENAME:
        return f"Use CSV, Parquet or Excel; this file looks like {_KINDS[kind]}: rename it to {_RENAME[kind]}"
    return "Use CSV, Parquet or Excel"


# --- CSV -----------------------------------------------------------------------------------------
def _read_csv(name: str, raw: bytes) -> pd.DataFrame:
    text = _decode(name, raw)
    body = text.lstrip()
    if not body:
        raise DataError(name, "the file is empty", hint="Expected a header row and at least one record")
    # Blank lines above the header are skipped; they still count in the spreadsheet rows named.
    skipped = text[: len(text) - len(body)].count("\n")
    delimiter = _sniff_delimiter(body, Path(name).suffix.lower())
    header = next(csv.reader([_first_line(body)], delimiter=delimiter, skipinitialspace=True))
    _reject_duplicate_columns(name, header, header_row=skipped + 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                io.StringIO(body),  # the text decoded above: the file is read once
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skipinitialspace=True,
                skip_blank_lines=False,  # keep blank lines so record numbers stay spreadsheet rows
                index_col=False,  # never take the first column as an index when rows are longer than the header
            )
        except pd.errors.ParserError as error:
            raise _malformed(name, body, delimiter, header, skipped, str(error)) from None
        except pd.errors.EmptyDataError:
            raise DataError(name, "the file is empty") from None
    if any(issubclass(warning.category, pd.errors.ParserWarning) for warning in caught):
        # Every record is longer than the header: pandas kept the first values only. That is
        # right for separators left at the ends of rows, and wrong if a dropped value is not blank.
        longer = _longer_row(name, body, delimiter, header, skipped, blank_extras_ok=True)
        if longer is not None:
            raise longer
    if len(frame) < _records_in(body):
        # Fewer records than lines: a quoted value runs over several lines, which a table of signals
        # never needs. It is a quote left open (closed, by chance, by another quote further down).
        spanning = _spanning_quote(name, body, delimiter, header, skipped)
        if spanning is not None:
            raise spanning
    frame.index = frame.index + skipped
    return _without_blank_rows(frame)


def _records_in(text: str) -> int:
    """Lines under the header, blank ones included (as read with skip_blank_lines=False)."""
    return text.count("\n") - (1 if text.endswith("\n") else 0)


def _decode(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _encoding_error(name, raw, error.start) from None


def _encoding_error(name: str, raw: bytes, start: int) -> DataError:
    """Name the cell holding the first byte that is not UTF-8, shown as Windows-1252 would show it."""
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    text = raw[bom:].decode("cp1252", errors="replace")  # one character per byte: offsets still match
    position = start - bom
    bad_line = text.count("\n", 0, position) + 1
    delimiter = _sniff_delimiter(text, "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    header: list[str] = []
    column = value = None
    row = 0
    for fields in reader:
        row += 1
        header = header or fields
        if reader.line_num >= bad_line:
            for index, field in enumerate(fields):
                if text[position] in field:
                    column = header[index] if index < len(header) else None
                    value = field
                    break
            break
    return DataError(
        name,
        f"the text is not UTF-8 (byte {raw[start]:#04x}): the file was saved in another encoding,"
        " such as Windows-1252 or Latin-1",
        column=column,
        value=value,
        rows=[row],
        hint=SAVE_AS_UTF8,
    )


def _malformed(name: str, text: str, delimiter: str, header: list[str], skipped: int, parser_message: str) -> DataError:
    """Find the record the CSV parser stopped at and say what is wrong with it, in the user's terms."""
    spanning = _spanning_quote(name, text, delimiter, header, skipped)
    if spanning is not None:
        return spanning
    try:
        longer = _longer_row(name, text, delimiter, header, skipped, blank_extras_ok=False)
    except _UnclosedQuote as unclosed:
        return _unclosed_quote(name, text, delimiter, header, unclosed.row + skipped, unclosed.line)
    if longer is not None:
        return longer
    line = re.search(r"(?:line|row) (\d+)", parser_message)
    where = f" near line {int(line.group(1)) + skipped}" if line else ""
    return DataError(name, f"the file is not a well-formed table{where}", hint="Check its quotes and separators")


class _UnclosedQuote(Exception):
    def __init__(self, row: int, line: int) -> None:
        self.row, self.line = row, line


def _longer_row(
    name: str, text: str, delimiter: str, header: list[str], skipped: int, *, blank_extras_ok: bool
) -> DataError | None:
    """The first record with more values than the header has columns (blank extra values allowed if asked)."""
    width = len(header)
    shown = {"\t": "tab"}.get(delimiter, f"'{delimiter}'")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True)
    row, start_line = 0, 1
    try:
        for row, fields in enumerate(reader, start=1):
            extra = fields[width:]
            if extra and not (blank_extras_ok and not "".join(extra).strip()):
                if row == 2:  # already the first record: the header is what is short
                    hint = "The header has fewer columns than the rows under it: is there a title above the header"
                    hint += " row, or a column without a name?"
                elif "".join(extra).strip():
                    hint = f"Put a value that contains {shown} in double quotes, or remove the extra separators"
                else:
                    hint = "Remove the separators at the end of the row"
                return DataError(
                    name,
                    f"not a well-formed table: this row has {len(fields)} values but the header has {width} column"
                    + ("s" if width > 1 else ""),
                    value=delimiter.join(extra) if "".join(extra).strip() else None,
                    rows=[row + skipped],
                    hint=hint,
                )
            start_line = reader.line_num + 1
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            raise _UnclosedQuote(row + 1, start_line) from None
    return None


def _spanning_quote(name: str, text: str, delimiter: str, header: list[str], skipped: int) -> DataError | None:
    """The first record that starts on one line and ends on another: a quote opened there is not closed there."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    start_line = 1
    try:
        for _ in reader:
            if reader.line_num > start_line:
                closed = text.count('"') % 2 == 0  # else open to the end of the file
                return _unclosed_quote(name, text, delimiter, header, start_line + skipped, start_line, closed=closed)
            start_line = reader.line_num + 1
    except csv.Error:
        return None  # not a quote running over lines: the caller says what else is wrong
    return None


def _unclosed_quote(
    name: str, text: str, delimiter: str, header: list[str], row: int, start_line: int, *, closed: bool = False
) -> DataError:
    line = text.splitlines()[start_line - 1] if start_line <= text.count("\n") + 1 else ""
    quote = _open_quote(line)
    fields_before = next(csv.reader([line[:quote]], delimiter=delimiter)) if quote > 0 else [""]
    index = len(fields_before) - 1
    # Closed further down, by another stray quote: the lines between read as one value.
    problem = (
        'a double quote (") opened in this row is not closed on it (an unclosed quote), so the lines after it read'
        " as part of one value"
        if closed
        else 'a double quote (") opened in this row is never closed (an unclosed quote), so the rest of the file reads'
        " as one value"
    )
    return DataError(
        name,
        problem,
        column=header[index] if 0 <= index < len(header) else None,
        value=line[quote:] if quote >= 0 else line,
        rows=[row],
        hint='Close the quote, or remove it; a quote inside a value is written twice ("")',
    )


def _open_quote(line: str) -> int:
    """Where the quote left open at the end of `line` starts (a doubled quote opens and closes); else the first."""
    opened, position = False, -1
    for index, character in enumerate(line):
        if character == '"':
            opened = not opened
            position = index if opened else position
    return position if opened else line.find('"')


def _sniff_delimiter(text: str, suffix: str) -> str:
    first_line = _first_line(text)
    if suffix == ".tsv" and "\t" in first_line:  # a .tsv of commas is still read by its commas
        return "\t"
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def _without_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Leave out rows with no value at all, keeping the record number of every other row as its index."""
    if frame.empty:
        return frame
    maybe = frame.iloc[:, 0].isna().to_numpy()  # cheap first pass: a blank row is blank in column 1
    if not maybe.any():
        return frame
    blank = maybe.copy()
    blank[maybe] = frame[maybe].isna().all(axis=1).to_numpy()
    return frame[~blank]


# --- Parquet and Excel ---------------------------------------------------------------------------
def _read_parquet(name: str, data: bytes) -> pd.DataFrame:
    import pyarrow.parquet as pq

    damaged = DataError(name, "not a readable Parquet file (it is damaged or cut short)")
    try:
        schema = pq.read_schema(io.BytesIO(data))
    except Exception:  # pyarrow raises many types for a damaged file
        raise damaged from None
    _reject_duplicate_columns(name, schema.names)
    for field in schema:
        _reject_unusable_type(name, field)
    try:
        return pd.read_parquet(io.BytesIO(data))
    except Exception:
        raise damaged from None


def _reject_unusable_type(name: str, field) -> None:
    """Cells must be plain numbers, text, true/false or dates: a list, a record or raw bytes is not a value."""
    import pyarrow.types as types

    kind = field.type.value_type if types.is_dictionary(field.type) else field.type
    if types.is_nested(kind):
        what = "nested values (lists or records in a cell)"
    elif types.is_binary(kind) or types.is_large_binary(kind) or types.is_fixed_size_binary(kind):
        what = "raw bytes, not text"
    elif not (
        types.is_integer(kind)
        or types.is_floating(kind)
        or types.is_decimal(kind)
        or types.is_string(kind)
        or types.is_large_string(kind)
        or (hasattr(types, "is_string_view") and types.is_string_view(kind))
        or types.is_boolean(kind)
        or types.is_null(kind)
        or types.is_temporal(kind)
    ):
        what = "values of a kind this reader does not know"
    else:
        return
    raise DataError(
        name,
        f"the column's type is {field.type}: {what}, which a table of signals cannot hold",
        column=field.name,
        hint="Store it as numbers or text (flatten lists and records into columns of their own), or leave it out",
    )


def _read_excel(name: str, data: bytes, kind: str) -> pd.DataFrame:
    if kind == "ole" and importlib.util.find_spec("xlrd") is None:
        raise DataError(
            name,
            "this is an old-format (.xls) or password-protected workbook, which cannot be read here",
            hint="Save it as 'Excel Workbook (.xlsx)' without a password, or as 'CSV UTF-8'",
        )
    if kind not in ("zip", "ole"):
        _expect(name, kind, "zip", "not a readable Excel file")
    if kind == "zip":
        _refuse_oversized_sheet(name, data)
    try:
        sheet = pd.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            engine="calamine",  # Rust: several times faster than openpyxl, and bounded by the check above
        )
    except Exception:  # the reader raises many types for a damaged file
        raise DataError(name, "not a readable Excel file (it is damaged or not an .xlsx workbook)") from None
    sheet = sheet.dropna(how="all", axis=1)
    filled = sheet.notna().any(axis=1).to_numpy()
    if not filled.any():
        raise DataError(name, "the first sheet is empty", hint="The table must be on the first sheet")
    # Read the header ourselves: pandas would silently rename a repeated column to "name.1".
    first = int(filled.argmax())  # blank rows above the header are skipped, as a reader's eye does
    header = [f"Unnamed: {i}" if pd.isna(cell) else str(cell).strip() for i, cell in enumerate(sheet.iloc[first])]
    _reject_duplicate_columns(name, header, header_row=first + 1)
    frame = sheet.iloc[first + 1 :]
    frame.columns = header
    frame.index = frame.index - 1  # sheet position p is spreadsheet row p + 1, which is index + 2
    return _without_blank_rows(frame)


def _refuse_oversized_sheet(name: str, data: bytes) -> None:
    """Refuse a sheet whose used range is past MAX_SHEET_CELLS before a reader expands it (hotline.sheet_bounds)."""
    too_big = f"more than the {MAX_SHEET_CELLS:,} cells this reader accepts"
    hint = "Delete the unused rows and columns (a stray value far to the right or below), or save the table as CSV"
    if sheet_bounds.sheet_xml_size(data) > MAX_SHEET_XML_BYTES:
        raise DataError(name, f"the first sheet is too large to read ({too_big})", hint=hint + " or Parquet")
    bounds = sheet_bounds.first_sheet_bounds(data, stop_above=MAX_SHEET_CELLS)
    if bounds is not None and bounds.used_range > MAX_SHEET_CELLS:
        raise DataError(
            name,
            f"the first sheet is too large to read: its used range reaches at least {bounds.last_cell}"
            f" ({bounds.rows:,} rows by {bounds.columns:,} columns from A1), {too_big}",
            hint=hint + " or Parquet",
        )


def _reject_duplicate_columns(name: str, header: list[str], header_row: int = 1) -> None:
    seen: dict[str, int] = {}
    for position, column in enumerate(header, start=1):
        key = str(column).strip().lower()
        if not key:
            continue
        if key in seen:
            raise DataError(
                name,
                f"the column name appears twice in the header (row {header_row}),"
                f" in positions {seen[key]} and {position}",
                column=str(column),
                hint="Rename or remove one of them",
            )
        seen[key] = position
