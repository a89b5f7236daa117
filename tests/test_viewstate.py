"""The view-state URL codec: round trips, the documented example, and hostile or broken links."""

import pytest
from domain_fixtures import shared_dataset
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline import Filters
from hotline.geography import REGIONS, STATES
from hotline.schema import AGE_GROUPS, CALLERS, CITIZENSHIPS, GENDERS, METHODS, TRAFFICKING_TYPES
from hotline.viewstate import MAX_QUERY_LENGTH, Choices, ViewState, choices_of, parse_query, to_query

CHOICES = Choices(
    years=(2012, 2023),
    values={
        "regions": REGIONS,
        "states": STATES,
        "trafficking_types": TRAFFICKING_TYPES,
        "genders": GENDERS,
        "age_groups": AGE_GROUPS,
        "citizenships": CITIZENSHIPS,
        "methods": METHODS,
        "callers": CALLERS,
    },
)


def parse(query: str, choices: Choices = CHOICES) -> tuple[ViewState, list[str]]:
    return parse_query(query, choices)


def test_documented_example():
    view, notices = parse("?years=2015-2019&state=TX,OK&type=labor&measure=rate")
    assert notices == []
    assert view == ViewState(
        filters=Filters(years=(2015, 2019), states=("OK", "TX"), trafficking_types=("labor",)), measure="rate"
    )
    assert to_query(view, CHOICES) == "?years=2015-2019&state=OK,TX&type=labor&measure=rate"


def test_default_view_is_the_empty_query():
    assert to_query(ViewState()) == ""
    assert to_query(ViewState(), CHOICES) == ""
    assert parse("") == (ViewState(), [])
    assert parse("?") == (ViewState(), [])
    # The whole span is the default too.
    assert to_query(ViewState(Filters(years=CHOICES.years)), CHOICES) == ""
    assert parse("?years=2012-2023") == (ViewState(), [])


def test_every_parameter():
    query = (
        "?years=2016&region=south,territories&state=tx&type=sex_and_labor,not_specified&gender=gender_minority"
        "&age=minor&citizenship=foreign_national&method=online_tip&caller=law_enforcement&measure=count"
    )
    view, notices = parse(query)
    assert notices == []
    assert view.filters == Filters(
        years=(2016, 2016),
        regions=("South", "U.S. territories"),
        states=("TX",),
        trafficking_types=("not_specified", "sex_and_labor"),
        genders=("gender_minority",),
        age_groups=("minor",),
        citizenships=("foreign_national",),
        methods=("online_tip",),
        callers=("law_enforcement",),
    )
    assert to_query(view, CHOICES).startswith("?years=2016&region=south,territories&state=TX&type=")
    assert parse(to_query(view, CHOICES)) == (view, [])


def test_spellings_are_forgiven():
    view, notices = parse("?YEARS=2019-2015&State=Texas,ok&type=Labour&gender=F&citizenship=U.S.%20citizen")
    assert notices == []
    assert view.filters == Filters(
        years=(2015, 2019),
        states=("OK", "TX"),
        trafficking_types=("labor",),
        genders=("female",),
        citizenships=("citizen",),
    )


def test_repeated_parameters_combine():
    view, notices = parse("?state=TX&state=OK,TX&type=sex")
    assert notices == [] and view.filters.states == ("OK", "TX")


@pytest.mark.parametrize(
    ("query", "expected_filters", "expected_measure", "notice"),
    [
        ("?colour=red", Filters(), "count", "Ignored unknown parameter 'colour'"),
        ("?measure=share", Filters(), "count", "Ignored measure 'share'"),
        ("?years=abc", Filters(), "count", "Ignored years 'abc'"),
        ("?years=2015-", Filters(), "count", "Ignored years '2015-'"),
        ("?years=2015-2016-2017", Filters(), "count", "Ignored years"),
        ("?years=1990-1995", Filters(), "count", "the data cover 2012-2023"),
        ("?years=2030", Filters(), "count", "the data cover 2012-2023"),
        ("?years=2010-2015", Filters(years=(2012, 2015)), "count", "narrowed to 2012-2015"),
        ("?years=2020-2030", Filters(years=(2020, 2023)), "count", "narrowed to 2020-2023"),
        ("?state=TX,Atlantis", Filters(states=("TX",)), "count", "Ignored state 'Atlantis'"),
        ("?type=smuggling&measure=rate", Filters(), "rate", "Ignored type 'smuggling'"),
        ("?region=Mars", Filters(), "count", "Ignored region 'Mars'"),
        ("?gender=female&age=ancient", Filters(genders=("female",)), "count", "Ignored age 'ancient'"),
    ],
)
def test_bad_values_are_ignored_with_a_notice(query, expected_filters, expected_measure, notice):
    view, notices = parse(query)
    assert view == ViewState(filters=expected_filters, measure=expected_measure)
    assert len(notices) == 1 and notice in notices[0], notices


