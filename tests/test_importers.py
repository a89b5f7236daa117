"""Importers of public layouts: CTDC fixtures written from the codebook, and the real UNODC and FBI tables.

The real tables live in ../shared/data beside the repository (see its README); tests that need one
skip, saying why, where that folder is absent. Expected figures come from each folder's SOURCE.md
or from the source's own Total rows, never from the importer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import app
import hotline
from hotline import importers
from hotline.errors import DataError
from hotline.filters import Filters
from hotline.readers import read_table

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GLOTIP = "unodc-glotip-2025/data_glotip.csv"
ARRESTS = "fbi-ucr-ht-arrests-state-demographics/human_trafficking.csv"
OFFENSES_BY_STATE = "fbi-ucr-ht-offenses-2013-2015/fbi_ucr_ht_state_annual_2013_2015.csv"
OFFENSES_BY_AGENCY = "fbi-ucr-ht-offenses-2013-2015/fbi_ucr_ht_agency_annual_2013_2015.csv"
OLDER, LATER = FIXTURES / "ctdc_older_release.csv", FIXTURES / "ctdc_later_release.csv"


def shared(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{relative} is absent: the real tables sit in ../shared/data only in the team's workplace")
    return path


def imported(path: Path, format: str | None = None) -> importers.Imported:
    return importers.to_canonical(read_table(path), path.name, format)


def tally(table: pd.DataFrame, column: str) -> dict[str, int]:
    """Rows per value: for record-level tables, victims per value."""
    return table[column].fillna("(missing)").value_counts().to_dict()


def by(data: hotline.Dataset, dimension: str, filters: Filters | None = None) -> dict:
    frame = data.aggregate(by=[dimension], filters=filters)
    return {value: int(count) for value, count in zip(frame[dimension], frame["count"]) if count}


# --- CTDC: fixtures written from the public codebook ----------------------------------------------
# Both fixtures hold 40 victims in 12 groups of identical records (listed in the comments of the
# expected figures); the figures below were counted by hand from those groups.
OLDER_EXPECTED = {
    "year": {"2015": 18, "2016": 10, "2017": 12},
    "trafficking_type": {"sex": 17, "labor": 11, "sex_and_labor": 5, "other_exploitation": 4, "not_specified": 3},
    "gender": {"female": 22, "male": 14, "unknown": 4},
    "age_group": {"adult": 24, "minor": 13, "unknown": 3},
    "citizenship": {"citizen": 18, "foreign_national": 14, "unknown": 8},
    "country": {"USA": 17, "PHL": 5, "ITA": 4, "POL": 3, "MYS": 3, "KHM": 2, "(missing)": 6},
}
LATER_EXPECTED = {
    "year": {"2018": 14, "2019": 13, "2020": 13},
    "trafficking_type": {"sex": 14, "labor": 8, "sex_and_labor": 5, "other_exploitation": 7, "not_specified": 6},
    "gender": {"female": 21, "male": 12, "gender_minority": 5, "unknown": 2},
    "age_group": {"adult": 24, "minor": 12, "unknown": 4},
    "citizenship": {"citizen": 19, "foreign_national": 15, "unknown": 6},
    "country": {"USA": 9, "BGD": 6, "RUS": 5, "ARE": 4, "THA": 4, "GBR": 3, "IND": 3, "MEX": 2, "(missing)": 4},
}


@pytest.mark.parametrize(("path", "expected"), [(OLDER, OLDER_EXPECTED), (LATER, LATER_EXPECTED)])
def test_ctdc_release_is_recognised_and_counts_each_victim_once(path, expected):
    result = imported(path)
    assert result.format == "ctdc" and result.unit == "victims"
    assert len(result.table) == 40
    for column, counts in expected.items():
        assert tally(result.table, column) == counts, column
    assert "method" not in result.table and "count" not in result.table  # nothing invented


def test_ctdc_later_release_is_semicolon_separated_with_minus_99_for_missing():
    text = LATER.read_text()
    assert text.splitlines()[0].count(";") == 20 and ",-99," not in text and ";-99;" in text
    assert "Transgender" in text and "typeOfExploitConcatenated" in text


def test_ctdc_rows_with_no_flags_take_the_type_from_the_concatenated_list():
    result = imported(LATER)
    raw = read_table(LATER)
    unflagged = raw["isSexualExploit"] == "-99"
    # Groups Q (3 victims, "Forced labour;Sexual exploitation"), T (3, "Forced marriage"), P (4, -99).
    assert tally(result.table[unflagged.to_numpy()], "trafficking_type") == {
        "sex_and_labor": 3,
        "other_exploitation": 3,
        "not_specified": 4,
    }
    assert any("6 victims" in note and "typeOfExploitConcatenated" in note for note in result.notes)


def test_ctdc_release_without_flag_columns_uses_the_concatenated_list():
    raw = read_table(LATER)
    raw = raw.drop(columns=[c for c in raw.columns if c.startswith("is")])
    result = importers.to_canonical(raw, LATER.name)
    assert tally(result.table, "trafficking_type") == {
        "sex": 14,
        "labor": 8,
        "other_exploitation": 7,
        "sex_and_labor": 5,
        "not_specified": 6,  # P (4, -99) and W (2, flags 0 and list -99)
    }


def test_ctdc_age_comes_from_the_band_when_majority_status_is_missing():
    result = imported(OLDER)
    raw = read_table(OLDER)
    no_status = raw["majorityStatus"].isna().to_numpy()
    bands = pd.DataFrame({"band": raw["ageBroad"][no_status].fillna(""), "age": result.table["age_group"][no_status]})
    assert dict(bands.drop_duplicates().itertuples(index=False)) == {
        "21--23": "adult",
        "48+": "adult",
        "0--8": "minor",
        "9--17": "minor",
        "27--29": "adult",
        "": "unknown",
    }


def test_ctdc_loads_as_country_data_with_its_unit_and_notes():
    data = hotline.load(LATER, min_cell=1, perturbation=None)
    assert data.geography == "country" and data.total == 40 and data.records == 40
    assert data.source.unit == "victims" and data.source.label == "CTDC global victim dataset"
    assert any("sex and labor" in note for note in data.source.notes)
    assert by(data, "year") == {2018: 14, 2019: 13, 2020: 13}
    assert by(data, "country") == {
        "ARE": 4, "BGD": 6, "GBR": 3, "IND": 3, "MEX": 2, "RUS": 5, "THA": 4, "USA": 9, "unknown": 4,
    }  # fmt: skip
    assert by(data, "gender", Filters(years=(2018, 2018))) == {"female": 5, "male": 6, "gender_minority": 3}
    assert by(data, "citizenship", Filters(countries=("USA",))) == {"citizen": 9}


@pytest.mark.parametrize(
    ("column", "value", "fragments"),
    [
        ("gender", "Alien", ["column 'gender'", "unrecognised value", "'Alien'"]),
        ("ageBroad", "about ten", ["column 'ageBroad'", "unrecognised age band"]),
        ("isSexualExploit", "2", ["column 'isSexualExploit'", "Expected 1 or 0"]),
        ("yearOfRegistration", "2018a", ["column 'yearOfRegistration'", "whole number"]),
        ("CountryOfExploitation", "Atlantis", ["column 'CountryOfExploitation'", "unrecognised country"]),
    ],
)
def test_ctdc_bad_cell_names_file_column_value_and_row(tmp_path, column, value, fragments):
    raw = read_table(LATER)
    raw.loc[6, column] = value  # the 7th record: spreadsheet row 8
    path = tmp_path / "ctdc.csv"
    raw.to_csv(path, sep=";", index=False)
    with pytest.raises(DataError) as caught:
        hotline.load(path)
    message = str(caught.value)
    assert message.startswith("ctdc.csv:") and "on row 8" in message and f"'{value}'" in message
    for fragment in fragments:
        assert fragment in message, message


# --- detection and refusals ------------------------------------------------------------------------
def test_unknown_layout_lists_the_columns_found_and_the_layouts_known():
    with pytest.raises(DataError) as caught:
        importers.detect_format(["when", "where", "how many"], "mystery.csv")
    message = str(caught.value)
    assert message.startswith("mystery.csv:") and "Columns found: when, where, how many" in message
    for name in ("canonical", "ctdc", "glotip", "fbi_arrests", "fbi_offenses"):
        assert name in message


def test_a_nearly_canonical_table_gets_the_canonical_explanation(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("year,state,gender\n2015,TX,F\n")
    with pytest.raises(DataError, match="required column 'trafficking_type' is missing"):
        hotline.load(path)


def test_a_named_format_that_does_not_fit_says_which_column_is_missing():
    with pytest.raises(DataError, match=r"ctdc_later_release.csv: required column 'Iso3_code' of the UNODC GLOTIP"):
        imported(LATER, "glotip")
    with pytest.raises(DataError, match="unknown format 'ucr'.*Known formats: canonical, ctdc"):
        imported(LATER, "ucr")


def test_canonical_tables_pass_through_unchanged(tmp_path):
    path = tmp_path / "signals.csv"
    path.write_text("year,state,type,count\n2015,TX,sex,4\n2016,OK,labor,<5\n")
    result = imported(path)
    assert result.format == "canonical" and result.unit == "signals" and result.notes == ()
    assert result.table["count"].tolist() == ["4", "<5"]
    data = hotline.load(path, min_cell=1, perturbation=None)
    assert data.source.label == "signals.csv" and data.source.unit == "signals"


# --- UNODC GLOTIP --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def glotip() -> tuple[pd.DataFrame, importers.Imported]:
    path = shared(GLOTIP)
    raw = read_table(path)
    return raw, importers.to_canonical(raw, path.name)


def source_totals(raw: pd.DataFrame) -> pd.Series:
    """UNODC's own Total row (all forms, all sexes, all ages) per country and year, as text."""
    rows = raw[
        (raw["Indicator"] == "Detected trafficking victims")
        & (raw["Dimension"] == "Total")
        & (raw["Sex"] == "Total")
        & (raw["Age"] == "Total")
    ]
    return rows.set_index(["Iso3_code", rows["Year"].astype(int)])["txtVALUE"]


