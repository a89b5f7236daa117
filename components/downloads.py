"""Files of a table of numbers: CSV and Excel bytes, and a file name made from the table's title.

Pure functions of (title, columns, rows, footnote), nothing about the data's meaning. Numbers are
written as numbers, every other cell as text. A text cell that a spreadsheet would run as a formula
(it starts with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, as the OWASP
guidance on CSV injection advises: file contents come from uploaded data, which may be hostile.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | None

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SLUG = 100  # characters; file systems allow 255 bytes, and a name should stay readable
SHEET_NAME = "Data"


def is_number(cell: object) -> bool:
    return isinstance(cell, (int, float)) and not isinstance(cell, bool) and math.isfinite(cell)


def neutralize(cell: Cell) -> Cell:
    """Numbers stay numbers; text that a spreadsheet would evaluate is made inert with a leading apostrophe."""
    if is_number(cell):
        return cell
    words = "" if cell is None or isinstance(cell, float) else str(cell)  # NaN and inf are no numbers to show
    return "'" + words if words.startswith(FORMULA_STARTS) else words


def slug(title: str) -> str:
    """ "Signals by gender, Texas, 2015–2019" -> "signals-by-gender-texas-2015-2019"."""
    words = re.sub(r"[\W_]+", "-", title.lower())  # first, so dashes and commas become separators
    ascii_only = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return cleaned[:MAX_SLUG].rstrip("-") or "chart"


def file_name(title: str, extension: str) -> str:
    return f"{slug(title)}.{extension}"


def _lines(title: str, columns: Sequence[Cell], rows: Sequence[Sequence[Cell]], footnote: str) -> list[list[Cell]]:
    """The file's rows: title, header, the table, an empty line, then the footnote."""
    lines: list[list[Cell]] = [[title], list(columns), *(list(row) for row in rows)]
    if footnote:
        lines += [[], [footnote]]
    return [[neutralize(cell) for cell in line] for line in lines]


def csv_bytes(title: str, columns: Sequence[Cell], rows: Sequence[Sequence[Cell]], footnote: str = "") -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read "2015–2019" right; text quoted."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerows(_lines(title, columns, rows, footnote))
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(title: str, columns: Sequence[Cell], rows: Sequence[Sequence[Cell]], footnote: str = "") -> bytes:
    """One sheet: bold title and header, numbers as numbers (thousands separated after the first column), words as text."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    lines = _lines(title, columns, rows, footnote)
    widths: dict[int, int] = {}
    for line_number, line in enumerate(lines, start=1):
        for column_number, value in enumerate(line, start=1):
            cell = sheet.cell(row=line_number, column=column_number)
            if is_number(value):
                cell.value = value
                if column_number > 1:  # the first column labels the rows: a year is not written "2,019"
                    cell.number_format = "#,##0" if isinstance(value, int) else "#,##0.0#"
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # never a formula, whatever the text
            if 2 <= line_number <= len(rows) + 2:  # the table sets the widths; title and footnote may run wide
                widths[column_number] = max(widths.get(column_number, 8), len(str(value)) + 2)
    for column_number in range(1, len(columns) + 1):
        sheet.cell(row=2, column=column_number).font = Font(bold=True)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    for column_number, width in widths.items():
        sheet.column_dimensions[get_column_letter(column_number)].width = min(width, 60)
    sheet.freeze_panes = "A3"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
