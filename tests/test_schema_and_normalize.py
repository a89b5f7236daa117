"""Schema spellings and normalization: accepted aliases, missing values, and precise DataErrors."""

import pandas as pd
import pytest

from hotline.errors import DataError
from hotline.normalize import canonical_columns, normalize
from hotline.schema import CATEGORY_VALUES, MISSING_VALUE, VALUE_LOOKUP, token, value_label

BASE = {"Year": "2015", "State": "TX", "Type": "sex"}


def norm(rows: list[dict] | None = None, **column_values) -> pd.DataFrame:
    """Normalize a raw text frame. `column_values` gives one column's values over 3 records."""
    if rows is None:
        values = next(iter(column_values.values())) if column_values else ["x"] * 3
        rows = [dict(BASE) for _ in values]
        for column, column_list in column_values.items():
            for row, value in zip(rows, column_list):
                row[column] = value
    return normalize(pd.DataFrame(rows, dtype=object), "signals.csv")


def one(column: str, value, dimension: str):
    """The canonical value one raw cell becomes."""
    return norm(**{column: [value]})[dimension].iloc[0]


# --- the schema itself ---------------------------------------------------------------------------
@pytest.mark.parametrize("dimension", list(CATEGORY_VALUES))
def test_canonical_values_and_labels_map_to_themselves(dimension):
    for value in CATEGORY_VALUES[dimension]:
        assert VALUE_LOOKUP[dimension][token(value)] == value
        assert VALUE_LOOKUP[dimension][token(value_label(value))] == value


def test_token_ignores_case_spaces_and_punctuation():
    assert token("Sex and Labor") == token("sex-and-labor") == token(" SEX_AND_LABOR ") == token("Sex & Labor")
    assert token("U.S. citizen") == "u_s_citizen"


def test_value_label():
    assert value_label("sex_and_labor") == "Sex and labor"
    assert value_label("not a value") == "not a value"


# --- value aliases -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "raw", "dimension", "expected"),
    [
        ("Gender", "Female", "gender", "female"),
        ("Gender", "F", "gender", "female"),
        ("Gender", " f ", "gender", "female"),
        ("Gender", "MALE", "gender", "male"),
        ("Gender", "Transgender", "gender", "gender_minority"),
        ("Type", "Labour", "trafficking_type", "labor"),
        ("Type", "Sex and Labor", "trafficking_type", "sex_and_labor"),
        ("Type", "sex & labour", "trafficking_type", "sex_and_labor"),
        ("Type", "Sex Trafficking", "trafficking_type", "sex"),
        ("Type", "Unknown", "trafficking_type", "not_specified"),
        ("Citizenship", "U.S. citizen", "citizenship", "citizen"),
        ("Citizenship", "US Citizen", "citizenship", "citizen"),
        ("Citizenship", "Foreign National", "citizenship", "foreign_national"),
        ("Age", "Minor", "age_group", "minor"),
        ("Age", "Under 18", "age_group", "minor"),
        ("Age", "18+", "age_group", "adult"),
        ("Method", "Phone", "method", "call"),
        ("Method", "SMS", "method", "text"),
        ("Method", "Online Tip", "method", "online_tip"),
        ("Caller", "Victim", "caller", "victim_survivor"),
        ("Caller", "Law Enforcement", "caller", "law_enforcement"),
        ("State", "Texas", "state", "TX"),
        ("State", "tx", "state", "TX"),
        ("State", " TX ", "state", "TX"),
        ("State", "Washington, D.C.", "state", "DC"),
        ("State", "puerto rico", "state", "PR"),
    ],
)
def test_value_aliases(column, raw, dimension, expected):
    assert one(column, raw, dimension) == expected


@pytest.mark.parametrize("blank", [None, "", "  ", "NA", "n/a", "N/A", "null", "None", "-99", "nan"])
@pytest.mark.parametrize(
    ("column", "dimension"),
    [
        ("Type", "trafficking_type"),
        ("Gender", "gender"),
        ("Age", "age_group"),
        ("Citizenship", "citizenship"),
        ("Method", "method"),
        ("Caller", "caller"),
        ("State", "state"),
    ],
)
def test_missing_values_become_unknown_not_dropped(blank, column, dimension):
    out = norm(**{column: [blank, "Texas" if column == "State" else CATEGORY_VALUES.get(dimension, ("x",))[0], blank]})
    assert len(out) == 3  # unknowns are data: nothing dropped
    expected = "unknown" if dimension == "state" else MISSING_VALUE[dimension]
    assert out[dimension].iloc[0] == expected and out[dimension].iloc[2] == expected
    if dimension == "trafficking_type":
        assert expected == "not_specified"


def test_state_written_as_unknown_is_the_unknown_state():
    # The canonical table's own value must read back (a CSV exported from the dashboard).
    assert list(norm(State=["Unknown", "unknown", "TX"])["state"]) == ["unknown", "unknown", "TX"]


def test_categorical_output_keeps_all_schema_values_in_order():
    out = norm(Gender=["male", "F", None])
    assert list(out["gender"]) == ["male", "female", "unknown"]
    assert tuple(out["gender"].cat.categories) == CATEGORY_VALUES["gender"]


def test_month_is_optional_and_may_be_blank():
    out = norm(Month=["1", "", "12"])
    assert out["month"].iloc[0] == 1 and out["month"].iloc[2] == 12
    assert pd.isna(out["month"].iloc[1])


