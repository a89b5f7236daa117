"""Filters: an immutable, hashable selection; toggling, leaving a dimension open, regions with states."""

import pytest
from domain_fixtures import filters_strategy
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline import Filters


def test_empty_means_all():
    assert Filters().is_empty()
    assert Filters().selection("state") == () and Filters().selection("year") == ()
    assert not Filters(genders=["male"]).is_empty()


def test_equal_and_hashable_regardless_of_order_and_container():
    a = Filters(states=["TX", "OK"], genders={"male", "female"}, years=[2019, 2015])
    b = Filters(states=("OK", "TX", "OK"), genders=("female", "male"), years=(2015, 2019))
    assert a == b and hash(a) == hash(b)
    assert a.states == ("OK", "TX") and a.years == (2015, 2019)
    assert len({a, b, Filters()}) == 2
    assert Filters(states="TX").states == ("TX",)


def test_toggle_adds_and_removes():
    f = Filters().toggle("trafficking_type", "labor")
    assert f.trafficking_types == ("labor",)
    f = f.toggle("trafficking_type", "sex")
    assert f.trafficking_types == ("labor", "sex")
    f = f.toggle("trafficking_type", "labor")
    assert f.trafficking_types == ("sex",)
    assert f.toggle("trafficking_type", "sex") == Filters()
    assert Filters().toggle("state", "TX").toggle("gender", "female") == Filters(states=["TX"], genders=["female"])


def test_year_toggle():
    f = Filters(states=["TX"]).toggle("year", "2016")
    assert f.years == (2016, 2016) and f.states == ("TX",)
    assert f.toggle("year", 2016).years is None
    assert f.toggle("year", 2018).years == (2018, 2018)
    assert Filters(years=(2015, 2019)).toggle("year", 2016).years == (2016, 2016)


def test_without():
    f = Filters(years=(2015, 2016), regions=["South"], states=["TX"], genders=["male"], callers=["other"])
    assert f.without("year") == Filters(regions=["South"], states=["TX"], genders=["male"], callers=["other"])
    assert f.without("state") == Filters(years=(2015, 2016), genders=["male"], callers=["other"])
    assert f.without("gender") == Filters(years=(2015, 2016), regions=["South"], states=["TX"], callers=["other"])
    assert f.without("caller").callers == () and f.without("caller").genders == ("male",)


def test_selection():
    f = Filters(years=(2017, 2015), trafficking_types=["sex"], regions=["Northeast"])
    assert f.selection("year") == (2015, 2017)
    assert f.selection("trafficking_type") == ("sex",)
    assert f.selection("state") == ("CT", "MA", "ME", "NH", "NJ", "NY", "PA", "RI", "VT")
    assert f.selection("month") == ()


@pytest.mark.parametrize(
    ("regions", "states", "expected"),
    [
        ((), ("TX", "OK"), ("OK", "TX")),
        (("South",), ("TX", "CA"), ("CA", "TX")),  # chosen states win: a map click outside the region counts
        (("West",), (), ("AK", "AZ", "CA", "CO", "HI", "ID", "MT", "NM", "NV", "OR", "UT", "WA", "WY")),
        (("U.S. territories",), (), ("AS", "GU", "MP", "PR", "VI")),
        (("South", "West"), ("TX", "WY", "NY"), ("NY", "TX", "WY")),
        (("West",), ("TX",), ("TX",)),  # never an empty geography (which would mean "all")
    ],
)
def test_geography_is_the_chosen_states_else_the_regions(regions, states, expected):
    assert Filters(regions=regions, states=states).geography() == expected


def test_unknown_region_is_refused():
    with pytest.raises(ValueError, match="unknown region"):
        Filters(regions=["Atlantis"]).geography()


@settings(max_examples=100, deadline=None)
@given(
    filters=filters_strategy,
    dimension=st.sampled_from(["state", "trafficking_type", "gender", "age_group", "citizenship"]),
    value=st.sampled_from(["TX", "sex", "female", "minor", "citizen", "labor"]),
)
def test_toggle_twice_is_identity_and_without_is_idempotent(filters, dimension, value):
    toggled = filters.toggle(dimension, value)
    assert toggled != filters
    assert toggled.toggle(dimension, value) == filters
    assert hash(toggled.toggle(dimension, value)) == hash(filters)
    opened = filters.without(dimension)
    assert opened.without(dimension) == opened
    assert opened.selection(dimension) == ()
    for other in ("year", "trafficking_type", "gender", "age_group", "citizenship"):
        if other != dimension:
            assert opened.selection(other) == filters.selection(other)
