"""Reading files: CSV (any separator), Parquet and Excel give the same numbers; bad files are refused whole."""

import pandas as pd
import pytest
from domain_fixtures import as_text, raw_signals, write_csv, write_text
from openpyxl import Workbook

import hotline
from hotline.errors import DataError
from hotline.readers import read_table

SMALL = "year,state,trafficking_type,gender,count\n2015,TX,sex,female,3\n2015,OK,labor,male,2\n2016,TX,sex,F,5\n"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return raw_signals(rows=300, seed=11)


def summary(data: hotline.Dataset) -> dict:
    by = ["year", "state", "trafficking_type", "gender", "month"]
    result = data.aggregate(by)
    return {
        "total": data.total,
        "records": data.records,
        "dimensions": data.dimensions,
        "counts": result["count"].tolist(),
    }


def write_excel(path, rows: list[list]) -> None:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)


# --- the same numbers from every format ----------------------------------------------------------
def test_csv_parquet_and_excel_load_the_same_numbers(tmp_path, frame):
    csv = write_csv(tmp_path / "signals.csv", frame)
    parquet = tmp_path / "signals.parquet"
    frame.astype({"month": "Int64"}).to_parquet(parquet)
    excel = tmp_path / "signals.xlsx"
    as_text(frame).to_excel(excel, index=False)
    loaded = {path.suffix: hotline.load(path, min_cell=1, perturbation=None) for path in (csv, parquet, excel)}
    expected = summary(loaded[".csv"])
    assert expected["total"] == int(frame["count"].sum())
    assert expected["records"] == len(frame)
    for suffix, data in loaded.items():
        assert summary(data) == expected, suffix


def test_excel_with_numeric_cells(tmp_path):
    path = tmp_path / "signals.xlsx"
    write_excel(path, [["Year", "State", "Type", "Count"], [2015, "Texas", "Labour", 3], [2016, "tx", "sex", 4.0]])
    data = hotline.load(path, min_cell=1, perturbation=None)
    assert data.aggregate(["year"])["count"].tolist() == [3, 4]
    assert data.values("state") == ("TX",)


def test_parquet_with_typed_columns(tmp_path):
    path = tmp_path / "signals.parquet"
    pd.DataFrame({"year": [2015, 2016], "state": ["TX", None], "type": ["sex", "labor"], "count": [12, 30]}).to_parquet(
        path
    )
    data = hotline.load(path, min_cell=1, perturbation=None)
    result = data.aggregate(["state"])
    assert dict(zip(result["state"], result["count"])) == {"TX": 12, "unknown": 30}


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_other_separators_load_correctly(tmp_path, frame, sep):
    reference = hotline.load(write_csv(tmp_path / "comma.csv", frame), min_cell=1, perturbation=None)
    other = hotline.load(write_csv(tmp_path / "other.csv", frame, sep=sep), min_cell=1, perturbation=None)
    assert summary(other) == summary(reference)


def test_semicolon_csv_with_decimal_comma_style_counts(tmp_path):
    path = write_text(tmp_path / "semi.csv", "Year;State;Type;Count\n2015;Texas;Labour;1,281\n2015;OK;sex;7\n")
    data = hotline.load(path, min_cell=1, perturbation=None)
    assert data.total == 1288
    assert data.aggregate(["state"])["count"].tolist() == [7, 1281]  # OK before TX in schema order


def test_tsv_byte_order_mark_quotes_and_spaces(tmp_path):
    path = tmp_path / "signals.tsv"
    path.write_bytes('\ufeffyear\tstate\ttype\tcount\n2015\t Texas \t"Sex and Labor"\t"1,000"\n'.encode("utf-8"))
    data = hotline.load(path, min_cell=1, perturbation=None)
    result = data.aggregate(["trafficking_type"])
    assert dict(zip(result["trafficking_type"], result["count"])) == {"sex_and_labor": 1000}


def test_read_table_keeps_cells_as_text(tmp_path):
    raw = read_table(write_text(tmp_path / "s.csv", "Year,State,Type\n2015,TX,\n 2016 ,NA,sex\n"))
    assert list(raw.columns) == ["Year", "State", "Type"]
    assert raw["Year"].tolist() == ["2015", "2016 "]
    assert raw["State"].tolist() == ["TX", "NA"]  # "NA" is left for normalization to judge
    assert pd.isna(raw["Type"].iloc[0])


def test_absent_optional_columns_give_no_dimension(tmp_path):
    data = hotline.load(write_text(tmp_path / "s.csv", "year,state,type\n2015,TX,sex\n"))
    assert data.dimensions == ("year", "state", "trafficking_type")
    with pytest.raises(ValueError, match="unknown dimension"):
        data.aggregate(["gender"])


