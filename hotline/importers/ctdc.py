"""The CTDC global victim dataset: one row per registered victim, as in its public codebook.

Releases differ: older ones leave missing cells empty, later ones write -99, some add a transgender
gender and a `typeOfExploitConcatenated` column, some are separated by semicolons (the reader
sniffs the separator). Each victim stays one row, in the source's order, so a refusal from
normalization names the same spreadsheet row as the source file.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hotline import world
from hotline.errors import DataError
from hotline.importers.cells import (
    area_codes,
    column_tokens,
    find_columns,
    map_values,
    missing_text,
    refuse,
    texts,
    year_numbers,
)
from hotline.importers.imported import Imported

FORMAT = "ctdc"
LAYOUT = "CTDC global dataset"

YEAR = "yearOfRegistration"
COUNTRY = "CountryOfExploitation"
CONCATENATED = "typeOfExploitConcatenated"
SEX, LABOUR, BOTH, OTHER = "isSexualExploit", "isForcedLabour", "isSexAndLabour", "isOtherExploit"
# Forms the codebook flags separately; none of them is sex or labour exploitation.
OTHER_FORMS = ("isForcedMarriage", "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices")
INDICATORS = (SEX, LABOUR, BOTH, OTHER, *OTHER_FORMS)

GENDERS = {
    "female": "female",
    "f": "female",
    "male": "male",
    "m": "male",
    "transgender": "gender_minority",
    "trans": "gender_minority",
    "transgender_nonconforming": "gender_minority",
    "gender_non_conforming": "gender_minority",
    "non_binary": "gender_minority",
}
MAJORITY = {"adult": "adult", "adults": "adult", "minor": "minor", "minors": "minor", "child": "minor"}
FLAGS = {"1": 1, "1_0": 1, "true": 1, "yes": 1, "0": 0, "0_0": 0, "false": 0, "no": 0}

_BAND = re.compile(r"^(\d+)\s*(?:-+|–|to)\s*(\d+)$")
_OPEN_BAND = re.compile(r"^(\d+)\s*\+$")


def matches(columns: list[str]) -> bool:
    found = column_tokens(columns)
    return "yearofregistration" in found and bool(
        found & {"countryofexploitation", "issexualexploit", "isforcedlabour", "typeofexploitconcatenated"}
    )


def to_canonical(raw: pd.DataFrame, file: str) -> Imported:
    names = find_columns(
        raw,
        file,
        LAYOUT,
        required=(YEAR, COUNTRY),
        optional=(*INDICATORS, CONCATENATED, "gender", "ageBroad", "majorityStatus", "citizenship", "Datasource"),
    )
    indicators = {name: names[name] for name in INDICATORS if names[name]}
    if not indicators and not names[CONCATENATED]:
        raise _no_type_columns(raw, file)
    cells = {name: texts(raw[column]) for name, column in names.items() if column}
    country = area_codes(
        cells[COUNTRY],
        file,
        names[COUNTRY],
        world.normalize_country,
        "unrecognised country",
        "Expected ISO 3166 alpha-2 codes such as PH, or Unknown",
    )
    table: dict[str, pd.Series] = {
        "year": year_numbers(cells[YEAR], file, names[YEAR]).astype(str),
        "country": country,
    }
    kinds, from_text = _trafficking_types(cells, names, file)
    table["trafficking_type"] = kinds
    if "gender" in cells:
        table["gender"] = map_values(
            cells["gender"], file, names["gender"], GENDERS, "unknown", hint="Expected Female, Male or Transgender"
        )
    if "majorityStatus" in cells or "ageBroad" in cells:
        table["age_group"] = _age_groups(cells, names, file)
    if "citizenship" in cells:
        table["citizenship"] = _citizenship(cells["citizenship"], country)
    notes = [
        "One row per registered victim. Victims flagged for both sexual exploitation and forced labour are "
        "counted once, as sex and labor; forced marriage, slavery and other forms, as other exploitation.",
        "Citizen means the victim's citizenship is the country of exploitation.",
    ]
    if "age_group" in table:
        notes.append("Adult or minor comes from majorityStatus, else from the age band (ageBroad).")
    if from_text:
        notes.append(f"For {from_text:,} victims with no exploitation flags the type comes from {CONCATENATED}.")
    if names["Datasource"]:
        notes.append("The source of each record (case management or hotline) is not shown.")
    return Imported(
        table=pd.DataFrame(table, index=raw.index),
        format=FORMAT,
        source_label="CTDC global victim dataset",
        unit="victims",
        notes=tuple(notes),
    )


def _no_type_columns(raw: pd.DataFrame, file: str) -> DataError:
    return DataError(
        file,
        f"the {LAYOUT} layout needs exploitation flags ({SEX}, {LABOUR}, ...) or {CONCATENATED}",
        hint=f"Columns found: {', '.join(map(str, raw.columns))}",
    )


def _flags(values: pd.Series, file: str, column: str) -> np.ndarray:
    """1, 0 or -1 (missing) per row."""
    return map_values(values, file, column, FLAGS, -1, hint="Expected 1 or 0").to_numpy(dtype=np.int8)


def _trafficking_types(cells: dict[str, pd.Series], names: dict, file: str) -> tuple[pd.Series, int]:
    rows = len(cells[YEAR])
    flags = {name: _flags(cells[name], file, names[name]) for name in INDICATORS if name in cells}
    absent = np.zeros(rows, dtype=np.int8)
    sex, labour, both = (flags.get(name, absent) == 1 for name in (SEX, LABOUR, BOTH))
    other = np.zeros(rows, dtype=bool)
    for name in (OTHER, *OTHER_FORMS):
        other |= flags.get(name, absent) == 1
    kinds = np.select(
        [both | (sex & labour), sex, labour, other],
        ["sex_and_labor", "sex", "labor", "other_exploitation"],
        default="not_specified",
    ).astype(object)
    # A row whose flags are all missing (or a release without flags) falls back to the text list.
    unflagged = np.ones(rows, dtype=bool)
    for values in flags.values():
        unflagged &= values < 0
    from_text = 0
    if CONCATENATED in cells and unflagged.any():
        lists = cells[CONCATENATED][unflagged]
        listed = lists.map({text: _type_from_list(text) for text in pd.unique(lists)})
        kinds[unflagged] = listed.to_numpy()
        from_text = int((listed != "not_specified").sum())
    return pd.Series(kinds, index=cells[YEAR].index), from_text


def _type_from_list(text: str) -> str:
    forms = {part.strip().lower() for part in re.split(r"[;,|/]", text)}
    forms -= {"", "-99", "unknown", "missing", "na", "n/a"}
    sex = any("sex" in form for form in forms)
    labour = any("labour" in form or "labor" in form for form in forms)
    if sex and labour:
        return "sex_and_labor"
    if sex:
        return "sex"
    if labour:
        return "labor"
    return "other_exploitation" if forms else "not_specified"


def _age_groups(cells: dict[str, pd.Series], names: dict, file: str) -> pd.Series:
    index = cells[YEAR].index
    from_band = pd.Series("unknown", index=index, dtype=object)
    if "ageBroad" in cells:
        from_band = _age_bands(cells["ageBroad"], file, names["ageBroad"])
    if "majorityStatus" not in cells:
        return from_band
    status = map_values(
        cells["majorityStatus"], file, names["majorityStatus"], MAJORITY, "unknown", hint="Expected Adult or Minor"
    )
    return status.where(status != "unknown", from_band)


def _age_bands(values: pd.Series, file: str, column: str) -> pd.Series:
    """An age band wholly under 18 is a minor, wholly 18 or over an adult; a band across 18 is unknown."""
    result: dict[str, str] = {}
    for value in pd.unique(values):
        band, open_band = _BAND.match(value), _OPEN_BAND.match(value)
        if band:
            low, high = int(band.group(1)), int(band.group(2))
            result[value] = "minor" if high < 18 else "adult" if low >= 18 else "unknown"
        elif open_band:
            result[value] = "adult" if int(open_band.group(1)) >= 18 else "unknown"
        elif missing_text(value):
            result[value] = "unknown"
        else:
            refuse(
                file,
                column,
                "unrecognised age band",
                values,
                (values == value).to_numpy(),
                hint="Expected bands such as 9--17 or 48+",
            )
    return values.map(result)


def _citizenship(citizenship: pd.Series, country: pd.Series) -> pd.Series:
    """Citizen where citizenship is the country of exploitation; unknown where either is unknown."""
    codes = citizenship.map({value: world.normalize_country(value) for value in pd.unique(citizenship)})
    known = codes.notna().to_numpy() & country.notna().to_numpy()
    same = (codes == country).to_numpy()
    return pd.Series(
        np.where(known, np.where(same, "citizen", "foreign_national"), "unknown"), index=citizenship.index, dtype=object
    )