def test_counts_default_to_one_and_accept_thousands_separators():
    assert list(norm(Type=["sex", "labor", "sex"])["count"]) == [1, 1, 1]
    assert list(norm(Count=["1,281", "0", "7.0"])["count"]) == [1281, 0, 7]
    assert list(norm(Year=["2015", "2016.0", " 2017 "])["year"]) == [2015, 2016, 2017]


# --- column header aliases -----------------------------------------------------------------------
def test_column_header_aliases():
    raw = pd.DataFrame(
        {
            "Calendar Year": ["2015"],
            "US State": ["Ohio"],
            "Type": ["Labour"],
            "Victim Gender": ["F"],
            "Adult or Minor": ["minor"],
            "Signal Method": ["webchat"],
            "Number of Signals": ["4"],
            "Notes": ["ignored column"],
        }
    )
    out = normalize(raw, "x.csv")
    assert list(out.columns) == ["year", "state", "trafficking_type", "gender", "age_group", "method", "count"]
    assert out.iloc[0].to_dict() == {
        "year": 2015,
        "state": "OH",
        "trafficking_type": "labor",
        "gender": "female",
        "age_group": "minor",
        "method": "webchat",
        "count": 4,
    }


def test_absent_optional_columns_give_no_dimension():
    out = norm(Type=["sex", "labor", "sex"])
    assert set(out.columns) == {"year", "state", "trafficking_type", "count"}


def test_canonical_columns_mapping():
    assert canonical_columns("f.csv", ["YEAR", "state_code", "form of exploitation", "misc"]) == {
        "YEAR": "year",
        "state_code": "state",
        "form of exploitation": "trafficking_type",
    }


# --- errors: file, column as spelled, value, spreadsheet row ------------------------------------
@pytest.mark.parametrize(
    ("column", "bad", "fragment"),
    [
        ("Count", "-1", "expected a number from 0"),
        ("Count", "1.5", "not a fraction"),
        ("Count", "many", "expected a whole number"),
        ("Count", "<1", "expected a whole number"),
        ("Count", "< 5 people", "expected a whole number"),
        ("Count", "inf", "expected a whole number"),
        ("Count", "1e30", "expected a number from 0"),
        ("Count", "", "a value is missing"),
        ("Year", "twenty", "expected a whole number"),
        ("Year", "2015-2016", "expected a whole number"),
        ("Year", "NA", "a value is missing"),
        ("Year", "1850", "expected a number from 1990 to 2100"),
        ("Year", "2015.5", "not a fraction"),
        ("Month", "13", "expected a number from 1 to 12"),
        ("Month", "May", "expected a whole number"),
        ("Victim Gender", "robot", "unrecognised value"),
        ("Type", "smuggling", "unrecognised value"),
        ("Age", "42", "unrecognised value"),
        ("State", "Tex.", "unrecognised US state"),
        ("State", "Ontario", "unrecognised US state"),
    ],
)
def test_bad_value_on_third_record_names_file_column_value_and_row_4(column, bad, fragment):
    rows = [dict(BASE, **{column: _good(column)}) for _ in range(3)]
    rows[2][column] = bad
    with pytest.raises(DataError) as caught:
        norm(rows)
    message = str(caught.value)
    assert message.startswith("signals.csv:")
    assert f"column '{column}'" in message
    assert repr(bad) in message
    assert fragment in message
    assert "on row 4" in message and "row 2" not in message and "row 3" not in message
    assert caught.value.rows == [4] and caught.value.column == column and caught.value.file == "signals.csv"


def _good(column: str) -> str:
    return {
        "Year": "2016",
        "Count": "3",
        "Month": "5",
        "Victim Gender": "female",
        "Type": "sex",
        "Age": "adult",
        "State": "TX",
    }[column]


def test_several_bad_rows_are_listed_with_a_remainder():
    values = ["sex", "x1", "labor", "x1", "x1", "x1", "x1", "x1", "x1"]  # records 2..9 bad except 3 -> rows 3,5..10
    rows = [dict(BASE, Type=v) for v in values]
    with pytest.raises(DataError) as caught:
        norm(rows)
    message = str(caught.value)
    assert "on rows 3, 5, 6, 7, 8 and 2 more rows" in message
    assert caught.value.value == "x1"


def test_first_distinct_bad_value_is_reported_with_its_rows():
    rows = [dict(BASE, Count=v) for v in ("1", "2", "bad", "3", "bad")]
    with pytest.raises(DataError, match=r"column 'Count'.*'bad'.*on rows 4, 6"):
        norm(rows)


@pytest.mark.parametrize(
    ("columns", "fragment"),
    [
        (["State", "Type"], "required column 'year' is missing"),
        (["Year", "State"], "required column 'trafficking_type' is missing"),
        (["Year", "Type"], "needs a geography column, 'state'"),
        (["Year", "State", "Country", "Type"], "both 'State' and 'Country' are geography columns; keep one"),
        (["Year", "Yr", "State", "Type"], "both 'Year' and 'Yr' mean 'year'"),
    ],
)
def test_structural_errors(columns, fragment):
    raw = pd.DataFrame([{c: BASE.get(c, "2015") for c in columns}])
    with pytest.raises(DataError, match=fragment) as caught:
        normalize(raw, "signals.csv")
    assert str(caught.value).startswith("signals.csv:")


def test_missing_column_error_lists_columns_found():
    raw = pd.DataFrame([{"State": "TX", "Type": "sex", "Hits": "3"}])
    with pytest.raises(DataError, match="Columns found: State, Type, Hits"):
        normalize(raw, "signals.csv")


def test_all_zero_counts_are_rejected():
    with pytest.raises(DataError, match="every count is 0"):
        norm(Count=["0", "0", "0"])
