"""State population reference table and the nearest-year rule."""

from pathlib import Path

import pandas as pd
import pytest

from hotline.geography import STATES
from hotline.population import population_for, state_population

SHARED_TIDY_FILE = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "population" / "us_state_population.csv"
)


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


@pytest.mark.skipif(
    not SHARED_TIDY_FILE.exists(), reason="shared population data not present outside the workplace"
)
def test_project_table_equals_the_shared_census_table():
    shared = pd.read_csv(SHARED_TIDY_FILE)[["state", "year", "population"]]
    pd.testing.assert_frame_equal(
        state_population(), shared.sort_values(["state", "year"], ignore_index=True), check_dtype=False
    )
