"""FBI UCR human-trafficking tables by US state: persons arrested by demographic margin, and offenses by type.

The arrests table is long: each state-year lists the same persons by gender, again by age group,
by race and by ethnicity. Those are margins of one population, so only one is imported and the
others are named as left out. The offenses tables (by agency or by state) split offenses known to
law enforcement into commercial sex acts and involuntary servitude.
"""

from __future__ import annotations

import pandas as pd

from hotline import geography
from hotline.errors import DataError
from hotline.importers.cells import (
    area_codes,
    column_tokens,
    find_columns,
    map_values,
    texts,
    tokens,
    whole_numbers,
    year_numbers,
)
from hotline.importers.imported import Imported

ARRESTS, ARRESTS_BY_AGE, OFFENSES = "fbi_arrests", "fbi_arrests_age", "fbi_offenses"
ARREST_COLUMNS = ("category_value", "category", "location", "year", "avg_data_value")
OFFENSE_COLUMNS = ("year", "state_abbr", "actual_commercial_sex_acts", "actual_involuntary_servitude")
OFFENSE_TYPES = {"actual_commercial_sex_acts": "sex", "actual_involuntary_servitude": "labor"}

# format -> (the category imported, its canonical dimension, value spellings, how the page names it)
MARGINS = {
    ARRESTS: ("gender", "gender", {"female": "female", "male": "male"}, "gender"),
    ARRESTS_BY_AGE: ("age_group", "age_group", {"adult": "adult", "juvenile": "minor"}, "age group"),
}
MARGIN_NAMES = {"gender": "gender", "age_group": "age group", "race": "race", "ethnicity": "ethnicity"}
STATE_PROBLEM = ("unrecognised US state", "Use two-letter codes such as TX")


def arrests_match(columns: list[str]) -> bool:
    return set(ARREST_COLUMNS) <= column_tokens(columns)


def offenses_match(columns: list[str]) -> bool:
    return set(OFFENSE_COLUMNS) <= column_tokens(columns)


def arrests(raw: pd.DataFrame, file: str, format: str = ARRESTS) -> Imported:
    category, dimension, spellings, margin = MARGINS[format]
    names = find_columns(raw, file, "FBI UCR arrests", required=ARREST_COLUMNS)
    cells = {name: texts(raw[column]) for name, column in names.items()}
    categories = tokens(cells["category"])
    chosen = (categories == category).to_numpy()
    if not chosen.any():
        found = ", ".join(sorted(set(cells["category"])))
        raise DataError(
            file, f"no rows of the {margin} margin", column=names["category"], hint=f"Categories found: {found}"
        )
    years = year_numbers(cells["year"], file, names["year"])
    counts = whole_numbers(cells["avg_data_value"], file, names["avg_data_value"])
    states = area_codes(cells["location"], file, names["location"], geography.normalize_state, *STATE_PROBLEM)
    values = map_values(
        cells["category_value"].where(chosen, ""),
        file,
        names["category_value"],
        spellings,
        "unknown",
        hint=f"Expected one of: {', '.join(spellings)}",
    )
    table = pd.DataFrame(
        {
            "year": years[chosen].astype(str),
            "state": states[chosen],
            "trafficking_type": "not_specified",
            dimension: values[chosen],
            "count": counts[chosen].astype(str),
        }
    )
    return Imported(
        table=table,  # the source's index: a refusal in normalization names the source's row
        format=format,
        source_label=f"FBI UCR human trafficking, persons arrested by {margin} (probable)",
        unit="persons arrested (probable)",
        notes=_arrest_notes(categories, years, states, counts, category, margin),
    )


def _arrest_notes(categories, years, states, counts, category, margin) -> tuple[str, ...]:
    frame = pd.DataFrame({"margin": categories, "year": years, "state": states, "count": counts})
    per_margin = frame.groupby(["state", "year", "margin"]).size().unstack("margin")
    sums = frame.groupby(["state", "year", "margin"])["count"].sum().unstack("margin")
    others = [MARGIN_NAMES.get(name, name) for name in per_margin.columns if name != category]
    notes = [
        "These counts most probably describe persons arrested for human trafficking, not victims "
        "(the source's description is unverified).",
        f"Each person is counted once, by {margin}. The same persons are also counted by {', '.join(others)}; "
        "those margins are left out, as adding them would count each person again.",
        "The table has no sex or labor split: every count is 'type not specified'.",
        "Only states that reported are included; a state absent in a year did not report (it is not a zero).",
    ]
    absent = int(per_margin[category].isna().sum())
    if absent:
        notes.append(f"{absent} state-years have no {margin} rows (only other margins) and are left out.")
    if "age_group" in sums and "gender" in sums:
        differ = (sums["age_group"] - sums["gender"]).dropna()
        differ = differ[differ != 0]
        if len(differ):
            notes.append(
                f"As published, the gender and age-group totals differ by up to {int(differ.abs().max())} "
                f"in {len(differ)} state-years."
            )
    return tuple(notes)


def offenses(raw: pd.DataFrame, file: str) -> Imported:
    names = find_columns(raw, file, "FBI UCR offenses", required=OFFENSE_COLUMNS, optional=("ori",))
    cells = {name: texts(raw[column]) for name, column in names.items() if column}
    frame = pd.DataFrame(
        {
            "year": year_numbers(cells["year"], file, names["year"]),
            "state": area_codes(
                cells["state_abbr"], file, names["state_abbr"], geography.normalize_state, *STATE_PROBLEM
            ),
        }
    )
    for column in OFFENSE_TYPES:
        frame[column] = whole_numbers(cells[column], file, names[column])
    # Agencies are summed by state; a row per state, year and type, zeros kept: a state that reported none.
    by_state = frame.groupby(["year", "state"], dropna=False)[list(OFFENSE_TYPES)].sum().reset_index()
    table = by_state.melt(id_vars=["year", "state"], var_name="trafficking_type", value_name="count").replace(
        {"trafficking_type": OFFENSE_TYPES}
    )
    table = table.sort_values(["year", "state", "trafficking_type"]).astype({"year": str, "count": str})
    reporting = by_state.groupby("year")["state"].nunique()
    coverage = ", ".join(f"{count} in {year}" for year, count in reporting.items())
    notes = (
        "Offenses known to law enforcement (reported minus unfounded): commercial sex acts are shown as "
        "sex trafficking, involuntary servitude as labor trafficking.",
        f"Only states with an agency that sent human-trafficking reports are included ({coverage}); "
        "a state absent in a year did not report (it is not a zero).",
        *(["Agency counts are summed by state."] if names["ori"] else []),
        "The collection has no victim demographics.",
    )
    return Imported(
        table=table.reset_index(drop=True),
        format=OFFENSES,
        source_label="FBI UCR human trafficking offenses",
        unit="offenses",
        notes=notes,
    )