def test_label_and_source(tmp_path):
    data = hotline.load(write_text(tmp_path / "s.csv", SMALL), label="Test data")
    assert data.source.name == "s.csv" and data.source.label == "Test data" and not data.source.is_demo
    assert data.min_cell == 10 and data.records == 3 and data.total == 10


# --- files that are refused ----------------------------------------------------------------------
def _refused(path, *fragments) -> DataError:
    with pytest.raises(DataError) as caught:
        hotline.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path.name}:")
    for fragment in fragments:
        assert fragment in message, message
    return caught.value


def test_bad_value_on_third_record_is_row_4_in_csv(tmp_path):
    text = "year,state,Type,count\n2015,TX,sex,1\n2015,TX,sex,2\n2015,TX,smuggling,3\n2015,TX,sex,4\n"
    _refused(write_text(tmp_path / "s.csv", text), "column 'Type'", "'smuggling'", "on row 4")


def test_bad_value_on_third_record_is_row_4_in_excel(tmp_path):
    path = tmp_path / "s.xlsx"
    write_excel(
        path,
        [["Year", "State", "Type", "Count"], [2015, "TX", "sex", 1], [2015, "TX", "sex", 2], [2015, "TX", "sex", -3]],
    )
    _refused(path, "column 'Count'", "'-3'", "on row 4", "expected a number from 0")


def test_bad_value_on_third_record_is_row_4_in_parquet(tmp_path):
    path = tmp_path / "s.parquet"
    pd.DataFrame({"Year": [2015, 2015, 1066], "State": ["TX"] * 3, "Type": ["sex"] * 3}).to_parquet(path)
    _refused(path, "column 'Year'", "1066", "on row 4")


def test_bad_value_in_last_record_loads_nothing(tmp_path):
    rows = "".join(f"2015,TX,sex,{i}\n" for i in range(1, 500))
    path = write_text(tmp_path / "s.csv", "year,state,type,count\n" + rows + "2015,TX,sex,1.5\n")
    result = None
    with pytest.raises(DataError, match="on row 501"):
        result = hotline.load(path)
    assert result is None


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [
        ("empty.csv", b"", ["the file is empty"]),
        ("blank.csv", b"\n\n  \n", ["the file is empty"]),
        ("header.csv", b"year,state,type\n", ["header but no records"]),
        ("dup.csv", b"year,state,type,Year\n2015,TX,sex,2016\n", ["column 'Year'", "appears twice"]),
        ("dup2.csv", b"year,state,type,gender,gender\n2015,TX,sex,F,M\n", ["column 'gender'", "appears twice"]),
        ("junk.csv", bytes(range(256)) * 8, ["not a text file"]),
        ("junk.parquet", b"PAR1 this is not parquet \x00\x01\x02", ["not a readable Parquet file"]),
        ("junk.xlsx", b"year,state,type\n2015,TX,sex\n", ["not a readable Excel file"]),
        ("signals.json", b'{"year": 2015}', ["unsupported file type '.json'"]),
        ("noext", b"year,state,type\n2015,TX,sex\n", ["unsupported file type 'none'"]),
        ("both.csv", b"year,state,country,type\n2015,TX,US,sex\n", ["both 'state' and 'country'", "keep one"]),
        ("nostate.csv", b"year,type\n2015,sex\n", ["needs a geography column", "Columns found: year, type"]),
        ("noyear.csv", b"state,type\nTX,sex\n", ["required column 'year' is missing"]),
        ("ragged.csv", b"year,state,type\n2015,TX,sex\n2015,TX,sex,1,2\n", ["not a well-formed table"]),
    ],
)
def test_refused_files(tmp_path, name, content, fragments):
    path = tmp_path / name
    path.write_bytes(content)
    _refused(path, *fragments)


def test_non_utf8_csv_names_the_row(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("year,state,type\n2015,TX,sex\n2015,TX,trata laboral señal\n".encode("latin-1"))
    error = _refused(path, "not UTF-8", "byte 0xf1", "row 3")
    assert "CSV UTF-8" in str(error)


def test_missing_file(tmp_path):
    _refused(tmp_path / "nowhere.csv", "file not found")


def test_duplicated_columns_in_excel(tmp_path):
    path = tmp_path / "dup.xlsx"
    write_excel(path, [["Year", "State", "Type", "year"], [2015, "TX", "sex", 2016]])
    _refused(path, "column 'year'", "appears twice")


def test_excel_header_only(tmp_path):
    path = tmp_path / "header.xlsx"
    write_excel(path, [["Year", "State", "Type"]])
    _refused(path, "header but no records")


def test_excel_empty_sheet(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    _refused(path, "empty")
