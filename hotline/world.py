"""World geography reference: ISO 3166-1 country codes, names, and UN M49 regions and sub-regions.

The global counterpart of geography.py: the dashboard filters "region, then country" and rolls
countries up to regions, so this is the one place that knows which country lies where. Countries
are keyed by ISO alpha-3 code (Kosovo, which has none, by the World Bank's XKX). Regions are M49's
five, sub-regions the 17 that UNODC reports with. Antarctica belongs to no M49 region: its region
and sub-region are "" and no region filter selects it. The table is data/countries.csv, made by
scripts/build_reference_tables.py (see data/SOURCES.md).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

COUNTRIES_FILE = Path(__file__).resolve().parent.parent / "data" / "countries.csv"

REGIONS: tuple[str, ...] = ("Africa", "Americas", "Asia", "Europe", "Oceania")

# Sub-region -> its region, in M49 order.
SUBREGION_REGION: dict[str, str] = {
    "Northern Africa": "Africa",
    "Sub-Saharan Africa": "Africa",
    "Latin America and the Caribbean": "Americas",
    "Northern America": "Americas",
    "Central Asia": "Asia",
    "Eastern Asia": "Asia",
    "South-eastern Asia": "Asia",
    "Southern Asia": "Asia",
    "Western Asia": "Asia",
    "Eastern Europe": "Europe",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Western Europe": "Europe",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
}
SUBREGIONS: tuple[str, ...] = tuple(SUBREGION_REGION)


def _read() -> list[dict[str, str]]:
    # The csv module, not pandas: pandas would read Namibia's alpha-2 code "NA" as a missing value.
    with COUNTRIES_FILE.open(newline="", encoding="utf-8") as file:
        rows = sorted(csv.DictReader(file), key=lambda row: row["iso3"])
    for row in rows:
        if SUBREGION_REGION.get(row["subregion"], "") != row["region"]:
            raise ValueError(
                f"{COUNTRIES_FILE.name}: {row['iso3']} has sub-region {row['subregion']!r} "
                f"outside region {row['region']!r}"
            )
    return rows


_ROWS = _read()
COUNTRIES: tuple[str, ...] = tuple(row["iso3"] for row in _ROWS)
COUNTRY_NAMES: dict[str, str] = {row["iso3"]: row["name"] for row in _ROWS}
COUNTRY_REGION: dict[str, str] = {row["iso3"]: row["region"] for row in _ROWS}
COUNTRY_SUBREGION: dict[str, str] = {row["iso3"]: row["subregion"] for row in _ROWS}
_ISO2: dict[str, str] = {row["iso2"]: row["iso3"] for row in _ROWS}


def _key(text: str) -> str:
    """Key ignoring case, accents, apostrophes, punctuation, "the" and "St." for "Saint".

    "Côte d’Ivoire" and "Cote d'Ivoire" -> "cote divoire"; "Gambia, The" -> "gambia";
    "St. Kitts & Nevis" -> "saint kitts and nevis".
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"['’‘`´]", "", text).replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join("saint" if word == "st" else word for word in words if word != "the")


