"""Build data/countries.csv and data/country_population.csv from the workplace's shared data.

Run from anywhere as `python scripts/build_reference_tables.py` (needs `pycountry`, from the `test`
extra). Inputs are read from ../shared/data beside the repository; the dashboard itself only reads
the two files written here, so it never needs ../shared. See data/SOURCES.md for what each input is.

- countries.csv: every ISO 3166-1 entry (from pycountry) plus Kosovo, with a short English name and
  its UN M49 region and sub-region. Regions come from UNODC's GLOTIP 2025 file, which uses M49, for
  the 198 countries it covers; the others are in _M49_NOT_IN_GLOTIP below, copied from the M49 list.
- country_population.csv: World Bank SP.POP.TOTL for 2000-2024, for the codes in countries.csv.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd
import pycountry

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / ".." / "shared" / "data"
GLOTIP_FILE = SHARED / "unodc-glotip-2025" / "data_glotip.csv"
WORLD_BANK_FILE = SHARED / "population" / "country_population.csv"
COUNTRIES_OUT = ROOT / "data" / "countries.csv"
POPULATION_OUT = ROOT / "data" / "country_population.csv"
FIRST_YEAR, LAST_YEAR = 2000, 2024

# M49 sub-region -> region. UNODC reports with these 17 sub-regions: M49's, except that Latin America
# and the Caribbean and Sub-Saharan Africa are kept whole rather than split into intermediate regions.
SUBREGION_REGION = {
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

# Sub-regions of the ISO entries GLOTIP does not report on, as the M49 list places them. Two are not
# in M49 at all and are placed by geography: Taiwan (M49 counts it within China) in Eastern Asia and
# Kosovo in Southern Europe, beside Serbia and North Macedonia. Antarctica has no M49 region.
_M49_NOT_IN_GLOTIP = {
    "AIA": "Latin America and the Caribbean",
    "ALA": "Northern Europe",
    "ASM": "Polynesia",
    "ATA": "",
    "ATF": "Sub-Saharan Africa",
    "BES": "Latin America and the Caribbean",
    "BLM": "Latin America and the Caribbean",
    "BMU": "Northern America",
    "BVT": "Latin America and the Caribbean",
    "CCK": "Australia and New Zealand",
    "CXR": "Australia and New Zealand",
    "CYM": "Latin America and the Caribbean",
    "ERI": "Sub-Saharan Africa",
    "ESH": "Northern Africa",
    "FLK": "Latin America and the Caribbean",
    "FRO": "Northern Europe",
    "GGY": "Northern Europe",
    "GIB": "Southern Europe",
    "GLP": "Latin America and the Caribbean",
    "GRL": "Northern America",
    "GUF": "Latin America and the Caribbean",
    "GUM": "Micronesia",
    "HMD": "Australia and New Zealand",
    "IMN": "Northern Europe",
    "IOT": "Sub-Saharan Africa",
    "JEY": "Northern Europe",
    "MAF": "Latin America and the Caribbean",
    "MNP": "Micronesia",
    "MSR": "Latin America and the Caribbean",
    "MTQ": "Latin America and the Caribbean",
    "MYT": "Sub-Saharan Africa",
    "NCL": "Melanesia",
    "NFK": "Australia and New Zealand",
    "PCN": "Polynesia",
    "PRK": "Eastern Asia",
    "PSE": "Western Asia",
    "REU": "Sub-Saharan Africa",
    "SGS": "Latin America and the Caribbean",
    "SHN": "Sub-Saharan Africa",
    "SJM": "Northern Europe",
    "SOM": "Sub-Saharan Africa",
    "SPM": "Northern America",
    "STP": "Sub-Saharan Africa",
    "SXM": "Latin America and the Caribbean",
    "TCA": "Latin America and the Caribbean",
    "TKL": "Polynesia",
    "TWN": "Eastern Asia",
    "UMI": "Micronesia",
    "VGB": "Latin America and the Caribbean",
    "VIR": "Latin America and the Caribbean",
    "WLF": "Polynesia",
    "XKX": "Southern Europe",
}

# Names people use where ISO's short name is formal or ambiguous ("Congo"). pycountry's common_name
# already gives Bolivia, Iran, Laos, Moldova, North Korea, South Korea, Syria, Taiwan, Tanzania,
# Venezuela and Vietnam. "Micronesia" is also a sub-region, so the country keeps its longer name.
_SHORT_NAMES = {
    "BRN": "Brunei",
    "COD": "Democratic Republic of the Congo",
    "COG": "Republic of the Congo",
    "FLK": "Falkland Islands",
    "FSM": "Federated States of Micronesia",
    "MAF": "Saint Martin",
    "PCN": "Pitcairn Islands",
    "PSE": "Palestine",
    "RUS": "Russia",
    "SXM": "Sint Maarten",
    "VAT": "Vatican City",
    "VGB": "British Virgin Islands",
    "VIR": "U.S. Virgin Islands",
}

# Not in ISO 3166-1; the World Bank's code and the user-assigned alpha-2 code in common use.
_KOSOVO = {"iso3": "XKX", "iso2": "XK", "name": "Kosovo"}


def glotip_subregions() -> dict[str, str]:
    """Iso3 -> sub-region as GLOTIP reports it, checking that region and sub-region agree with M49."""
    table = pd.read_csv(GLOTIP_FILE, usecols=["Iso3_code", "Region", "Subregion"], keep_default_na=False)
    table = table[table["Iso3_code"] != ""].drop_duplicates()  # Sark has no code; it is part of Guernsey
    if table["Iso3_code"].duplicated().any():
        raise SystemExit(f"GLOTIP gives more than one region to {sorted(table['Iso3_code'][table.duplicated()])}")
    for row in table.itertuples():
        if SUBREGION_REGION.get(row.Subregion) != row.Region:
            raise SystemExit(f"GLOTIP {row.Iso3_code}: {row.Region} / {row.Subregion} is not an M49 pair")
    return dict(zip(table["Iso3_code"], table["Subregion"], strict=True))


def country_rows() -> list[dict[str, str]]:
    entries = [
        {"iso3": c.alpha_3, "iso2": c.alpha_2, "name": _SHORT_NAMES.get(c.alpha_3, getattr(c, "common_name", c.name))}
        for c in pycountry.countries
    ]
    entries.append(dict(_KOSOVO))
    from_glotip = glotip_subregions()
    overlap = sorted(set(from_glotip) & set(_M49_NOT_IN_GLOTIP))
    if overlap:
        raise SystemExit(f"listed in _M49_NOT_IN_GLOTIP but GLOTIP has them: {overlap}")
    codes = {e["iso3"] for e in entries}
    missing = sorted(codes - set(from_glotip) - set(_M49_NOT_IN_GLOTIP))
    strays = sorted((set(from_glotip) | set(_M49_NOT_IN_GLOTIP)) - codes)
    if missing or strays:
        raise SystemExit(f"no sub-region for {missing}; sub-region for codes not in ISO 3166-1: {strays}")
    for entry in entries:
        subregion = from_glotip.get(entry["iso3"], _M49_NOT_IN_GLOTIP.get(entry["iso3"]))
        entry["region"] = SUBREGION_REGION.get(subregion, "")
        entry["subregion"] = subregion
    names = [e["name"] for e in entries]
    if len(set(names)) != len(names):
        raise SystemExit("two countries share a name")
    return sorted(entries, key=lambda e: e["iso3"])


def population_rows(codes: set[str]) -> pd.DataFrame:
    table = pd.read_csv(WORLD_BANK_FILE, keep_default_na=False, dtype={"iso3": str})
    table = table[table["year"].between(FIRST_YEAR, LAST_YEAR)]
    # The World Bank's CHI is Jersey and Guernsey together; the two have separate ISO codes, so it
    # can be the denominator of neither.
    dropped = sorted(set(table["iso3"]) - codes)
    if dropped:
        print(f"population: dropped codes not in countries.csv: {dropped}", file=sys.stderr)
    table = table[table["iso3"].isin(codes)]
    if table.duplicated(["iso3", "year"]).any():
        raise SystemExit("population: duplicate country-years")
    table = table.astype({"year": "int64", "population": "int64"})
    return table[["iso3", "year", "population"]].sort_values(["iso3", "year"], ignore_index=True)


def main() -> None:
    for path in (GLOTIP_FILE, WORLD_BANK_FILE):
        if not path.exists():
            raise SystemExit(f"input not found: {path} (the workplace's shared data must sit beside the repository)")
    countries = country_rows()
    with COUNTRIES_OUT.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, ["iso3", "iso2", "name", "region", "subregion"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(countries)
    population = population_rows({c["iso3"] for c in countries})
    population.to_csv(POPULATION_OUT, index=False, lineterminator="\n")
    print(
        f"{COUNTRIES_OUT.relative_to(ROOT)}: {len(countries)} countries; "
        f"{POPULATION_OUT.relative_to(ROOT)}: {population['iso3'].nunique()} countries x "
        f"{population['year'].nunique()} years = {len(population)} rows"
    )


if __name__ == "__main__":
    main()
