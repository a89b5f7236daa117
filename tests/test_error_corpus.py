"""Malformed files are refused whole, with one clear paragraph naming the file, column, value and spreadsheet row.

The files live in tests/error_corpus/ (made by make_corpus.py there); EXPECTED.csv says, per file,
what its refusal must name. The header is row 1, so the first record is row 2.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hotline
from hotline.errors import DataError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "error_corpus"
with (CORPUS / "EXPECTED.csv").open(encoding="utf-8", newline="") as _stream:
    EXPECTED = list(csv.DictReader(_stream))
CASES = [pytest.param(case, id=case["file"]) for case in EXPECTED]

# Words that betray a stack trace or a library's internals instead of a message for a person.
INTERNALS = (
    "Traceback",
    "KeyError",
    "ValueError",
    "TypeError",
    "IndexError",
    "Exception",
    "Errno",
    "Error tokenizing",
    "C error",
    "pandas",
    "numpy",
    "np.",
    "pyarrow",
    "Arrow",
    "openpyxl",
    "BadZipFile",
    "zipfile",
    "dtype",
    "<class",
    "object at 0x",
    "nan)",
    "None)",
)


def refusal(path: Path) -> DataError:
    with pytest.raises(DataError) as caught:
        hotline.load(path)
    return caught.value


def assert_one_clear_paragraph(message: str) -> None:
    assert "\n" not in message and "\r" not in message, message
    for word in INTERNALS:
        assert word not in message, f"{word!r} in: {message}"
    assert len(message) < 1000, message


def make_corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


# --- the corpus itself ---------------------------------------------------------------------------
def test_the_corpus_has_at_least_25_files_each_listed_once():
    listed = [case["file"] for case in EXPECTED]
    on_disk = sorted(
        p.name for p in CORPUS.iterdir() if p.is_file() and p.name not in ("EXPECTED.csv", "make_corpus.py")
    )
    assert len(listed) >= 25
    assert len(set(listed)) == len(listed)
    assert sorted(listed) == on_disk
    suffixes = {Path(name).suffix for name in listed}
    assert {".csv", ".tsv", ".txt", ".json", ".xlsx", ".xls", ".parquet"} <= suffixes


def test_the_committed_files_are_what_the_generator_makes(tmp_path):
    make_corpus_module().write(tmp_path)
    assert (tmp_path / "EXPECTED.csv").read_bytes() == (CORPUS / "EXPECTED.csv").read_bytes()
    for case in EXPECTED:
        made, committed = (tmp_path / case["file"]).read_bytes(), (CORPUS / case["file"]).read_bytes()
        if made.startswith((b"PK", b"PAR1")):
            # Workbooks and Parquet files carry their writer's version: compare what a reader makes of them.
            assert str(refusal(tmp_path / case["file"])) == str(refusal(CORPUS / case["file"])), case["file"]
        else:
            assert made == committed, case["file"]


# --- every file: refused with one clear message --------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_each_malformed_file_is_refused_naming_file_column_value_and_row(case):
    error = refusal(CORPUS / case["file"])
    message = str(error)
    assert message.startswith(f"{case['file']}: ") and error.file == case["file"]
    assert case["problem"] in message
    if case["column"]:
        assert f"column '{case['column']}'" in message and error.column == case["column"]
    if case["value"]:
        assert f"(value {case['value']})" in message
    else:
        assert "(value " not in message  # a structural problem has no single cell to show
    if case["row"]:
        row = int(case["row"])
        assert re.search(rf"\brows? {row}(?!\d)", message), message
        assert error.rows in ([], [row])  # header problems say "(row 1)" in words
        assert not re.search(rf"\brows? (?!{row}(?!\d))\d", message), message  # no other row is named
    assert_one_clear_paragraph(message)


@pytest.mark.parametrize("case", CASES)
def test_an_upload_of_the_same_bytes_gets_the_same_message(case):
    path = CORPUS / case["file"]
    with pytest.raises(DataError) as caught:
        hotline.load_bytes(path.name, path.read_bytes())
    assert str(caught.value) == str(refusal(path))


# --- near misses that must load, with the numbers they hold --------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("trailing_separators.csv", "year,state,trafficking_type,count\n2015,TX,sex,12,\n2016,CA,labor,30,\n"),
        ("blank_lines.csv", "\n\nyear,state,trafficking_type,count\n2015,TX,sex,12\n\n2016,CA,labor,30\n\n\n"),
        ("commas.tsv", "year,state,trafficking_type,count\n2015,TX,sex,12\n2016,CA,labor,30\n"),
    ],
)
def test_separators_at_row_ends_and_blank_lines_are_harmless(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    data = hotline.load(path, min_cell=1, perturbation=None)
    cells = data.aggregate(["state", "trafficking_type", "year"])
    cells = cells[cells["count"] > 0]  # the aggregate lists every combination, empty ones as 0
    assert data.records == 2
    assert cells[["state", "trafficking_type", "year", "count"]].values.tolist() == [
        ["CA", "labor", 2016, 30],
        ["TX", "sex", 2015, 12],
    ]


def test_a_comma_is_a_thousands_separator_only_in_groups_of_three(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text('year;state;trafficking_type;count\n2015;TX;sex;"1,281"\n2015;CA;sex;12\n', encoding="utf-8")
    assert hotline.load(path, min_cell=1, perturbation=None).total == 1293
    path.write_text("year;state;trafficking_type;count\n2015;TX;sex;1,5\n", encoding="utf-8")
    assert "(value '1,5') on row 2" in str(refusal(path))  # never read as 15


# --- a large file with one bad cell near the end ------------------------------------------------
STATES = ("TX", "CA", "NY", "OH", "FL", "WA", "GA", "IL", "PA", "AZ")
TYPES = ("sex", "labor", "sex_and_labor", "not_specified")
GENDERS = ("female", "male", "unknown")
RECORDS = 1_000_000
BAD_ROW = 999_990  # spreadsheet row: the header is row 1


def million_row_csv(path: Path, bad_count: str | None) -> int:
    """Write RECORDS records (a block of 1,000 repeated); returns the total of the counts."""
    block = [f"{2012 + i % 9},{STATES[i % 10]},{TYPES[i % 4]},{GENDERS[i % 3]},{1 + i % 7}" for i in range(1000)]
    lines = block * (RECORDS // len(block))
    if bad_count is not None:
        index = BAD_ROW - 2
        lines[index] = lines[index].rsplit(",", 1)[0] + f",{bad_count}"
    path.write_text("year,state,trafficking_type,gender,count\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return sum(1 + i % 7 for i in range(1000)) * (RECORDS // len(block))


def test_a_million_rows_with_one_bad_cell_near_the_end_loads_nothing_and_names_that_row(tmp_path):
    path = tmp_path / "signals.csv"
    million_row_csv(path, bad_count="lots")
    before = sorted(tmp_path.iterdir())
    started = time.perf_counter()
    error = refusal(path)
    print(f"\nrefused a {RECORDS:,}-record CSV in {time.perf_counter() - started:.2f} s")
    message = str(error)
    assert error.rows == [BAD_ROW]
    assert message == (f"signals.csv: column 'count': expected a whole number (value 'lots') on row {BAD_ROW}")
    assert sorted(tmp_path.iterdir()) == before  # nothing written beside it: no cache of a half-read file

    # The same path, mended, loads whole: nothing was kept from the refused read.
    total = million_row_csv(path, bad_count=None)
    started = time.perf_counter()
    data = hotline.load(path, min_cell=1, perturbation=None)
    print(f"loaded the mended file in {time.perf_counter() - started:.2f} s")
    assert data.records == RECORDS
    assert data.total == total
    assert data.aggregate(["trafficking_type"])["count"].sum() == total


def test_a_refusal_leaves_nothing_behind_for_the_next_load(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("year,state,trafficking_type,count\n2015,TX,sex,12\n2016,CA,labor,30\n", encoding="utf-8")
    first = hotline.load(good, min_cell=1, perturbation=None)
    for case in EXPECTED:
        refusal(CORPUS / case["file"])
    again = hotline.load(good, min_cell=1, perturbation=None)
    assert (
        (again.total, again.records, again.years) == (first.total, first.records, first.years) == (42, 2, (2015, 2016))
    )


# --- the command line ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["unknown_category.csv", "utf16.csv", "ragged_row.csv", "year_1850.parquet"])
def test_the_command_line_prints_the_message_and_exits_non_zero(name):
    """Only bad files here: a good one would start the server."""
    path = CORPUS / name
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTLINE_")}
    result = subprocess.run(
        [sys.executable, "app.py", "--data", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].endswith(str(refusal(path)))
    assert_one_clear_paragraph(lines[0])
