"""Write the corpus of malformed data files that tests/test_error_corpus.py loads, and EXPECTED.csv.

    python tests/error_corpus/make_corpus.py [OUT_DIR]      (default: this folder)

Every file is small and made the same way on every run (fixed values, fixed timestamps inside the
.xlsx files), so the committed files can be checked against this script. EXPECTED.csv lists, per
file, what the refusal must say: words of the problem, the column as spelled in the file, the value
as shown in the message, and the spreadsheet row (the header is row 1). Blank means "not meaningful".
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
EXPECTED = "EXPECTED.csv"
FIELDS = ("file", "problem", "column", "value", "row", "what")

HEADER = ("year", "state", "trafficking_type", "gender", "count")
RECORDS = (
    ("2015", "TX", "sex", "female", "12"),
    ("2015", "CA", "labor", "male", "7"),
    ("2016", "NY", "sex_and_labor", "female", "3"),
    ("2016", "OH", "sex", "unknown", "25"),
    ("2017", "TX", "labor", "female", "9"),
    ("2017", "FL", "sex", "male", "4"),
    ("2018", "WA", "not_specified", "female", "11"),
    ("2018", "GA", "sex", "gender_minority", "2"),
)
COUNTRY_HEADER = ("year", "country", "trafficking_type", "count")
COUNTRY_RECORDS = (
    ("2019", "MEX", "sex", "120"),
    ("2019", "Philippines", "labor", "88"),
    ("2019", "NG", "sex", "<5"),
    ("2020", "Brazil", "other", "41"),
    ("2020", "IND", "labor", "302"),
    ("2020", "Ghana", "sex_and_labor", "17"),
)


@dataclass(frozen=True)
class Case:
    file: str
    content: Callable[[], bytes]
    problem: str  # words the message must contain
    what: str  # what is wrong, for a reader of EXPECTED.csv
    column: str = ""
    value: str = ""  # as the message shows it: text in quotes, a Parquet number bare
    row: int | None = None


def row_of(record: int) -> int:
    """Spreadsheet row of a record (0 = the first record under the header)."""
    return record + 2


def table(
    header=HEADER,
    records=RECORDS,
    *,
    change: tuple[int, int, str] | None = None,
) -> list[list[str]]:
    """Header and records as lists of cells; `change` puts a value at (record, column index)."""
    rows = [list(header)] + [list(record) for record in records]
    if change is not None:
        record, column, value = change
        rows[record + 1][column] = value
    return rows


def text(rows: list[list[str]], sep: str = ",", newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=newline).writerows(rows)
    return out.getvalue()


def utf8(rows: list[list[str]], sep: str = ",") -> bytes:
    return text(rows, sep).encode("utf-8")


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.properties.creator = "make_corpus.py"
    book.properties.created = book.properties.modified = datetime(2024, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed entry timestamps, so a rerun writes the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", content)
            target.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def numeric_rows(rows: list[list[str]]) -> list[list]:
    """Cells as Excel would hold them: numbers as numbers."""

    def cell(value: str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value

    return [rows[0]] + [[cell(value) for value in row] for row in rows[1:]]


def parquet(columns: dict[str, list], names: list[str] | None = None) -> bytes:
    arrays = [pa.array(values) for values in columns.values()]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=names or list(columns)), buffer)
    return buffer.getvalue()


def typed_columns(records=RECORDS) -> dict[str, list]:
    return {
        "year": [int(r[0]) for r in records],
        "state": [r[1] for r in records],
        "trafficking_type": [r[2] for r in records],
        "gender": [r[3] for r in records],
        "count": [int(r[4]) for r in records],
    }


def with_value(columns: dict[str, list], column: str, record: int, value) -> dict[str, list]:
    changed = {name: list(values) for name, values in columns.items()}
    changed[column][record] = value
    return changed


def junk(size: int) -> bytes:
    """Bytes that are no file format at all (a fixed linear congruential sequence)."""
    state, out = 12345, bytearray()
    for _ in range(size):
        state = (1103515245 * state + 12345) % 2**31
        out.append(state >> 23)
    return bytes(out)


def _blank_line_then_bad() -> bytes:
    rows = table(change=(3, 3, "robot"))
    lines = text(rows).splitlines(keepends=True)
    return "".join(lines[:3] + ["\n"] + lines[3:]).encode("utf-8")  # a blank line at spreadsheet row 4


def _title_above_header() -> bytes:
    rows = numeric_rows(table(change=(2, 1, "Ontario")))
    return xlsx([[], []] + rows)  # two blank rows: the header is on row 3, record 2 on row 6


def _wide_sheet() -> bytes:
    """A table plus one value in the last column (XFD) on 400 rows: 6.5 million cells from A1, a few kB on disk."""
    book = Workbook()
    sheet = book.active
    for row in numeric_rows(table()):
        sheet.append(row)
    for row in range(1, 401):
        sheet.cell(row=row, column=16384, value=1)
    book.properties.creator = "make_corpus.py"
    book.properties.created = book.properties.modified = datetime(2024, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _latin1() -> bytes:
    rows = table(COUNTRY_HEADER, COUNTRY_RECORDS, change=(3, 1, "Côte d'Ivoire"))
    return text(rows).encode("latin-1")


def _truncated_xlsx() -> bytes:
    whole = xlsx(numeric_rows(table()))
    return whole[: len(whole) // 2]


CASES: tuple[Case, ...] = (
    # --- nothing to read -------------------------------------------------------------------------
    Case("empty.csv", lambda: b"", "the file is empty", "a file of 0 bytes"),
    Case("blank_lines.csv", lambda: b"\r\n\r\n   \r\n\t\r\n", "the file is empty", "only blank lines"),
    Case("header_only.csv", lambda: b"year,state,trafficking_type,count\n", "header but no records", "header only"),
    Case(
        "bom_header_only.csv",
        lambda: codecs.BOM_UTF8 + b"year,state,trafficking_type,count\r\n",
        "header but no records",
        "byte order mark and header only",
    ),
    Case("header_only.xlsx", lambda: xlsx([list(HEADER)]), "header but no records", "Excel header only"),
    Case("empty_sheet.xlsx", lambda: xlsx([]), "the first sheet is empty", "Excel workbook with an empty sheet"),
    # --- not a table, or not the format its name says ------------------------------------------------
    Case("binary_junk.csv", lambda: junk(2048), "not a text file", "binary junk named .csv"),
    Case(
        "excel_named_csv.csv",
        lambda: xlsx(numeric_rows(table())),
        "Excel workbook",
        "an .xlsx workbook named .csv",
    ),
    Case(
        "parquet_named_csv.csv",
        lambda: parquet(typed_columns()),
        "Parquet file",
        "a Parquet file named .csv",
    ),
    Case(
        "json_named_txt.txt",
        lambda: b'[{"year": 2015, "state": "TX", "trafficking_type": "sex", "count": 12}]\n',
        "JSON",
        "JSON records named .txt",
    ),
    Case("csv_named_json.json", lambda: utf8(table()), "unsupported file type '.json'", "CSV text named .json"),
    Case(
        "web_page.csv",
        lambda: b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in</body></html>\n",
        "web page",
        "an HTML page saved as .csv (a failed download)",
    ),
    Case("text_named_xlsx.xlsx", lambda: utf8(table()), "not a readable Excel file", "CSV text named .xlsx"),
    Case("truncated.xlsx", _truncated_xlsx, "not a readable Excel file", "the first half of an .xlsx workbook"),
    Case(
        "old_format.xls",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "old-format (.xls)",
        "an Excel 97-2003 container",
    ),
    Case(
        "damaged.parquet",
        lambda: b"PAR1" + junk(300) + b"PAR1",
        "not a readable Parquet file",
        "Parquet magic bytes around junk",
    ),
    # --- encoding and separators -------------------------------------------------------------------
    Case("utf16.csv", lambda: text(table()).encode("utf-16"), "UTF-16", "UTF-16 text (Excel 'Unicode Text')"),
    Case(
        "latin1.csv",
        _latin1,
        "not UTF-8",
        "Latin-1 text: a country name with a non-ASCII letter",
        column="country",
        value='"Côte d\'Ivoire"',
        row=row_of(3),
    ),
    Case(
        "space_separated.csv",
        lambda: text(table(), sep=" ").encode("utf-8"),
        "only one column",
        "columns separated by spaces",
        column="year state trafficking_type gender count",
    ),
    Case(
        "decimal_comma_count.csv",
        lambda: utf8(table(change=(3, 4, "2,5")), sep=";"),
        "expected a whole number",
        "a semicolon file whose count has a decimal comma",
        column="count",
        value="'2,5'",
        row=row_of(3),
    ),
    Case(
        "ragged_row.csv",
        lambda: utf8(table()).replace(b"\n2016,NY,sex_and_labor,female,3\n", b"\n2016,NY,sex,and,labor,female,3\n"),
        "has 7 values but the header has 5 columns",
        "a value containing the separator, not quoted",
        value="'female,3'",
        row=row_of(2),
    ),
    Case(
        "unterminated_quote.csv",
        lambda: utf8(table()).replace(b"\n2015,CA,labor,", b'\n2015,CA,"labor,'),
        "never closed",
        "a quote opened and never closed",
        column="trafficking_type",
        value="'\"labor,male,7'",
        row=row_of(1),
    ),
    Case(
        "quote_closed_rows_later.csv",
        lambda: utf8(table()).replace(b"\n2015,CA,labor,", b'\n2015,CA,"labor,').replace(b"\n2017,FL,", b'\n2017,"FL,'),
        "not closed on it (an unclosed quote)",
        "a quote opened on row 3 and closed by another stray quote rows later",
        column="trafficking_type",
        value="'\"labor,male,7'",
        row=row_of(1),
    ),
    Case(
        "quote_after_quoted_value.csv",
        lambda: utf8(table()).replace(b"\n2015,CA,labor,male,7\n", b'\n2015,"CA"x,labor,male,"7\n'),
        "never closed (an unclosed quote)",
        "a stray character after a quoted value, then a quote never closed, on row 3",
        column="count",
        value="'\"7'",
        row=row_of(1),
    ),
    Case(
        "wide_sheet.xlsx",
        _wide_sheet,
        "the first sheet is too large to read",
        "a value in column XFD on 400 rows: 6.5 million cells from A1 in a 9 kB file",
    ),
    Case(
        "list_column.parquet",
        lambda: parquet(typed_columns() | {"tags": [["a", "b"]] * len(RECORDS)}),
        "the column's type is list<element: string>",
        "a list<string> column",
        column="tags",
    ),
    Case(
        "struct_column.parquet",
        lambda: parquet(typed_columns() | {"place": [{"city": "Austin"}] * len(RECORDS)}),
        "the column's type is struct<city: string>",
        "a struct column (a record in each cell)",
        column="place",
    ),
    Case(
        "binary_column.parquet",
        lambda: parquet(typed_columns() | {"state": [b"TX"] * len(RECORDS)}),
        "raw bytes, not text",
        "the state column stored as binary",
        column="state",
    ),
    Case(
        "rows_longer_than_header.csv",
        lambda: utf8(table(records=[r + (f"note {i}",) for i, r in enumerate(RECORDS)])),
        "has 6 values but the header has 5 columns",
        "every record has a sixth value under no header (never read as an index)",
        value="'note 0'",
        row=row_of(0),
    ),
    Case(
        "title_line_above_header.csv",
        lambda: b"Hotline signals by state, 2015-2018\n" + utf8(table()),
        "title above the header",
        "a title line above the header row",
        value="'trafficking_type,gender,count'",
        row=2,
    ),
    Case(
        "blank_lines_above_header.csv",
        lambda: b"\n\n" + utf8(table(change=(2, 0, "2015.5"))),
        "not a fraction",
        "two blank lines above the header: the header is row 3",
        column="year",
        value="'2015.5'",
        row=row_of(2) + 2,
    ),
    Case(
        "blank_line_then_bad_value.csv",
        _blank_line_then_bad,
        "unrecognised value",
        "a blank line above the bad cell still counts as a spreadsheet row",
        column="gender",
        value="'robot'",
        row=row_of(4),
    ),
    # --- columns ---------------------------------------------------------------------------------
    Case(
        "duplicated_columns.csv",
        lambda: utf8(table(HEADER + ("Count",), [r + ("1",) for r in RECORDS])),
        "appears twice",
        "count and Count",
        column="Count",
        row=1,
    ),
    Case(
        "duplicated_columns.xlsx",
        lambda: xlsx(numeric_rows(table(("Year",) + HEADER[1:] + ("year",), [r + ("2015",) for r in RECORDS]))),
        "appears twice",
        "Year and year in a workbook",
        column="year",
        row=1,
    ),
    Case(
        "duplicated_columns.parquet",
        lambda: parquet(typed_columns() | {"year2": [2015] * len(RECORDS)}, names=[*HEADER, "year"]),
        "appears twice",
        "two Parquet columns named year",
        column="year",
    ),
    Case(
        "state_and_state_code.csv",
        lambda: utf8(
            table(("year", "State", "state_code", "trafficking_type"), [(r[0], r[1], r[1], r[2]) for r in RECORDS])
        ),
        "both 'State' and 'state_code' mean 'state'",
        "two columns meaning the same thing",
        column="state_code",
    ),
    Case(
        "state_and_country.csv",
        lambda: utf8(
            table(("year", "state", "country", "trafficking_type"), [(r[0], r[1], "USA", r[2]) for r in RECORDS])
        ),
        "both 'state' and 'country' are geography columns; keep one",
        "both a state and a country column",
    ),
    Case(
        "no_geography.csv",
        lambda: utf8(table(("year", "trafficking_type", "count"), [(r[0], r[2], r[4]) for r in RECORDS])),
        "the table needs a geography column, 'state' (US) or 'country'",
        "neither a state nor a country column",
    ),
    Case(
        "missing_year.csv",
        lambda: utf8(table(("date",) + HEADER[1:])),
        "required column 'year' is missing",
        "no year column (a 'date' column instead)",
    ),
    Case(
        "missing_trafficking_type.csv",
        lambda: utf8(table(("year", "state", "kind", "gender", "count"))),
        "required column 'trafficking_type' is missing",
        "no trafficking type column",
    ),
    Case(
        "missing_trafficking_type.parquet",
        lambda: parquet({k: v for k, v in typed_columns().items() if k != "trafficking_type"}),
        "required column 'trafficking_type' is missing",
        "no trafficking type column in Parquet",
    ),
    Case(
        "unknown_layout.csv",
        lambda: b"date,place,kind,hits\n2015-03-01,Austin,sex,4\n2015-04-01,Dallas,labor,2\n",
        "match no known layout",
        "no column of any known layout",
    ),
    # --- values ----------------------------------------------------------------------------------
    Case(
        "unknown_category.csv",
        lambda: utf8(table(("year", "state", "Type", "gender", "count"), change=(4, 2, "smuggling"))),
        "unrecognised value",
        "a trafficking type that is not in the schema",
        column="Type",
        value="'smuggling'",
        row=row_of(4),
    ),
    Case(
        "unknown_state.csv",
        lambda: utf8(table(("year", "State", "trafficking_type", "gender", "count"), change=(2, 1, "Ontario"))),
        "unrecognised US state",
        "a Canadian province as a state",
        column="State",
        value="'Ontario'",
        row=row_of(2),
    ),
    Case(
        "unknown_state.tsv",
        lambda: utf8(table(change=(6, 1, "Tex.")), sep="\t"),
        "unrecognised US state",
        "a tab-separated file with an abbreviation that is not a state",
        column="state",
        value="'Tex.'",
        row=row_of(6),
    ),
    Case(
        "unknown_country.csv",
        lambda: utf8(table(COUNTRY_HEADER, COUNTRY_RECORDS, change=(5, 1, "Atlantis"))),
        "unrecognised country",
        "a country that does not exist",
        column="country",
        value="'Atlantis'",
        row=row_of(5),
    ),
    Case(
        "negative_count.csv",
        lambda: utf8(table(change=(1, 4, "-3"))),
        "expected a number from 0",
        "a count below zero",
        column="count",
        value="'-3'",
        row=row_of(1),
    ),
    Case(
        "fractional_count.csv",
        lambda: utf8(table(change=(3, 4, "2.5"))),
        "not a fraction",
        "a count with a fraction",
        column="count",
        value="'2.5'",
        row=row_of(3),
    ),
    Case(
        "count_as_word.csv",
        lambda: utf8(table(change=(2, 4, "many"))),
        "expected a whole number",
        "a count written as a word",
        column="count",
        value="'many'",
        row=row_of(2),
    ),
    Case(
        "country_count_below_one.csv",
        lambda: utf8(table(COUNTRY_HEADER, COUNTRY_RECORDS, change=(2, 3, "<1"))),
        "expected a whole number",
        "a censored count '<1', which would mean no signals at all",
        column="count",
        value="'<1'",
        row=row_of(2),
    ),
    Case(
        "all_zero_counts.csv",
        lambda: utf8(table(records=[r[:4] + ("0",) for r in RECORDS])),
        "every count is 0",
        "no signals at all",
        column="count",
    ),
    Case(
        "year_as_text.csv",
        lambda: utf8(table(change=(1, 0, "twenty"))),
        "expected a whole number",
        "a year written as a word",
        column="year",
        value="'twenty'",
        row=row_of(1),
    ),
    Case(
        "year_1850.csv",
        lambda: utf8(table(change=(4, 0, "1850"))),
        "expected a number from 1990 to 2100",
        "a year out of range",
        column="year",
        value="'1850'",
        row=row_of(4),
    ),
    Case(
        "missing_year_value.csv",
        lambda: utf8(table(change=(5, 0, ""))),
        "a value is missing",
        "a blank year",
        column="year",
        row=row_of(5),
    ),
    Case(
        "month_13.csv",
        lambda: utf8(
            table(
                ("year", "month", "state", "trafficking_type"),
                [(r[0], str(i + 1), r[1], r[2]) for i, r in enumerate(RECORDS)],
                change=(3, 1, "13"),
            )
        ),
        "expected a number from 1 to 12",
        "month 13",
        column="month",
        value="'13'",
        row=row_of(3),
    ),
    Case(
        "unknown_category.xlsx",
        lambda: xlsx(numeric_rows(table(change=(3, 2, "smuggling")))),
        "unrecognised value",
        "an unknown trafficking type in a workbook",
        column="trafficking_type",
        value="'smuggling'",
        row=row_of(3),
    ),
    Case(
        "fractional_count.xlsx",
        lambda: xlsx(numeric_rows(table(change=(1, 4, "2.5")))),
        "not a fraction",
        "a numeric cell with a fraction",
        column="count",
        value="'2.5'",
        row=row_of(1),
    ),
    Case(
        "title_rows_above_header.xlsx",
        _title_above_header,
        "unrecognised US state",
        "two blank rows above the header: rows still count from the top of the sheet",
        column="state",
        value="'Ontario'",
        row=6,
    ),
    Case(
        "year_1850.parquet",
        lambda: parquet(with_value(typed_columns(), "year", 2, 1850)),
        "expected a number from 1990 to 2100",
        "an integer year out of range",
        column="year",
        value="1850",
        row=row_of(2),
    ),
    Case(
        "negative_count.parquet",
        lambda: parquet(with_value(typed_columns(), "count", 5, -2)),
        "expected a number from 0",
        "an integer count below zero",
        column="count",
        value="-2",
        row=row_of(5),
    ),
)


def write(out_dir: Path = HERE) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for case in CASES:
        path = out_dir / case.file
        path.write_bytes(case.content())
        written.append(path)
    with (out_dir / EXPECTED).open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(FIELDS)
        for case in CASES:
            writer.writerow([case.file, case.problem, case.column, case.value, case.row or "", case.what])
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    print(f"wrote {len(write(target))} files and {EXPECTED} to {target}")
