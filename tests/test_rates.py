"""RateTable for both geographies: population denominators and rates per 100,000 people."""

import pandas as pd
import pytest

from hotline.rates import RateTable

# World Bank SP.POP.TOTL (data/country_population.csv) and Census (data/us_state_population.csv).
USA = {2019: 330_226_227, 2020: 331_577_720}
MEX = {2019: 125_762_982, 2020: 126_799_054}
TX_2020 = 29_239_570


def _aggregate(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """An aggregate as Dataset.aggregate hands it to RateTable: counts and a suppressed flag."""
    frame = pd.DataFrame(rows, columns=[*columns, "count", "suppressed"])
    frame["count"] = frame["count"].astype("Int64")
    return frame


def _rates(frame: pd.DataFrame, key: str) -> dict:
    return dict(zip(frame[key], frame["rate"].astype(object).where(frame["rate"].notna(), None), strict=True))


COUNTRY_TABLE = RateTable("country", ["MEX", "TWN", "USA"], (2019, 2020))


def test_country_rate_by_country_and_year():
    frame = _aggregate(
        [("USA", 2019, 3302, False), ("USA", 2020, 6632, False), ("MEX", 2020, 1268, False), ("TWN", 2020, 50, False)],
        ["country", "year"],
    )
    result = COUNTRY_TABLE.attach(frame, ("country", "year"), (), None)
    assert result["population"].tolist()[:3] == [USA[2019], USA[2020], MEX[2020]]
    assert result["rate"].tolist()[:3] == pytest.approx(
        [3302 / USA[2019] * 1e5, 6632 / USA[2020] * 1e5, 1268 / MEX[2020] * 1e5]
    )
    assert result["rate"].isna().tolist() == [False, False, False, True]  # Taiwan: no World Bank figure


def test_country_rate_summed_over_years_is_an_average_annual_rate():
    frame = _aggregate([("USA", 1000, False), ("MEX", 500, False), ("TWN", 40, False)], ["country"])
    result = COUNTRY_TABLE.attach(frame, ("country",), (), (2019, 2020))
    rates = _rates(result, "country")
    assert rates["USA"] == pytest.approx(1000 / (USA[2019] + USA[2020]) * 1e5)
    assert rates["MEX"] == pytest.approx(500 / (MEX[2019] + MEX[2020]) * 1e5)
    assert rates["TWN"] is None


def test_country_total_and_by_year_use_the_selected_countries():
    total = COUNTRY_TABLE.attach(_aggregate([(900, False)], []), (), ("MEX", "USA"), (2020, 2020))
    assert total["population"].item() == USA[2020] + MEX[2020]
    assert total["rate"].item() == pytest.approx(900 / (USA[2020] + MEX[2020]) * 1e5)

    by_year = COUNTRY_TABLE.attach(
        _aggregate([(2019, 100, False), (2020, 5, True)], ["year"]), ("year",), ("MEX",), None
    )
    assert by_year["population"].tolist() == [MEX[2019], MEX[2020]]
    assert by_year["rate"].tolist()[0] == pytest.approx(100 / MEX[2019] * 1e5)
    assert by_year["rate"].isna().tolist() == [False, True]  # a suppressed count has no rate


def test_state_rates_are_unchanged():
    table = RateTable("state", ["TX", "GU"], (2020, 2020))
    frame = _aggregate([("TX", 2020, 2924, False), ("GU", 2020, 12, False)], ["state", "year"])
    result = table.attach(frame, ("state", "year"), (), None)
    assert result["population"].tolist()[0] == TX_2020
    assert result["rate"].tolist()[0] == pytest.approx(2924 / TX_2020 * 1e5)
    assert result["rate"].isna().tolist() == [False, True]


def test_wrong_codes_or_dimension_are_rejected():
    with pytest.raises(ValueError, match="'county'"):
        RateTable("county", ["USA"], (2020, 2020))
    with pytest.raises(ValueError, match="TX"):
        RateTable("country", ["TX"], (2020, 2020))
