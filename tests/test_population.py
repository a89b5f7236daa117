"""State population reference table and the nearest-year rule."""

from pathlib import Path

import pandas as pd
import pytest

from hotline.geography import STATES
from hotline.population import country_population, country_population_for, population_for, state_population
from hotline.world import COUNTRIES

SHARED_POPULATION = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "population"
SHARED_TIDY_FILE = SHARED_POPULATION / "us_state_population.csv"
SHARED_COUNTRY_FILE = SHARED_POPULATION / "country_population.csv"


def _value(table: pd.DataFrame, state: str, year: int) -> object:
    return table.loc[(table["state"] == state) & (table["year"] == year), "population"].item()


def test_table_covers_50_states_dc_and_pr_2000_to_2024():
    table = state_population()
    assert list(table.columns) == ["state", "year", "population"]
    assert len(table) == 52 * 25
    assert set(table["state"]) == set(STATES) - {"GU", "VI", "AS", "MP"}
    assert (table["year"].min(), table["year"].max()) == (2000, 2024)


def test_census_values():
    table = state_population()
    assert _value(table, "TX", 2020) == 29_239_570
    assert _value(table, "TX", 2014) == 26_964_333
    assert _value(table, "CA", 2024) == 39_431_263
    assert _value(table, "DC", 2014) == 662_328
    assert _value(table, "PR", 2024) == 3_203_295


def test_states_and_dc_sum_to_census_us_total():
    table = state_population()
    states_dc = table[table["state"] != "PR"]
    totals = states_dc.groupby("year")["population"].sum()
    assert totals[2019] == 328_239_523
    assert totals[2024] == 340_110_988


def test_population_for_requested_states_and_years():
    result = population_for(["TX", "WY"], range(2019, 2021))
    assert result.to_dict("list") == {
        "state": ["TX", "TX", "WY", "WY"],
        "year": [2019, 2020, 2019, 2020],
        "population": [28_995_881, 29_239_570, 578_759, 577_681],
    }


def test_years_outside_coverage_use_nearest_year():
    result = population_for(["TX"], [1990, 2030])
    assert result["year"].tolist() == [1990, 2030]
    assert result["population"].tolist() == [20_944_499, 31_290_831]


def test_territories_without_estimates_have_missing_population():
    result = population_for(["GU", "PR"], [2020])
    assert result["population"].isna().tolist() == [True, False]


def test_all_states_when_none_requested():
    result = population_for(None, [2020])
    assert result["state"].tolist() == list(STATES)


def test_unknown_codes_are_rejected():
    with pytest.raises(ValueError, match="ZZ"):
        population_for(["TX", "ZZ"], [2020])


def test_callers_cannot_change_the_cached_table():
    table = state_population()
    table.loc[:, "population"] = 0
    assert _value(state_population(), "TX", 2020) == 29_239_570


@pytest.mark.skipif(not SHARED_TIDY_FILE.exists(), reason="shared population data not present outside the workplace")
def test_project_table_equals_the_shared_census_table():
    shared = pd.read_csv(SHARED_TIDY_FILE)[["state", "year", "population"]]
    pd.testing.assert_frame_equal(
        state_population(), shared.sort_values(["state", "year"], ignore_index=True), check_dtype=False
    )


# --- countries (World Bank SP.POP.TOTL) ---------------------------------------------------------


def _country_value(table: pd.DataFrame, country: str, year: int) -> object:
    return table.loc[(table["country"] == country) & (table["year"] == year), "population"].item()


def test_country_table_covers_216_economies_2000_to_2024():
    table = country_population()
    assert list(table.columns) == ["country", "year", "population"]
    assert len(table) == 216 * 25
    assert set(table["country"]) <= set(COUNTRIES)
    assert "XKX" in set(table["country"])  # Kosovo, by the World Bank's code
    assert (table["year"].min(), table["year"].max()) == (2000, 2024)
    assert table.groupby("country")["year"].nunique().eq(25).all()


def test_world_bank_values():
    table = country_population()
    assert _country_value(table, "USA", 2020) == 331_577_720
    assert _country_value(table, "USA", 2023) == 336_806_231
    assert _country_value(table, "IND", 2023) == 1_438_069_596
    assert _country_value(table, "MEX", 2019) == 125_762_982


def test_country_population_for_requested_countries_and_years():
    result = country_population_for(["USA", "MEX"], range(2019, 2021))
    assert result.to_dict("list") == {
        "country": ["MEX", "MEX", "USA", "USA"],
        "year": [2019, 2020, 2019, 2020],
        "population": [125_762_982, 126_799_054, 330_226_227, 331_577_720],
    }


def test_country_years_outside_coverage_use_nearest_year():
    result = country_population_for(["USA"], [1990, 2000, 2030])
    assert result["year"].tolist() == [1990, 2000, 2030]
    assert result["population"].tolist() == [282_162_411, 282_162_411, 340_110_988]


def test_countries_without_world_bank_figures_have_missing_population():
    result = country_population_for(["TWN", "USA", "ATA", "JEY"], [2020])
    assert dict(zip(result["country"], result["population"].isna(), strict=True)) == {
        "ATA": True,
        "JEY": True,
        "TWN": True,
        "USA": False,
    }


def test_all_countries_when_none_requested():
    result = country_population_for(None, [2020])
    assert result["country"].tolist() == list(COUNTRIES)
    assert result["population"].notna().sum() == 216


def test_country_codes_must_be_iso_alpha3():
    with pytest.raises(ValueError, match="US"):
        country_population_for(["USA", "US"], [2020])
    with pytest.raises(ValueError, match="CHI"):
        country_population_for(["CHI"], [2020])


@pytest.mark.skipif(not SHARED_COUNTRY_FILE.exists(), reason="shared population data not present outside the workplace")
def test_project_country_table_equals_the_shared_world_bank_table():
    shared = pd.read_csv(SHARED_COUNTRY_FILE, keep_default_na=False)
    # Channel Islands (CHI) is Jersey and Guernsey together: no ISO code, so not in the project table.
    shared = shared[shared["year"].between(2000, 2024) & (shared["iso3"] != "CHI")]
    shared = shared.rename(columns={"iso3": "country"})[["country", "year", "population"]]
    pd.testing.assert_frame_equal(
        country_population(), shared.sort_values(["country", "year"], ignore_index=True), check_dtype=False
    )
