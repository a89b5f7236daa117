"""Hostile spreadsheets are refused before a reader expands them (hotline.sheet_bounds), in a process whose
memory is capped: the 156 kB sheet with a value in column XFD on 20,000 rows used to take 405 s and 8 GB.
The small hostile files of issue 10 are in tests/error_corpus/; these are built at test time."""

from __future__ import annotations

import pytest

from benchmarks.hostile_files import long_xlsx, measure, wide_xlsx
from hotline import sheet_bounds
from hotline.readers import MAX_SHEET_CELLS


def test_a_sheet_with_a_far_right_cell_on_every_row_is_refused_in_bounded_time_and_memory(tmp_path):
    path = tmp_path / "wide.xlsx"
    path.write_bytes(wide_xlsx(20_000))
    assert path.stat().st_size < 300_000
    result = measure(path, memory_limit_mb=1536)  # the grid alone would be 327 million cells
    assert result["message"].startswith("wide.xlsx: the first sheet is too large to read"), result["message"]
    assert "XFD20001" in result["message"] and f"{MAX_SHEET_CELLS:,} cells" in result["message"]
    assert result["seconds"] < 30


def test_an_accepted_workbook_loads_in_memory_proportional_to_its_content(tmp_path):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(long_xlsx(20_000))
    result = measure(path, memory_limit_mb=1536)
    assert result["message"] == "loaded: 20,000 rows" or result["message"].startswith("loaded:"), result["message"]
    assert result["peak_mb"] < 600


@pytest.mark.parametrize(
    "xml, expected",
    [
        (b'<row r="1"><c r="A1"/><c r="C1"/></row><row r="7"><c r="B7"/></row>', (7, 3, 3)),
        (b'<row><c/><c/><c/></row><row><c/></row>', (2, 3, 4)),  # no references: cells follow one another
        (b'<row r="1"><c s="1" r="XFD1"/></row>', (1, 16384, 1)),  # r is not always the first attribute
        (b'<x:row r="2"><x:c r="AA2"/></x:row>', (2, 27, 1)),  # a namespace prefix
        (b"", (0, 0, 0)),
    ],
)
def test_bounds_come_from_the_cells_themselves(xml, expected):
    from benchmarks.hostile_files import workbook

    bounds = sheet_bounds.first_sheet_bounds(workbook([xml]))
    assert (bounds.rows, bounds.columns, bounds.cells) == expected
