"""Country-level data and counts suppressed at the source ("<5"): from raw rows to titles, maps and KPIs."""

from __future__ import annotations

import pandas as pd
import pytest

from components import areamap, kpis, table, text
from hotline.areas import COUNTRIES, US_STATES
from hotline.cube import build_cube
from hotline.dataset import CENSORED_SMALL, Dataset, SourceInfo
from hotline.errors import DataError
from hotline.filters import Filters
from hotline.normalize import normalize
from hotline.viewstate import ViewState, choices_of, parse_query, to_query


def country_rows() -> list[dict]:
    """Detected victims by country, year and type; Mexico's labor figures are censored at the source."""
    return [
        {"Country": "MEX", "Year": "2019", "Type": "sex", "Count": "1,281"},
        {"Country": "mx", "Year": "2019", "Type": "labor", "Count": "<5"},
        {"Country": "Mexico", "Year": "2020", "Type": "sex", "Count": "1,300"},
        {"Country": "Mexico", "Year": "2020", "Type": "labor", "Count": "<5"},
        {"Country": "United States of America", "Year": "2019", "Type": "sex", "Count": "8,375"},
        {"Country": "USA", "Year": "2020", "Type": "sex", "Count": "9,854"},
        {"Country": "DE", "Year": "2019", "Type": "Other forms of exploitation", "Count": "40"},
        {"Country": "Germany", "Year": "2020", "Type": "sex", "Count": "300"},
        {"Country": "Unknown", "Year": "2020", "Type": "labor", "Count": "25"},
    ]


def dataset(min_cell: int = 10) -> Dataset:
    table_ = normalize(pd.DataFrame(country_rows(), dtype=object), "glotip.csv")
    source = SourceInfo("glotip.csv", "UNODC GLOTIP (test rows)", unit="detected victims")
    return Dataset(build_cube(table_), min_cell=min_cell, source=source, records=len(table_), perturbation=None)


def test_country_codes_and_names_become_iso3_and_censored_counts_a_lower_bound():
    table_ = normalize(pd.DataFrame(country_rows(), dtype=object), "glotip.csv")
    assert list(table_["country"].astype(str)) == ["MEX", "MEX", "MEX", "MEX", "USA", "USA", "DEU", "DEU", "unknown"]
    assert list(table_["count"]) == [1281, 1, 1300, 1, 8375, 9854, 40, 300, 25]
    assert list(table_["censored_excess"]) == [0, 3, 0, 3, 0, 0, 0, 0, 0]
    assert table_["trafficking_type"].iloc[6] == "other_exploitation"


def test_an_unknown_country_names_file_column_value_and_row():
    rows = country_rows()
    rows[4]["Country"] = "Atlantis"
    with pytest.raises(DataError) as caught:
        normalize(pd.DataFrame(rows, dtype=object), "glotip.csv")
    message = str(caught.value)
    assert "glotip.csv" in message and "'Country'" in message and "Atlantis" in message and "row 6" in message
    assert "unrecognised country" in message


def test_totals_that_include_censored_counts_are_at_least():
    data = dataset()
    assert data.geography == "country" and data.areas is COUNTRIES and data.has_censored
    total = data.aggregate([]).iloc[0]
    assert total["count"] == 1281 + 1 + 1300 + 1 + 8375 + 9854 + 40 + 300 + 25 and bool(total["at_least"])
    by_type = data.aggregate(["trafficking_type"], Filters(countries=["MEX"])).set_index("trafficking_type")
    # Mexico's two labor cells hold 2 to 8 victims: surely fewer than 10, but not surely fewer than 5.
    assert bool(by_type.loc["labor", "suppressed"]) and by_type.loc["labor", "suppression"] == "fewer_than_min"
    by_type_5 = dataset(min_cell=5).aggregate(["trafficking_type"], Filters(countries=["MEX"]))
    labor = by_type_5.set_index("trafficking_type").loc["labor"]
    assert bool(labor["suppressed"]) and labor["suppression"] == CENSORED_SMALL
    assert text.suppressed_label(CENSORED_SMALL, 5) == "hidden: includes counts suppressed at the source"
    # Sex would give labor away by subtraction from Mexico's total, so it is hidden too.
    assert by_type.loc["sex", "suppression"] == "protects_small_count"
    mexico = data.aggregate([], Filters(countries=["MEX"])).iloc[0]
    assert mexico["count"] == 2583 and bool(mexico["at_least"])


