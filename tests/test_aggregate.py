"""Dataset.aggregate against plain pandas on the raw rows: counts, zeros, filters, suppression, rates."""

import math

import pandas as pd
import pytest
from domain_fixtures import (
    filters_strategy,
    make_dataset,
    observed_values,
    raw_signals,
    reference_counts,
    result_by_key,
    shared_dataset,
    shared_frame,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline import Filters
from hotline.population import population_for

BY_LISTS = [
    ["state"],
    ["year", "trafficking_type"],
    ["gender"],
    [],
    ["state", "trafficking_type"],
    ["month"],
    ["age_group", "citizenship"],
]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_against_pandas(min_cell: int, by: list[str], filters: Filters) -> tuple[pd.DataFrame, dict]:
    frame, data = shared_frame(), shared_dataset(min_cell)
    result = data.aggregate(by, filters)
    expected = reference_counts(frame, by, filters)
    got = result_by_key(result, by)
    assert list(got) == list(expected)  # every combination of observed values, in schema order
    assert list(result.columns) == [*by, "count", "suppressed", "suppression"]
    for key, count in got.items():
        if count is None:
            assert min_cell > 1  # which cells are hidden: below and in test_privacy
        else:
            assert count == expected[key], (key, count, expected[key])
    return result, expected


@SETTINGS
@given(filters=filters_strategy)
def test_unsuppressed_counts_equal_pandas(filters):
    for by in BY_LISTS:
        result, _ = check_against_pandas(1, by, filters)
        assert not result["suppressed"].any()
        assert result["suppression"].isna().all()


@SETTINGS
@given(filters=filters_strategy)
def test_suppressed_aggregates_show_exact_counts_or_nothing(filters):
    for by in BY_LISTS:
        result, expected = check_against_pandas(10, by, filters)
        for record, true_count in zip(result.to_dict("records"), expected.values()):
            if record["suppressed"]:
                assert pd.isna(record["count"])
                if record["suppression"] == "fewer_than_min":
                    assert 0 < true_count < 10
                else:
                    assert record["suppression"] == "protects_small_count" and true_count >= 10
            else:
                assert record["count"] == true_count and not (0 < true_count < 10)
                assert pd.isna(record["suppression"])


def test_zeros_for_observed_values_absent_under_the_filter():
    data = shared_dataset(1)
    result = data.aggregate(["state"], Filters(states=["TX"]))
    counts = dict(zip(result["state"], result["count"]))
    assert set(counts) == set(observed_values(shared_frame(), "state"))
    assert counts["TX"] > 0 and all(counts[s] == 0 for s in counts if s != "TX")


def test_total_is_one_row():
    frame, data = shared_frame(), shared_dataset(10)
    result = data.aggregate([])
    assert len(result) == 1 and result["count"].iloc[0] == frame["count"].sum() == data.total


def test_without_leaves_one_dimension_open():
    frame, data = shared_frame(), shared_dataset(1)
    filters = Filters(years=(2016, 2018), states=["TX", "CA"], trafficking_types=["labor"], genders=["female"])
    open_type = filters.without("trafficking_type")
    assert open_type == Filters(years=(2016, 2018), states=["TX", "CA"], genders=["female"])
    result = result_by_key(data.aggregate(["trafficking_type"], open_type), ["trafficking_type"])
    rows = frame[frame.year.between(2016, 2018) & frame.state.isin(["TX", "CA"]) & (frame.gender == "female")]
    assert result == {
        (t,): int(rows.loc[rows.trafficking_type == t, "count"].sum())
        for t in ("sex", "labor", "sex_and_labor", "not_specified")
    }
    # The chart shows every type; the selected one has what the filtered total has.
    total = data.aggregate([], filters)["count"].iloc[0]
    assert result[("labor",)] == total and sum(result.values()) > total
    assert filters.without("year").years is None
    assert filters.without("state").geography() == ()


@pytest.mark.parametrize(
    ("filters", "states"),
    [
        (Filters(regions=["South"]), ["TX", "OK"]),
        (Filters(regions=["West", "Northeast"]), ["CA", "WY", "NY", "VT"]),
        (Filters(regions=["South"], states=["TX", "CA"]), ["TX", "CA"]),
        (Filters(regions=["U.S. territories"]), ["GU"]),
        (Filters(states=["OK", "WY"]), ["OK", "WY"]),
    ],
)
def test_regions_and_states_combine(filters, states):
    frame, data = shared_frame(), shared_dataset(1)
    assert sorted(s for s in filters.geography() if s in frame.state.values) == sorted(states)
    result = result_by_key(data.aggregate(["state"], filters), ["state"])
    for (state,), count in result.items():
        expected = int(frame.loc[frame.state == state, "count"].sum()) if state in states else 0
        assert count == expected, state
    total = data.aggregate([], filters)["count"].iloc[0]
    assert total == frame.loc[frame.state.isin(states), "count"].sum()


@pytest.mark.parametrize("years", [(2016, 2018), (2018, 2016), (2017, 2017), (2015, 2019), (2000, 2016), (2020, 2030)])
def test_year_ranges(years):
    frame, data = shared_frame(), shared_dataset(1)
    first, last = min(years), max(years)
    expected = int(frame.loc[frame.year.between(first, last), "count"].sum())
    assert data.aggregate([], Filters(years=years))["count"].iloc[0] == expected
    by_year = result_by_key(data.aggregate(["year"], Filters(years=years)), ["year"])
    assert list(by_year) == [(y,) for y in range(2015, 2020)]
    assert all((count > 0) == (first <= year <= last) for (year,), count in by_year.items())


def test_month_breakdown_has_unknown_month():
    frame, data = shared_frame(), shared_dataset(1)
    result = result_by_key(data.aggregate(["month"]), ["month"])
    assert list(result)[-1] == ("unknown",)
    assert result[("unknown",)] == frame.loc[frame.month.isna(), "count"].sum() > 0
    assert result[(3,)] == frame.loc[frame.month == 3, "count"].sum()


def test_bad_arguments():
    data = shared_dataset(10)
    with pytest.raises(ValueError, match="unknown dimension"):
        data.aggregate(["method"])
    with pytest.raises(ValueError, match="measure"):
        data.aggregate(["state"], measure="share")
    with pytest.raises(ValueError, match="min_cell"):
        make_dataset(raw_signals(rows=20), min_cell=0)


def test_results_are_copies():
    data = shared_dataset(10)
    first = data.aggregate(["state"], Filters(years=(2016, 2016)))
    first["count"] = 999
    again = data.aggregate(["state"], Filters(years=(2016, 2016)))
    assert (again["count"] != 999).all()


# --- rates ---------------------------------------------------------------------------------------
def pop(states, years) -> int:
    return int(population_for(states, years)["population"].sum())


def test_rate_one_state_one_year():
    frame, data = shared_frame(), shared_dataset(1)
    filters = Filters(states=["TX"], years=(2016, 2016))
    count = int(frame.loc[(frame.state == "TX") & (frame.year == 2016), "count"].sum())
    expected = count / pop(["TX"], [2016]) * 100_000
    for by in ([], ["state"], ["year"], ["state", "year"]):
        result = data.aggregate(by, filters, measure="rate")
        row = result[result["count"] > 0].iloc[0]
        assert row["count"] == count
        assert row["population"] == pop(["TX"], [2016])
        assert math.isclose(row["rate"], expected, rel_tol=1e-12), by
    assert 2.5e7 < pop(["TX"], [2016]) < 3.0e7  # the real Texas, not a placeholder


def test_multi_year_rate_sums_population_over_years():
    frame, data = shared_frame(), shared_dataset(1)
    filters = Filters(years=(2015, 2017))
    result = data.aggregate(["state"], filters, measure="rate").set_index("state")
    for state in ("TX", "OK", "CA"):
        count = int(frame.loc[(frame.state == state) & frame.year.between(2015, 2017), "count"].sum())
        population = pop([state], [2015, 2016, 2017])
        assert result.loc[state, "population"] == population
        assert math.isclose(result.loc[state, "rate"], count / population * 100_000, rel_tol=1e-12)
    assert pd.isna(result.loc["GU", "rate"])  # no population for Guam: no rate, not zero


def test_rate_by_year_and_by_type_for_two_states():
    frame, data = shared_frame(), shared_dataset(1)
    filters = Filters(states=["TX", "OK"], years=(2018, 2019))
    rows = frame[frame.state.isin(["TX", "OK"]) & frame.year.between(2018, 2019)]
    by_year = data.aggregate(["year"], filters, measure="rate").set_index("year")
    for year in (2018, 2019):
        expected = rows.loc[rows.year == year, "count"].sum() / pop(["TX", "OK"], [year]) * 100_000
        assert math.isclose(by_year.loc[year, "rate"], expected, rel_tol=1e-12)
    assert pd.isna(by_year.loc[2015, "rate"])  # outside the selected years
    by_type = data.aggregate(["trafficking_type"], filters, measure="rate").set_index("trafficking_type")
    population = pop(["TX", "OK"], [2018, 2019])
    assert (by_type["population"] == population).all()
    expected = rows.loc[rows.trafficking_type == "labor", "count"].sum() / population * 100_000
    assert math.isclose(by_type.loc["labor", "rate"], expected, rel_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(filters=filters_strategy, by=st.sampled_from([["state"], ["year"], ["trafficking_type"], [], ["state", "year"]]))
def test_rate_missing_where_suppressed(filters, by):
    result = shared_dataset(10).aggregate(by, filters, measure="rate")
    assert result.loc[result["suppressed"], "rate"].isna().all()
    shown = result[~result["suppressed"] & result["population"].notna() & (result["population"] > 0)]
    assert ((shown["rate"] - shown["count"] / shown["population"] * 100_000).abs() < 1e-9).all()