def test_reversed_years_are_accepted():
    assert parse("?years=2019-2015") == (ViewState(Filters(years=(2015, 2019))), [])


def test_values_not_in_the_dataset_are_refused():
    choices = Choices(years=(2015, 2019), values={"states": ("TX",), "trafficking_types": ("sex",)})
    view, notices = parse("?state=TX,OK&type=labor&gender=female", choices)
    assert view.filters == Filters(states=("TX",))
    assert len(notices) == 3 and all("not in this dataset" in n for n in notices)


def test_huge_query_is_ignored():
    view, notices = parse("?state=" + ",".join(["TX"] * MAX_QUERY_LENGTH))
    assert view == ViewState() and notices == ["The link was too long and was ignored."]


def test_notices_do_not_echo_long_text():
    view, notices = parse("?" + "x" * 500 + "=1&state=" + "y" * 500)
    assert view == ViewState() and len(notices) == 2
    assert all(len(n) < 120 for n in notices)


def test_choices_of_a_dataset():
    data = shared_dataset(10)
    choices = choices_of(data)
    assert choices.years == (2015, 2019)
    assert choices.values["states"] == ("CA", "GU", "NY", "OK", "TX", "VT", "WY")
    assert choices.values["regions"] == ("Northeast", "South", "West", "U.S. territories")
    assert "methods" not in choices.values  # no such column in the data
    view, notices = parse("?method=call&state=FL", choices)
    assert view == ViewState() and len(notices) == 2


# --- properties ----------------------------------------------------------------------------------------
def _subset(values):
    return st.lists(st.sampled_from(values), max_size=4, unique=True)


span_years = st.tuples(st.integers(2012, 2023), st.integers(2012, 2023)).filter(lambda y: sorted(y) != [2012, 2023])
views = st.builds(
    ViewState,
    filters=st.builds(
        Filters,
        years=st.none() | span_years,
        regions=_subset(REGIONS),
        states=_subset(STATES),
        trafficking_types=_subset(TRAFFICKING_TYPES),
        genders=_subset(GENDERS),
        age_groups=_subset(AGE_GROUPS),
        citizenships=_subset(CITIZENSHIPS),
        methods=_subset(METHODS),
        callers=_subset(CALLERS),
    ),
    measure=st.sampled_from(["count", "rate"]),
)


@settings(max_examples=200, deadline=None)
@given(view=views)
def test_round_trip(view):
    query = to_query(view, CHOICES)
    assert parse(query) == (view, [])
    assert (query == "") == (view == ViewState())
    assert len(query) < MAX_QUERY_LENGTH


URL_ALPHABET = st.sampled_from(list("?&=,-%+ 0123456789abcdefgmnorstxyTXOK_.;#\x00é\u2028/"))
junk = st.one_of(
    st.text(max_size=300),
    st.text(URL_ALPHABET, max_size=300),
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "years",
                    "state",
                    "region",
                    "type",
                    "gender",
                    "age",
                    "citizenship",
                    "method",
                    "caller",
                    "measure",
                    "YEARS",
                    "x",
                    "",
                ]
            ),
            st.text(URL_ALPHABET, max_size=30),
        ),
        max_size=8,
    ).map(lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs)),
)


@settings(max_examples=300, deadline=None)
@given(query=junk)
def test_junk_never_raises_and_gives_a_valid_view(query):
    view, notices = parse(query)
    assert isinstance(view, ViewState) and all(isinstance(n, str) for n in notices)
    assert view.measure in ("count", "rate")
    if view.filters.years:
        first, last = view.filters.years
        assert 2012 <= first <= last <= 2023 and (first, last) != (2012, 2023)
    for field, allowed in CHOICES.values.items():
        assert set(getattr(view.filters, field)) <= set(allowed)
    # What the page writes back reads as the same view, silently.
    assert parse(to_query(view, CHOICES)) == (view, [])


@settings(max_examples=50, deadline=None)
@given(
    query=st.tuples(st.text(min_size=1, max_size=30), st.integers(MAX_QUERY_LENGTH + 1, 3 * MAX_QUERY_LENGTH)).map(
        lambda piece: (piece[0] * (piece[1] // len(piece[0]) + 1))[: piece[1]]
    )
)
def test_long_junk(query):
    assert parse(query) == (ViewState(), ["The link was too long and was ignored."])
