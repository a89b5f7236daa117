"""How big the first sheet of an .xlsx workbook really is, found before any reader expands it in memory.

Spreadsheet readers (calamine included) hold a sheet as a dense grid from A1 to its last cell, so one
cell in column XFD on each of 20,000 rows becomes 327 million cells: minutes and gigabytes for a
290 kB file. The cells' own references say where they are; this module streams the sheet's XML out
of the archive and reads them, in time proportional to the file's real content, so that a sheet too
big to expand is refused first. The `<dimension>` element is not trusted: a file may say anything.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

CHUNK = 4 << 20
# Cells and rows with their references (`<c r="XFD20000" ...>`, `<row r="20000" ...>`). Every writer
# puts `r` first; the general patterns (any attribute order, a namespace prefix) are the fallback.
_FAST_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,9})"')
_FAST_ROW_REF = re.compile(rb'<row r="(\d{1,9})"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})(\d{1,9})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d{1,9})"')
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"')
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")


@dataclass(frozen=True)
class SheetBounds:
    rows: int  # the last row holding a cell (1-based), 0 for an empty sheet
    columns: int  # the last column holding a cell (A = 1)
    cells: int  # cells written in the file

    @property
    def used_range(self) -> int:
        """Cells from A1 to the last row and column: what a reader expands the sheet to."""
        return self.rows * self.columns

    @property
    def last_cell(self) -> str:
        return f"{column_letters(self.columns)}{self.rows}"


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters or "A"


def first_sheet_bounds(data: bytes, stop_above: int | None = None) -> SheetBounds | None:
    """The first sheet's bounds; None when the archive is not a workbook this can read (the reader says why)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        path = _first_sheet_path(archive)
        if path is None:
            return None
        with archive.open(path) as stream:
            return _scan(stream, stop_above)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zipfile.LargeZipFile, NotImplementedError):
        return None


def sheet_xml_size(data: bytes) -> int:
    """The first sheet's XML as the archive declares it, uncompressed (what a reader would inflate)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        path = _first_sheet_path(archive)
        return archive.getinfo(path).file_size if path else 0
    except (zipfile.BadZipFile, KeyError, OSError):
        return 0


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        return None
    sheet = _SHEET.search(archive.read("xl/workbook.xml"))
    rels_path = "xl/_rels/workbook.xml.rels"
    if sheet is not None and rels_path in names:
        wanted = sheet.group(1)
        for tag in _RELATIONSHIP.findall(archive.read(rels_path)):
            if re.search(rb'\bId="' + re.escape(wanted) + rb'"', tag):
                target = re.search(rb'\bTarget="([^"]+)"', tag)
                if target:
                    text = target.group(1).decode("utf-8", "replace")
                    path = text.lstrip("/") if text.startswith("/") else posixpath.normpath(posixpath.join("xl", text))
                    if path in names:
                        return path
    fallback = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    return fallback[0] if fallback else None


def _scan(stream, stop_above: int | None = None) -> SheetBounds:
    """Bounds from the cells' references; `stop_above`: stop reading once the used range is past it."""
    rows = columns = cells = 0
    tail = b""
    while True:
        chunk = stream.read(CHUNK)
        if not chunk and not tail:
            break
        block = tail + chunk
        cut = block.rfind(b"<") if chunk else -1
        block, tail = (block[:cut], block[cut:]) if cut > 0 else (block, b"")  # an unfinished tag waits
        in_block = block.count(b"<c ") + block.count(b"<c>") + block.count(b"<c/")
        referenced = _FAST_CELL_REF.findall(block)
        if len(referenced) < in_block or b":c " in block:  # another attribute order, or a namespace prefix
            in_block = len(_CELL.findall(block))
            referenced = _CELL_REF.findall(block)
        cells += in_block
        if referenced:
            letters = max({ref for ref, _ in referenced}, key=lambda ref: (len(ref), ref))
            columns = max(columns, column_number(letters.decode()))
            rows = max(rows, max(int(number) for _, number in referenced))
        row_tags = block.count(b"<row ") + block.count(b"<row>")
        row_refs = _FAST_ROW_REF.findall(block)
        if len(row_refs) < row_tags or b":row " in block:
            row_tags, row_refs = len(_ROW.findall(block)), _ROW_REF.findall(block)
        rows = max(rows, max(map(int, row_refs)) if row_refs else 0, rows + row_tags - len(row_refs))
        if len(referenced) < in_block:  # cells placed one after another: a row is as wide as its cells
            columns = max(columns, max(len(_CELL.findall(part)) for part in _ROW.split(block)))
        if stop_above is not None and rows * columns > stop_above:
            break
        if not chunk:
            break
    return SheetBounds(rows=rows if cells else 0, columns=columns, cells=cells)
