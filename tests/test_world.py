"""World geography reference: ISO codes, names, UN M49 regions, country-name normalization."""

import csv
from collections import Counter
from pathlib import Path

import pytest

from hotline.world import (
    _EXTRA_SPELLINGS,
    COUNTRIES,
    COUNTRIES_FILE,
    COUNTRY_NAMES,
    COUNTRY_REGION,
    COUNTRY_SUBREGION,
    REGIONS,
    SUBREGION_REGION,
    SUBREGIONS,
    countries_in_regions,
    normalize_country,
)

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
GLOTIP_FILE = SHARED / "unodc-glotip-2025" / "data_glotip.csv"
WORLD_BANK_FILE = SHARED / "population" / "country_population.csv"
needs_glotip = pytest.mark.skipif(not GLOTIP_FILE.exists(), reason="shared UNODC GLOTIP file not present")
needs_world_bank = pytest.mark.skipif(not WORLD_BANK_FILE.exists(), reason="shared World Bank file not present")


def _read_shared(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_every_iso_country_plus_kosovo_in_code_order():
    assert len(COUNTRIES) == 250  # the 249 of ISO 3166-1, and Kosovo
    assert list(COUNTRIES) == sorted(COUNTRIES)
    assert all(len(code) == 3 and code.isupper() for code in COUNTRIES)
    assert set(COUNTRY_NAMES) == set(COUNTRY_REGION) == set(COUNTRY_SUBREGION) == set(COUNTRIES)
    assert len(set(COUNTRY_NAMES.values())) == len(COUNTRIES)


def test_file_has_the_documented_columns_and_unique_alpha2_codes():
    with COUNTRIES_FILE.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["iso3", "iso2", "name", "region", "subregion"]
    iso2 = [row["iso2"] for row in rows]
    assert len(set(iso2)) == len(rows) and all(len(code) == 2 for code in iso2)
    assert {row["iso3"]: row["iso2"] for row in rows}["NAM"] == "NA"  # not read as a missing value


def test_short_names_people_use():
    assert COUNTRY_NAMES["USA"] == "United States"
    assert COUNTRY_NAMES["GBR"] == "United Kingdom"
    assert COUNTRY_NAMES["BOL"] == "Bolivia"
    assert COUNTRY_NAMES["CIV"] == "Côte d'Ivoire"
    assert COUNTRY_NAMES["KOR"] == "South Korea"
    assert COUNTRY_NAMES["PRK"] == "North Korea"
    assert COUNTRY_NAMES["RUS"] == "Russia"
    assert COUNTRY_NAMES["COD"] == "Democratic Republic of the Congo"
    assert COUNTRY_NAMES["COG"] == "Republic of the Congo"
    assert COUNTRY_NAMES["TUR"] == "Türkiye"
    assert COUNTRY_NAMES["XKX"] == "Kosovo"


def test_m49_regions_and_subregions():
    assert REGIONS == ("Africa", "Americas", "Asia", "Europe", "Oceania")
    assert len(SUBREGIONS) == 17
    assert set(SUBREGION_REGION.values()) == set(REGIONS)
    for code in COUNTRIES:
        if code != "ATA":
            assert SUBREGION_REGION[COUNTRY_SUBREGION[code]] == COUNTRY_REGION[code], code
    assert Counter(COUNTRY_REGION.values()) == {
        "Africa": 60,
        "Americas": 57,
        "Asia": 51,
        "Europe": 52,
        "Oceania": 29,
        "": 1,
    }
    # Sub-region sizes as in the M49 list (Eastern Asia +1 for Taiwan, Southern Europe +1 for Kosovo,
    # Northern Europe without Sark, which ISO counts within Guernsey).
    counts = Counter(COUNTRY_SUBREGION.values())
    assert counts["Sub-Saharan Africa"] == 53
    assert counts["Latin America and the Caribbean"] == 52
    assert counts["Western Asia"] == 18
    assert counts["Northern Europe"] == 16
    assert counts["Polynesia"] == 10
    assert (COUNTRY_REGION["USA"], COUNTRY_SUBREGION["USA"]) == ("Americas", "Northern America")
    assert (COUNTRY_REGION["TWN"], COUNTRY_SUBREGION["TWN"]) == ("Asia", "Eastern Asia")
    assert (COUNTRY_REGION["XKX"], COUNTRY_SUBREGION["XKX"]) == ("Europe", "Southern Europe")
    assert (COUNTRY_REGION["ATA"], COUNTRY_SUBREGION["ATA"]) == ("", "")


@needs_glotip
def test_regions_equal_those_unodc_gives_every_glotip_country():
    seen = {
        (row["Iso3_code"], row["Region"], row["Subregion"]) for row in _read_shared(GLOTIP_FILE) if row["Iso3_code"]
    }
    assert len(seen) == 198
    for code, region, subregion in seen:
        assert (COUNTRY_REGION[code], COUNTRY_SUBREGION[code]) == (region, subregion), code


@needs_glotip
def test_every_glotip_country_name_is_recognised():
    names = {(row["Iso3_code"], row["Country"]) for row in _read_shared(GLOTIP_FILE)}
    for code, name in names:
        assert normalize_country(name) == (code or "GGY"), name  # Sark, uncoded there, is within Guernsey


@needs_world_bank
def test_every_world_bank_name_is_recognised():
    names = {(row["iso3"], row["name"]) for row in _read_shared(WORLD_BANK_FILE)}
    for code, name in names:
        # Channel Islands: Jersey and Guernsey together, no single ISO code.
        assert normalize_country(name) == (None if code == "CHI" else code), name


def test_every_name_and_extra_spelling_maps_to_its_own_code():
    for code, name in COUNTRY_NAMES.items():
        assert normalize_country(name) == code, name
    for spelling, code in _EXTRA_SPELLINGS.items():
        assert normalize_country(spelling) == code, spelling


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("USA", "USA"),
        ("usa", "USA"),
        (" US ", "USA"),
        ("mx", "MEX"),
        ("MEX", "MEX"),
        ("NA", "NAM"),
        ("XK", "XKX"),
        ("xkx", "XKX"),
        ("ST", "STP"),  # a code, not "Saint"
        ("United States", "USA"),
        ("United States of America", "USA"),
        ("U.S.A.", "USA"),
        ("united   states", "USA"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("Côte d’Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("COTE D'IVOIRE", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Korea, Rep.", "KOR"),
        ("Republic of Korea", "KOR"),
        ("Gambia, The", "GMB"),
        ("The Bahamas", "BHS"),
        ("St. Kitts and Nevis", "KNA"),
        ("Saint Kitts & Nevis", "KNA"),
        ("Curacao", "CUW"),
        ("Guinea Bissau", "GNB"),
        ("Congo", "COG"),
        ("DR Congo", "COD"),
        ("Kosovo", "XKX"),
        ("Taiwan", "TWN"),
        ("UK", "GBR"),
    ],
)
def test_normalize_country(value, code):
    assert normalize_country(value) == code


@pytest.mark.parametrize("value", ["", "  ", "ZZ", "ZZZ", "Korea", "Atlantis", "Texas", "U", None, 840, float("nan")])
def test_unknown_or_ambiguous_values_are_not_guessed(value):
    assert normalize_country(value) is None


def test_countries_in_regions_accepts_regions_and_subregions():
    assert countries_in_regions(["Northern America"]) == ("BMU", "CAN", "GRL", "SPM", "USA")
    assert countries_in_regions("Northern America") == ("BMU", "CAN", "GRL", "SPM", "USA")
    europe = countries_in_regions(["Europe"])
    assert len(europe) == 52 and "XKX" in europe and "DEU" in europe and "TUR" not in europe
    mixed = countries_in_regions(["Oceania", "Northern America"])
    assert mixed == tuple(sorted(countries_in_regions(["Oceania"]) + countries_in_regions(["Northern America"])))
    # A region and one of its own sub-regions: no duplicates.
    assert countries_in_regions(["Asia", "Eastern Asia"]) == countries_in_regions(["Asia"])
    assert countries_in_regions([]) == ()


def test_every_country_but_antarctica_is_in_some_region():
    everything = countries_in_regions(REGIONS)
    assert set(everything) == set(COUNTRIES) - {"ATA"}
    assert set(countries_in_regions(SUBREGIONS)) == set(everything)


def test_unknown_region_is_rejected_with_its_name():
    with pytest.raises(ValueError, match="Narnia"):
        countries_in_regions(["Europe", "Narnia"])