# Other spellings: ISO 3166-1's formal short names, the names in UNODC's GLOTIP file and the World
# Bank's tables where they differ from ours, and names in everyday use. Only unambiguous ones: a
# wrong guess would silently move signals to another country, so "Korea" or "Congo" alone is not
# here ("Congo" is GLOTIP's and ISO's name for the Republic of the Congo, so it is).
_EXTRA_SPELLINGS: dict[str, str] = {
    "Bolivia (Plurinational State of)": "BOL",
    "Bolivia, Plurinational State of": "BOL",
    "Bosnia": "BIH",
    "Brunei Darussalam": "BRN",
    "Burma": "MMR",
    "Cape Verde": "CPV",
    "China, Hong Kong Special Administrative Region": "HKG",
    "China, Macao Special Administrative Region": "MAC",
    "Congo": "COG",
    "Congo, Rep.": "COG",
    "Congo (Brazzaville)": "COG",
    "Congo-Brazzaville": "COG",
    "Congo, Dem. Rep.": "COD",
    "Congo, The Democratic Republic of the": "COD",
    "Congo (Kinshasa)": "COD",
    "Congo-Kinshasa": "COD",
    "DR Congo": "COD",
    "DRC": "COD",
    "Czech Republic": "CZE",
    "East Timor": "TLS",
    "Egypt, Arab Rep.": "EGY",
    "England": "GBR",
    "Falkland Islands (Malvinas)": "FLK",
    "Great Britain": "GBR",
    "Britain": "GBR",
    "Holy See": "VAT",
    "Holy See (Vatican City State)": "VAT",
    "Hong Kong SAR": "HKG",
    "Hong Kong SAR, China": "HKG",
    "Iran (Islamic Republic of)": "IRN",
    "Iran, Islamic Rep.": "IRN",
    "Iran, Islamic Republic of": "IRN",
    "Ivory Coast": "CIV",
    "Korea, Dem. People's Rep.": "PRK",
    "Korea, Democratic People's Republic of": "PRK",
    "Democratic People's Republic of Korea": "PRK",
    "Korea, North": "PRK",
    "Korea, Rep.": "KOR",
    "Korea, Republic of": "KOR",
    "Republic of Korea": "KOR",
    "Korea, South": "KOR",
    "Kosovo (under UNSCR 1244)": "XKX",
    "Republic of Kosovo": "XKX",
    "Kyrgyz Republic": "KGZ",
    "Lao PDR": "LAO",
    "Lao People's Democratic Republic": "LAO",
    "Macao SAR": "MAC",
    "Macao SAR, China": "MAC",
    "Macau": "MAC",
    "Macedonia": "MKD",
    "Micronesia": "FSM",
    "Micronesia (Federated States of)": "FSM",
    "Micronesia, Fed. Sts.": "FSM",
    "Micronesia, Federated States of": "FSM",
    "Moldova, Republic of": "MDA",
    "Republic of Moldova": "MDA",
    "Netherlands (Kingdom of the)": "NLD",
    "Northern Ireland": "GBR",
    "Palestine, State of": "PSE",
    "State of Palestine": "PSE",
    "Palestinian Territories": "PSE",
    "West Bank and Gaza": "PSE",
    "Pitcairn": "PCN",
    "Puerto Rico (US)": "PRI",
    "Republic of Ireland": "IRL",
    "Russian Federation": "RUS",
    "Saint Martin (French part)": "MAF",
    "St. Martin (French part)": "MAF",
    "Sark": "GGY",  # part of the Bailiwick of Guernsey, which ISO code GG covers; GLOTIP lists it uncoded
    "Scotland": "GBR",
    "Sint Maarten (Dutch part)": "SXM",
    "Slovak Republic": "SVK",
    "Somalia, Fed. Rep.": "SOM",
    "Swaziland": "SWZ",
    "Syrian Arab Republic": "SYR",
    "Taiwan, Province of China": "TWN",
    "Tanzania, United Republic of": "TZA",
    "United Republic of Tanzania": "TZA",
    "Turkey": "TUR",
    "U.S.": "USA",
    "U.S.A.": "USA",
    "United States of America": "USA",
    "UAE": "ARE",
    "UK": "GBR",
    "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "Vatican": "VAT",
    "Venezuela (Bolivarian Republic of)": "VEN",
    "Venezuela, Bolivarian Republic of": "VEN",
    "Venezuela, RB": "VEN",
    "Viet Nam": "VNM",
    "Virgin Islands, British": "VGB",
    "Virgin Islands (U.S.)": "VIR",
    "Virgin Islands, U.S.": "VIR",
    "Wales": "GBR",
    "Yemen, Rep.": "YEM",
}

_LOOKUP: dict[str, str] = {_key(name): code for code, name in COUNTRY_NAMES.items()} | {
    _key(name): code for name, code in _EXTRA_SPELLINGS.items()
}


def normalize_country(text: object) -> str | None:
    """ISO alpha-3 code for a country code or name, or None if it is not one.

    Accepts alpha-3 and alpha-2 codes ("USA", "us"), the names in COUNTRY_NAMES and the spellings of
    ISO, UNODC and the World Bank ("Bolivia (Plurinational State of)", "Korea, Rep.", "Türkiye"),
    ignoring case, accents, punctuation and spacing. Codes are matched before names, so "ST" is
    Sao Tome and Principe, not an abbreviation of "Saint".
    """
    if not isinstance(text, str):
        return None
    code = text.strip().upper()
    if code in COUNTRY_NAMES:
        return code
    if code in _ISO2:
        return _ISO2[code]
    return _LOOKUP.get(_key(text))


def countries_in_regions(regions: str | Iterable[str]) -> tuple[str, ...]:
    """Codes of the countries in the given regions or sub-regions (any mix), in COUNTRIES order.

    Unknown names raise ValueError.
    """
    wanted = {regions} if isinstance(regions, str) else set(regions)
    unknown = wanted.difference(REGIONS, SUBREGIONS)
    if unknown:
        raise ValueError(
            f"unknown region(s) {sorted(unknown)}; expected M49 regions {list(REGIONS)} or sub-regions {list(SUBREGIONS)}"
        )
    return tuple(code for code in COUNTRIES if COUNTRY_REGION[code] in wanted or COUNTRY_SUBREGION[code] in wanted)
