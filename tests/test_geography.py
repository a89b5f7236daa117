"""US geography reference: codes, names, Census regions and divisions, state-name normalization."""

from collections import Counter

import pytest

from hotline.geography import (
    DIVISIONS,
    REGIONS,
    STATE_DIVISION,
    STATE_NAMES,
    STATE_REGION,
    STATES,
    TERRITORIES,
    normalize_state,
    states_in_regions,
)


def test_codes_cover_states_dc_and_territories_in_code_order():
    assert len(STATES) == 56
    assert list(STATES) == sorted(STATES)
    assert set(TERRITORIES) == {"PR", "GU", "VI", "AS", "MP"}
    assert set(STATE_NAMES) == set(STATE_REGION) == set(STATE_DIVISION) == set(STATES)


def test_census_regions_have_the_right_number_of_states():
    counts = Counter(STATE_REGION.values())
    assert counts == {"Northeast": 9, "Midwest": 12, "South": 17, "West": 13, "U.S. territories": 5}
    assert REGIONS == ("Northeast", "Midwest", "South", "West", "U.S. territories")


def test_divisions_and_their_states():
    assert len(DIVISIONS) == 10
    assert (STATE_REGION["TX"], STATE_DIVISION["TX"]) == ("South", "West South Central")
    assert (STATE_REGION["DC"], STATE_DIVISION["DC"]) == ("South", "South Atlantic")
    assert (STATE_REGION["PR"], STATE_DIVISION["PR"]) == ("U.S. territories", "U.S. territories")
    assert sorted(c for c, d in STATE_DIVISION.items() if d == "New England") == [
        "CT",
        "MA",
        "ME",
        "NH",
        "RI",
        "VT",
    ]
    assert sorted(c for c, d in STATE_DIVISION.items() if d == "Pacific") == ["AK", "CA", "HI", "OR", "WA"]
    assert Counter(STATE_DIVISION.values())["Mountain"] == 8
    assert Counter(STATE_DIVISION.values())["West North Central"] == 7


def test_names():
    assert STATE_NAMES["TX"] == "Texas"
    assert STATE_NAMES["DC"] == "District of Columbia"
    assert STATE_NAMES["VI"] == "U.S. Virgin Islands"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("TX", "TX"),
        ("tx", "TX"),
        ("Texas", "TX"),
        ("texas", "TX"),
        (" Texas ", "TX"),
        ("NEW   york", "NY"),
        ("District of Columbia", "DC"),
        ("Washington DC", "DC"),
        ("Washington, D.C.", "DC"),
        ("D.C.", "DC"),
        ("Washington", "WA"),
        ("Puerto Rico", "PR"),
        ("U.S. Virgin Islands", "VI"),
        ("guam", "GU"),
    ],
)
def test_normalize_state_recognises_codes_and_names(value, code):
    assert normalize_state(value) == code


@pytest.mark.parametrize("value", ["Tex.", "", "unknown", "XX", "Texass", None, 48, float("nan")])
def test_normalize_state_returns_none_for_anything_else(value):
    assert normalize_state(value) is None


def test_every_code_and_name_normalizes_to_itself():
    for code, name in STATE_NAMES.items():
        assert normalize_state(code.lower()) == code
        assert normalize_state(name.upper()) == code


def test_states_in_regions():
    northeast = states_in_regions(["Northeast"])
    assert northeast == ["CT", "MA", "ME", "NH", "NJ", "NY", "PA", "RI", "VT"]
    assert len(states_in_regions("West")) == 13
    assert len(states_in_regions(["South", "Midwest"])) == 29
    assert states_in_regions(["U.S. territories"]) == ["AS", "GU", "MP", "PR", "VI"]
    assert states_in_regions([]) == []


def test_states_in_regions_rejects_unknown_region():
    with pytest.raises(ValueError, match="Southwest"):
        states_in_regions(["South", "Southwest"])