def imported_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Per country and year: the sum of exact counts plus 1 per "<N" cell (the lower bound), and those cells."""
    censored = table["count"].str.startswith("<")
    exact = pd.to_numeric(table["count"].where(~censored, "1"))
    frame = table.assign(low=exact, censored=censored, year=table["year"].astype(int))
    return frame.groupby(["country", "year"]).agg(low=("low", "sum"), censored=("censored", "sum"))


def test_glotip_usa_2017_matches_the_published_breakdown(glotip):
    raw, result = glotip
    assert result.format == "glotip" and result.unit == "detected victims"
    usa = result.table[(result.table["country"] == "USA") & (result.table["year"] == 2017)]
    sex = usa[usa["trafficking_type"] == "sex"]
    cells = {(g, a): int(c) for g, a, c in sex[["gender", "age_group", "count"]].itertuples(index=False)}
    assert cells == {
        ("female", "minor"): 1365,
        ("female", "adult"): 3452,
        ("male", "minor"): 47,
        ("male", "adult"): 123,
    }
    labor = pd.to_numeric(usa.loc[usa["trafficking_type"] == "labor", "count"]).sum()
    assert labor == 1894
    assert pd.to_numeric(usa["count"]).sum() == 8003  # the source's Total row; the rest is 'not specified'
    assert pd.to_numeric(usa.loc[usa["trafficking_type"] == "not_specified", "count"]).sum() == 8003 - 4987 - 1894


@pytest.mark.parametrize(
    ("country", "years"),
    [
        ("USA", range(2007, 2020)),  # 303 ... 8,003 (2017), 8,913, 8,375: exact, as in SOURCE.md
        ("GBR", range(2017, 2022)),
        ("NLD", range(2007, 2015)),
        ("ARG", range(2019, 2021)),
        ("PHL", range(2017, 2021)),
    ],
)
def test_glotip_totals_by_year_equal_the_source_total_rows(glotip, country, years):
    raw, result = glotip
    published = source_totals(raw)
    totals = imported_totals(result.table)
    for year in years:
        expected = int(published[(country, year)].replace(",", ""))
        assert totals.loc[(country, year), "low"] == expected, year


def test_glotip_usa_total_by_year_through_the_dataset(glotip):
    data = hotline.load(shared(GLOTIP), min_cell=1, perturbation=None)
    assert data.geography == "country" and data.source.unit == "detected victims" and data.has_censored
    frame = data.aggregate(by=["year"], filters=Filters(countries=("USA",)))
    shown = dict(zip(frame["year"], frame["count"]))
    assert [shown[year] for year in (2007, 2010, 2013, 2014, 2015, 2016, 2017, 2018, 2019)] == [
        303, 541, 2315, 3308, 3885, 5582, 8003, 8913, 8375,
    ]  # fmt: skip
    at_least = dict(zip(frame["year"], frame["at_least"]))
    assert not at_least[2017] and at_least[2020]  # 2020 holds a "<5" form: a lower bound
    # 2020-2022 hold "<5" cells: the totals are lower bounds within 3 of the source per such cell.
    assert 9854 - 3 <= shown[2020] <= 9854


def test_glotip_never_exceeds_the_source_total_and_is_exact_without_censored_cells(glotip):
    raw, result = glotip
    published = pd.to_numeric(source_totals(raw).str.replace(",", ""), errors="coerce").dropna()
    totals = imported_totals(result.table).join(
        published.rename("source").rename_axis(["country", "year"]), how="inner"
    )
    assert len(totals) > 1400
    assert (totals["low"] <= totals["source"]).all()
    # each "<5" cell holds 1 to 4, so the source's total is at most 3 above the lower bound per cell
    assert (totals["source"] <= totals["low"] + 3 * totals["censored"]).all()
    exact = totals[totals["censored"] == 0]
    assert len(exact) > 700 and (exact["low"] == exact["source"]).all()


def test_glotip_censored_cells_stay_text_and_counts_are_never_guessed(glotip):
    raw, result = glotip
    counts = result.table["count"]
    assert counts.map(lambda text: bool(re.fullmatch(r"\d+|<5", text))).all()
    assert (counts == "<5").sum() > 1000 and "0" not in set(counts)
    assert set(result.table["trafficking_type"]) == {"sex", "labor", "other_exploitation", "not_specified"}
    assert any("'<5'" in note for note in result.notes)


def test_glotip_notes_say_what_was_left_out(glotip):
    _, result = glotip
    notes = " ".join(result.notes)
    assert "citizenship" in notes and "prosecuted" in notes and "Sark" in notes
    assert re.search(r"In \d+ country-years the forms of exploitation add up to more than UNODC's total", notes)


def test_glotip_workbook_with_its_banner_rows_reads_like_the_csv(glotip):
    _, from_csv = glotip
    workbook = shared(GLOTIP.replace(".csv", ".xlsx"))
    data = hotline.load(workbook, min_cell=1, perturbation=None)
    assert data.source.label == from_csv.source_label
    assert data.total == imported_totals(from_csv.table)["low"].sum()


GLOTIP_HEADER = ["Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex", "Age",
                 "Year", "Unit of measurement", "txtVALUE", "Source"]  # fmt: skip


def glotip_rows(*cells: tuple[str, str, str, str, str]) -> list[list[str]]:
    """Rows of a small GLOTIP-layout table for Mexico 2019: (dimension, category, sex, age, value)."""
    return [
        ["MEX", "Mexico", "Americas", "Latin America and the Caribbean", "Detected trafficking victims",
         dimension, category, sex, age, "2019", "Counts", value, "GLOTIP"]
        for dimension, category, sex, age, value in cells
    ]  # fmt: skip


SMALL_GLOTIP = glotip_rows(
    ("Total", "Total", "Total", "Total", "1,281"),
    ("Total", "Total", "Female", "Total", "1,000"),
    ("Total", "Total", "Male", "Total", "281"),
    ("by form of exploitation", "Sexual exploitation", "Total", "Total", "900"),
    ("by form of exploitation", "Sexual exploitation", "Female", "0 to 17 years", "300"),
    ("by form of exploitation", "Sexual exploitation", "Female", "18 years or over", "590"),
    ("by form of exploitation", "Sexual exploitation", "Male", "18 years or over", "10"),
    ("by form of exploitation", "Forced labour", "Total", "Total", "<5"),
    ("by form of exploitation", "Other forms of exploitation", "Total", "Total", "200"),
    ("by citizenship", "Nationals", "Total", "Total", "1,100"),  # the same victims again: left out
)


def test_glotip_small_table_keeps_each_victim_once_and_the_rest_by_sex():
    raw = pd.DataFrame(SMALL_GLOTIP, columns=GLOTIP_HEADER)
    result = importers.to_canonical(raw, "mexico.csv")
    rows = {tuple(row) for row in result.table.drop(columns=["year", "country"]).itertuples(index=False)}
    # Forms at their finest detail; the rest (1,281 less 900, 200 and a "<5") is uncertain by 3,
    # so only its smallest possible value, 1,281 - 1,100 - 4 = 177, is kept, with unknown sex.
    assert rows == {
        ("sex", "female", "minor", "300"),
        ("sex", "female", "adult", "590"),
        ("sex", "male", "adult", "10"),
        ("labor", "unknown", "unknown", "<5"),
        ("other_exploitation", "unknown", "unknown", "200"),
        ("not_specified", "unknown", "unknown", "177"),
    }
    assert any("uncertain by a few" in note for note in result.notes)


def test_glotip_small_table_with_exact_forms_splits_the_rest_by_sex():
    exact = [row[:11] + ["40" if row[6] == "Forced labour" else row[11]] + row[12:] for row in SMALL_GLOTIP]
    result = importers.to_canonical(pd.DataFrame(exact, columns=GLOTIP_HEADER), "mexico.csv")
    rest = result.table[result.table["trafficking_type"] == "not_specified"]
    # Forced labour and other forms have no sex detail, so the rest cannot be split by sex: by total.
    assert rest[["gender", "count"]].values.tolist() == [["unknown", str(1281 - 900 - 40 - 200)]]
    only_sex = [row for row in exact if row[6] not in ("Forced labour", "Other forms of exploitation")]
    result = importers.to_canonical(pd.DataFrame(only_sex, columns=GLOTIP_HEADER), "mexico.csv")
    rest = result.table[result.table["trafficking_type"] == "not_specified"]
    assert sorted(rest[["gender", "count"]].values.tolist()) == [["female", "110"], ["male", "271"]]


def test_glotip_forms_adding_to_more_than_the_total_keep_only_the_total():
    rows = glotip_rows(
        ("Total", "Total", "Total", "Total", "100"),
        ("by form of exploitation", "Sexual exploitation", "Total", "Total", "70"),
        ("by form of exploitation", "Forced labour", "Total", "Total", "60"),
    )
    result = importers.to_canonical(pd.DataFrame(rows, columns=GLOTIP_HEADER), "overlap.csv")
    assert result.table[["trafficking_type", "count"]].values.tolist() == [["not_specified", "100"]]
    assert any("In 1 country-years the forms" in note for note in result.notes)


def test_glotip_workbook_banner_and_a_bad_count_named_by_its_spreadsheet_row(tmp_path):
    path = tmp_path / "glotip.xlsx"
    blank = [None] * (len(GLOTIP_HEADER) - 1)
    sheet = [["UNODC", *blank], ["14/04/2025", *blank], GLOTIP_HEADER, *SMALL_GLOTIP]
    pd.DataFrame(sheet).to_excel(path, header=False, index=False)
    assert hotline.load(path, min_cell=1, perturbation=None).total == 300 + 590 + 10 + 1 + 200 + 177
    sheet[6][11] = "about 600"  # the 4th record under the header on row 3: spreadsheet row 7
    pd.DataFrame(sheet).to_excel(path, header=False, index=False)
    with pytest.raises(DataError) as caught:
        hotline.load(path)
    message = str(caught.value)
    assert "column 'txtVALUE'" in message and "'about 600'" in message and "on row 7" in message


# --- FBI UCR ------------------------------------------------------------------------------------
@pytest.mark.parametrize("relative", [OFFENSES_BY_STATE, OFFENSES_BY_AGENCY])
def test_fbi_offenses_match_the_published_totals(relative):
    result = imported(shared(relative))
    assert result.format == "fbi_offenses" and result.unit == "offenses"
    data = hotline.load(shared(relative), min_cell=1, perturbation=None)
    frame = data.aggregate(by=["year", "trafficking_type"])
    totals = {(y, t): int(c) for y, t, c in frame[["year", "trafficking_type", "count"]].itertuples(index=False)}
    assert {key: count for key, count in totals.items() if count} == {
        (2013, "sex"): 13,
        (2013, "labor"): 1,
        (2015, "sex"): 589,
        (2015, "labor"): 208,
    }
    texas = by(data, "trafficking_type", Filters(years=(2015, 2015), states=("TX",)))
    nevada = by(data, "trafficking_type", Filters(years=(2015, 2015), states=("NV",)))
    assert texas == {"sex": 98, "labor": 186} and nevada == {"sex": 214, "labor": 2}
    assert any("17 in 2013, 29 in 2015" in note for note in result.notes)


GENDER_BY_YEAR = {2014: (197, 418), 2015: (193, 427), 2016: (239, 959), 2017: (308, 951), 2018: (483, 619),
                  2019: (322, 1021)}  # fmt: skip
AGE_BY_YEAR = {2014: (488, 124), 2015: (533, 84), 2016: (1141, 52), 2017: (1214, 44), 2018: (1058, 40),
               2019: (1295, 43)}  # fmt: skip


def test_fbi_arrests_count_each_person_once_by_gender():
    path = shared(ARRESTS)
    result = imported(path)
    assert result.format == "fbi_arrests" and result.unit == "persons arrested (probable)"
    assert "age_group" not in result.table  # another margin of the same persons: not added
    data = hotline.load(path, min_cell=1, perturbation=None)
    frame = data.aggregate(by=["year", "gender"])
    got = {year: (0, 0) for year in GENDER_BY_YEAR}
    for year, gender, count in frame[["year", "gender", "count"]].itertuples(index=False):
        female, male = got[year]
        got[year] = (female + int(count), male) if gender == "female" else (female, male + int(count))
    assert got == GENDER_BY_YEAR
    assert data.total == sum(f + m for f, m in GENDER_BY_YEAR.values())
    assert set(data.values("trafficking_type")) == {"not_specified"}
    notes = " ".join(result.notes)
    assert "age group, ethnicity, race" in notes and "not victims" in notes


def test_fbi_arrests_by_age_group_when_asked():
    path = shared(ARRESTS)
    data = hotline.load(path, min_cell=1, perturbation=None, format="fbi_arrests_age")
    assert "gender" not in data.dimensions and data.source.label.endswith("by age group (probable)")
    frame = data.aggregate(by=["year", "age_group"])
    got = {(int(y), a): int(c) for y, a, c in frame[["year", "age_group", "count"]].itertuples(index=False)}
    assert {year: (got[(year, "adult")], got[(year, "minor")]) for year in AGE_BY_YEAR} == AGE_BY_YEAR


# --- the command line -----------------------------------------------------------------------------
def test_format_option_reaches_the_loader(tmp_path):
    config = app.parse_args(["--data", str(OLDER), "--format", "ctdc"], app.Config())
    assert config.format == "ctdc"
    assert app.load_dataset(config).source.unit == "victims"
    with pytest.raises(SystemExit):
        app.parse_args(["--format", "ucr"], app.Config())
    assert app.Config.from_env({"HOTLINE_FORMAT": "glotip"}).format == "glotip"
    with pytest.raises(ValueError, match="HOTLINE_FORMAT must be one of canonical, ctdc"):
        app.Config.from_env({"HOTLINE_FORMAT": "ucr"})
