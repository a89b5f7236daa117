"""UNODC GLOTIP country data: layered margins of detected victims, turned into rows that count each victim once.

The source publishes the same victims of a country and year several times over: a total; the total
by sex, by age and by sex x age; each form of exploitation again by sex and age; by citizenship;
by country of repatriation. Adding those rows up would count a victim many times. Per country-year
we keep each form of exploitation at the finest sex and age detail whose rows agree with the form's
own total (the source is not always consistent), and the victims no form accounts for as "not
specified", at the finest detail that the total breakdown and the forms share.

Counts published as "<5" stay that text: normalization keeps them as censored lower bounds.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotline import world
from hotline.errors import DataError
from hotline.importers.cells import (
    area_codes,
    column_tokens,
    find_columns,
    is_missing,
    record_rows,
    refuse,
    texts,
    tokens,
    year_numbers,
)
from hotline.importers.imported import Imported
from hotline.schema import token

FORMAT = "glotip"
LAYOUT = "UNODC GLOTIP"
COLUMNS = ("Iso3_code", "Country", "Indicator", "Dimension", "Category", "Sex", "Age", "Year", "txtVALUE")
INDICATOR = "detected_trafficking_victims"
ALL = "all"  # the block of the "Total" dimension: every detected victim, whatever the form
FORMS = {
    "sexual_exploitation": "sex",
    "forced_labour": "labor",
    "forced_labor": "labor",
    "other_forms_of_exploitation": "other_exploitation",
}
TOTAL = "*"
SEXES = {"female": "female", "male": "male", "other": "gender_minority", "unknown": "unknown", "total": TOTAL}
AGES = {"0_to_17_years": "minor", "18_years_or_over": "adult", "unknown": "unknown", "total": TOTAL}

# Levels of detail, finest first. A key is (gender, age_group) with TOTAL where a margin is summed.
SEX_AGE, SEX, AGE, WHOLE = "sex and age", "sex", "age", "total"
LEVELS = (SEX_AGE, SEX, AGE, WHOLE)

_CENSORED = re.compile(r"^<\s*(\d+)$")
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")


@dataclass(frozen=True)
class Amount:
    """A sum of published cells: an exact part plus cells published as "<N" (each between 1 and N-1)."""

    exact: int = 0
    censored: tuple[int, ...] = ()

    @property
    def low(self) -> int:
        return self.exact + len(self.censored)

    @property
    def high(self) -> int:
        return self.exact + sum(bound - 1 for bound in self.censored)

    def __add__(self, other: Amount) -> Amount:
        return Amount(self.exact + other.exact, self.censored + other.censored)

    def cells(self) -> list[str]:
        """The amount as count cells: its exact part (if any) and each censored cell as published."""
        return ([str(self.exact)] if self.exact else []) + [f"<{bound}" for bound in self.censored]


def _total(amounts) -> Amount:
    result = Amount()
    for amount in amounts:
        result += amount
    return result


def _level(key: tuple[str, str]) -> str:
    gender, age = key
    if gender == TOTAL:
        return WHOLE if age == TOTAL else AGE
    return SEX if age == TOTAL else SEX_AGE


def _rolls_up(finer: str, coarser: str) -> bool:
    return finer == coarser or coarser == WHOLE or finer == SEX_AGE


def _roll(key: tuple[str, str], level: str) -> tuple[str, str]:
    gender, age = key
    return {SEX_AGE: key, SEX: (gender, TOTAL), AGE: (TOTAL, age), WHOLE: (TOTAL, TOTAL)}[level]


def _agree(low: int, high: int, other_low: int, other_high: int) -> bool:
    return low <= other_high and other_low <= high


class Block:
    """One margin of a country-year (the total, or one form of exploitation) at every level it is published."""

    def __init__(self) -> None:
        self.levels: dict[str, dict[tuple[str, str], Amount]] = defaultdict(lambda: defaultdict(Amount))

    def add(self, key: tuple[str, str], amount: Amount) -> None:
        # Rows repeated under one key are parts (sub-forms, or a margin split by age): they add up.
        self.levels[_level(key)][key] += amount

    def settle(self) -> None:
        """Choose the finest level that agrees with the block's total, and the block's range."""
        reference = _total(self.levels[WHOLE].values()) if WHOLE in self.levels else None
        for level in LEVELS:  # the whole level, when published, agrees with itself: the loop always settles
            amount = _total(self.levels[level].values()) if level in self.levels else None
            if amount is not None and (
                reference is None or _agree(amount.low, amount.high, reference.low, reference.high)
            ):
                self.level, self.cells = level, dict(self.levels[level])
                self.amount = reference if reference is not None else amount
                self.low = max(amount.low, self.amount.low)
                self.high = min(amount.high, self.amount.high)
                return

    def agrees_at(self, level: str) -> bool:
        if level not in self.levels:
            return False
        amount = _total(self.levels[level].values())
        return _agree(amount.low, amount.high, self.low, self.high)


def matches(columns: list[str]) -> bool:
    return {token(name) for name in COLUMNS} - {"country"} <= column_tokens(columns)


def to_canonical(raw: pd.DataFrame, file: str) -> Imported:
    names = find_columns(
        raw, file, LAYOUT, required=[name for name in COLUMNS if name != "Country"], optional=["Country"]
    )
    cells = {name: texts(raw[column]) for name, column in names.items() if column}
    indicator, dimension = tokens(cells["Indicator"]), tokens(cells["Dimension"])
    keep = (indicator == INDICATOR) & dimension.isin(["total", "by_form_of_exploitation"])
    if not keep.any():
        raise DataError(
            file,
            "no rows of 'Detected trafficking victims' by total or form of exploitation",
            column=names["Indicator"],
        )
    no_code = keep & pd.Series(is_missing(cells["Iso3_code"]), index=raw.index)
    left_out = sorted(set(cells["Country"][no_code])) if "Country" in cells else []
    keep &= ~no_code
    years = year_numbers(cells["Year"], file, names["Year"])
    codes = area_codes(
        cells["Iso3_code"].where(keep, ""),
        file,
        names["Iso3_code"],
        world.normalize_country,
        "unrecognised country code",
        "Expected ISO 3166 alpha-3 codes such as MEX",
    )
    blocks = _blocks(cells, names, keep.to_numpy(), years, codes, dimension, file)
    rows: list[tuple] = []
    tally: Counter[str] = Counter()
    for (country, year), parts in sorted(blocks.items()):
        for block in parts.values():
            block.settle()
        _country_year(country, year, parts, rows, tally)
    table = pd.DataFrame(rows, columns=["year", "country", "trafficking_type", "gender", "age_group", "count"])
    return Imported(
        table=table,
        format=FORMAT,
        source_label="UNODC GLOTIP, detected trafficking victims",
        unit="detected victims",
        notes=_notes(tally, left_out),
    )


def _blocks(cells, names, keep, years, codes, dimension, file) -> dict[tuple[str, int], dict[str, Block]]:
    blocks: dict[tuple[str, int], dict[str, Block]] = defaultdict(lambda: defaultdict(Block))
    kept = keep.nonzero()[0]
    in_total = (dimension.to_numpy() == "total")[kept]
    forms = _lookup(cells["Category"], names["Category"], FORMS, kept[~in_total], file)
    sexes = _lookup(cells["Sex"], names["Sex"], SEXES, kept, file)
    ages = _lookup(cells["Age"], names["Age"], AGES, kept, file)
    published, index = cells["txtVALUE"].to_numpy(), cells["txtVALUE"].index
    countries, year_list = codes.to_numpy(), years.to_numpy()
    for position, total in zip(kept.tolist(), in_total.tolist()):
        amount = _amount(published[position], position, index, names["txtVALUE"], file)
        key = (sexes[position], ages[position])
        blocks[(countries[position], int(year_list[position]))][ALL if total else forms[position]].add(key, amount)
    return blocks


def _lookup(values: pd.Series, column: str, table: dict[str, str], positions: np.ndarray, file) -> dict[int, str]:
    """Canonical value per row position, through `table` (keyed by token); an unknown value is refused."""
    chosen = values.to_numpy()[positions]
    found = {value: table.get(token(value)) for value in pd.unique(chosen)}
    for value, mapped in found.items():
        if mapped is None:
            bad = np.zeros(len(values), dtype=bool)
            bad[positions] = chosen == value
            refuse(file, column, "unrecognised value", values, bad, hint=f"Expected one of: {', '.join(table)}")
    return dict(zip(positions.tolist(), (found[value] for value in chosen)))


def _amount(text: str, position: int, index: pd.Index, column: str, file: str) -> Amount:
    censored = _CENSORED.match(text)
    if censored and int(censored.group(1)) >= 2:
        return Amount(0, (int(censored.group(1)),))
    if _NUMBER.match(text):
        return Amount(int(text.replace(",", "")))
    raise DataError(
        file,
        "expected a count such as 1,281 or <5",
        column=column,
        value=text,
        rows=record_rows(index, [position]),
    )


def _emit(rows: list, year: int, country: str, kind: str, key: tuple[str, str], amount: Amount) -> None:
    gender, age = (value if value != TOTAL else "unknown" for value in key)
    rows.extend((year, country, kind, gender, age, cell) for cell in amount.cells())


def _country_year(country: str, year: int, parts: dict[str, Block], rows: list, tally: Counter) -> None:
    total = parts.get(ALL)
    forms = {kind: block for kind, block in parts.items() if kind != ALL}
    forms_low = sum(block.low for block in forms.values())
    if total is not None and (not forms or forms_low > total.high):
        tally["overlap" if forms else "no_forms"] += 1
        for key, amount in total.cells.items():
            _emit(rows, year, country, "not_specified", key, amount)
        return
    for kind, block in forms.items():
        tally[f"form by {block.level}"] += 1
        for key, amount in block.cells.items():
            _emit(rows, year, country, kind, key, amount)
    if total is not None:
        _remainder(country, year, total, forms, rows, tally)


def _remainder(country: str, year: int, total: Block, forms: dict[str, Block], rows: list, tally: Counter) -> None:
    """Victims in the total that no form accounts for, at the finest level total and forms share."""
    for level in LEVELS:
        if not all(_rolls_up(block.level, level) for block in forms.values()):
            continue
        # key -> (published amount, low, high) for the total; key -> (low, high) for the forms together
        if level == WHOLE:
            whole = (TOTAL, TOTAL)
            in_total = {whole: (total.amount, total.low, total.high)}
            in_forms = {whole: (sum(b.low for b in forms.values()), sum(b.high for b in forms.values()))}
        elif total.agrees_at(level):
            in_total = {key: (amount, amount.low, amount.high) for key, amount in total.levels[level].items()}
            rolled: dict[tuple[str, str], Amount] = defaultdict(Amount)
            for block in forms.values():
                for key, amount in block.cells.items():
                    rolled[_roll(key, level)] += amount
            in_forms = {key: (amount.low, amount.high) for key, amount in rolled.items()}
        else:
            continue
        keys = sorted(set(in_total) | set(in_forms))
        nothing = (Amount(), 0, 0)
        if any(in_total.get(key, nothing)[2] < in_forms.get(key, (0, 0))[0] for key in keys):
            continue  # in some cell the forms exceed the total: this level does not add up
        uncertain = False
        for key in keys:
            amount, low, high = in_total.get(key, nothing)
            forms_low, forms_high = in_forms.get(key, (0, 0))
            if forms_high == 0:
                rest = amount
            elif low == high and forms_low == forms_high:
                rest = Amount(low - forms_low)
            else:
                # "<5" cells make the rest uncertain by a few: keep the smallest it can be.
                uncertain = True
                rest = Amount(max(low - forms_high, 0))
            _emit(rows, year, country, "not_specified", key, rest)
        tally[f"rest by {level}"] += 1
        tally["uncertain"] += uncertain
        return


def _notes(tally: Counter, left_out: list[str]) -> tuple[str, ...]:
    notes = [
        "Detected trafficking victims only; persons prosecuted or convicted are not imported.",
        "Each victim is counted once: by form of exploitation, at the finest sex and age detail whose figures "
        "add up to the form's total; victims that no form accounts for are 'not specified'.",
        "The breakdowns by citizenship and by country of repatriation count the same victims again and are left out.",
        "UNODC's sex 'Other' is shown as gender minority.",
    ]
    if tally["no_forms"]:
        notes.append(f"In {tally['no_forms']:,} country-years UNODC gives no form of exploitation: type not specified.")
    if tally["overlap"]:
        notes.append(
            f"In {tally['overlap']:,} country-years the forms of exploitation add up to more than UNODC's total "
            "(a victim may be counted under more than one form): there only the total is kept, type not specified."
        )
    if tally["uncertain"]:
        notes.append(
            f"In {tally['uncertain']:,} country-years '<5' cells leave the number of victims with no form of "
            "exploitation uncertain by a few: the smallest possible number is kept."
        )
    if left_out:
        notes.append(f"Rows without an ISO country code are left out ({', '.join(left_out)}).")
    return tuple(notes)