def test_kpi_map_and_table_say_at_least_and_name_countries():
    data = dataset()
    view = ViewState(filters=Filters(countries=["MEX"]))
    cards = {k.key: k for k in kpis.compute(data, view)}
    assert cards["signals"].value == "at least 2,583" and cards["signals"].label == "Detected victims"
    assert cards["signals"].detail.endswith("Mexico, 2019–2020")
    header, body = table.rows(data, ViewState())
    assert header[:3] == ["Country", "Sub-region", "Detected victims"]
    assert ["Mexico", "Latin America and the Caribbean", "at least 2,583"] == body[1][:3]
    assert body[-1][0] == "Unknown location"
    figure = areamap.render(data, ViewState())
    assert figure["layout"]["geo"]["scope"] == "world"
    assert figure["data"][0]["locationmode"] == "ISO-3" and "MEX" in figure["data"][0]["locations"]
    assert any(h.startswith("Mexico: at least 2,583 detected victims") for h in figure["data"][0]["hovertext"])
    assert "Detected victims by country, all countries, 2019–2020" in figure["layout"]["title"]["text"].replace(
        "<br>", " "
    )


def test_regions_are_m49_and_round_trip_through_the_url():
    data = dataset()
    choices = choices_of(data)
    assert choices.values["countries"] == ("DEU", "MEX", "USA", "unknown")
    assert {"Americas", "Europe", "Latin America and the Caribbean", "Western Europe"} <= set(choices.values["regions"])
    view, notices = parse_query("?region=europe&country=mx,XXX", choices)
    assert notices == ["Ignored country 'XXX': not in this dataset."]
    assert view.filters.countries == ("MEX",) and view.filters.regions == ("Europe",)
    assert to_query(view, choices) == "?region=europe&country=MEX"
    assert Filters(regions=["Western Europe"]).geography() == COUNTRIES.in_regions(["Western Europe"])
    assert "DEU" in Filters(regions=["Western Europe"]).geography()
    assert text.place_phrase(Filters(regions=["Europe"]), COUNTRIES) == "Europe"
    assert text.place_phrase(Filters(regions=["South"]), US_STATES) == "South region"


def test_us_state_data_keep_the_us_map():
    table_ = normalize(pd.DataFrame([{"State": "TX", "Year": "2020", "Type": "sex", "Count": "12"}]), "us.csv")
    data = Dataset(build_cube(table_), min_cell=10, source=SourceInfo("us.csv", "us"), records=1, perturbation=None)
    figure = areamap.render(data, ViewState())
    assert figure["layout"]["geo"]["scope"] == "usa" and figure["data"][0]["locationmode"] == "USA-states"


def test_na_in_a_country_column_is_namibia_but_blank_and_unknown_are_missing():
    rows = [
        {"Country": value, "Year": "2020", "Type": "sex", "Count": "12"}
        for value in ("NA", "", "Unknown", "n/a", "-99")
    ]
    table_ = normalize(pd.DataFrame(rows, dtype=object), "ctdc.csv")
    assert list(table_["country"].astype(str)) == ["NAM", "unknown", "unknown", "unknown", "unknown"]


def test_countries_too_small_for_the_map_are_named_in_its_footnote():
    rows = [{"Country": c, "Year": "2020", "Type": "sex", "Count": "50"} for c in ("Singapore", "Malta", "France")]
    table_ = normalize(pd.DataFrame(rows, dtype=object), "small_states.csv")
    data = Dataset(build_cube(table_), min_cell=10, source=SourceInfo("small_states.csv", "x"), records=3, perturbation=None)
    assert {"FRA", "USA"} <= areamap.world_shapes() and not {"SGP", "MLT"} & areamap.world_shapes()
    footnote = areamap.render(data, ViewState())["layout"]["annotations"][0]["text"].replace("<br>", " ")
    assert "Too small for this map (see the table): Malta, Singapore." in footnote


def test_change_and_shares_with_censored_counts_are_ranges_not_guesses():
    rows = [
        {"Country": "MEX", "Year": "2019", "Type": "sex", "Age": "minor", "Count": "100"},
        {"Country": "MEX", "Year": "2019", "Type": "sex", "Age": "adult", "Count": "<5"},
        {"Country": "MEX", "Year": "2020", "Type": "sex", "Age": "minor", "Count": "100"},
        {"Country": "MEX", "Year": "2020", "Type": "sex", "Age": "adult", "Count": "100"},
    ]
    table_ = normalize(pd.DataFrame(rows, dtype=object), "bounds.csv")
    data = Dataset(build_cube(table_), min_cell=1, source=SourceInfo("bounds.csv", "x", unit="victims"), records=4, perturbation=None)
    cards = {k.key: k for k in kpis.compute(data, ViewState(filters=Filters(years=(2019, 2019))))}
    # 2019 holds 101 to 104 victims; 2020 holds 200: a change of +92.3% to +98.0%.
    assert cards["signals"].value == "at least 101"
    cards = {k.key: k for k in kpis.compute(data, ViewState())}
    assert cards["change"].value == "+92.3% to +98.0%"
    assert cards["change"].detail == "at least 101 → 200 (some source counts were “<5”)"
    # Minors: 200 of 301 to 304.
    assert cards["minor"].value == "65.8% to 66.4%" and cards["minor"].detail == "of victims (age unknown included)"
