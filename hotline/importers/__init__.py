"""Importers: well-known public layouts turned into the canonical table, chosen from the columns or by name.

    imported = to_canonical(read_table(path), path.name)        # layout detected from the columns
    imported = to_canonical(raw, "glotip.csv", format="glotip")  # or named

The result is still raw text (hotline.normalize validates it) plus what the page must say about
the source: its label, the unit its counts count, and notes on how it was read.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from hotline.errors import DataError
from hotline.importers import ctdc, fbi, glotip
from hotline.importers.imported import Imported
from hotline.schema import COLUMN_ALIASES, token

__all__ = ["FORMATS", "Imported", "detect_format", "to_canonical"]

CANONICAL = "canonical"

# name -> (what it is, how to recognise it from the columns (None: only when asked), the importer)
_LAYOUTS: dict[str, tuple[str, Callable[[list[str]], bool] | None, Callable[[pd.DataFrame, str], Imported]]] = {
    ctdc.FORMAT: (
        "CTDC global victim dataset (yearOfRegistration, CountryOfExploitation, ...)",
        ctdc.matches,
        ctdc.to_canonical,
    ),
    glotip.FORMAT: (
        "UNODC GLOTIP country data (Iso3_code, Indicator, Dimension, txtVALUE, ...)",
        glotip.matches,
        glotip.to_canonical,
    ),
    fbi.ARRESTS: (
        "FBI UCR arrests by state, gender margin (category_value, category, location, avg_data_value)",
        fbi.arrests_match,
        fbi.arrests,
    ),
    fbi.ARRESTS_BY_AGE: (
        "the same FBI UCR arrests table, age-group margin",
        None,
        lambda raw, file: fbi.arrests(raw, file, fbi.ARRESTS_BY_AGE),
    ),
    fbi.OFFENSES: (
        "FBI UCR offenses by state or agency (state_abbr, actual_commercial_sex_acts, ...)",
        fbi.offenses_match,
        fbi.offenses,
    ),
}
FORMATS: tuple[str, ...] = (CANONICAL, *_LAYOUTS)
_CANONICAL_DESCRIPTION = "canonical (year, state or country, trafficking_type, optional gender ... count)"


def describe_formats() -> list[str]:
    return [_CANONICAL_DESCRIPTION] + [f"{name}: {description}" for name, (description, _, _) in _LAYOUTS.items()]


def detect_format(columns: list[str], file: str) -> str:
    """The layout a table's columns belong to. A table that names any canonical column is canonical,
    so that normalization can say precisely what it lacks."""
    columns = [str(column) for column in columns]
    for name, (_, matches, _) in _LAYOUTS.items():
        if matches is not None and matches(columns):
            return name
    aliases = {token(alias) for names in COLUMN_ALIASES.values() for alias in names}
    if any(token(column) in aliases for column in columns):
        return CANONICAL
    raise DataError(
        file,
        "the columns match no known layout",
        hint=f"Columns found: {', '.join(columns)}. Layouts known: {'; '.join(describe_formats())}",
    )


def to_canonical(raw: pd.DataFrame, file: str, format: str | None = None) -> Imported:
    """The raw table in the canonical layout, with its label, unit and notes; `format` None detects it."""
    if format != CANONICAL and not _recognised(list(raw.columns)):
        raw = _below_banner(raw)
    if format is None:
        format = detect_format(list(raw.columns), file)
    elif format not in FORMATS:
        raise DataError(file, f"unknown format '{format}'", hint=f"Known formats: {', '.join(FORMATS)}")
    if format == CANONICAL:
        return Imported(table=raw, format=CANONICAL, source_label=file)
    return _LAYOUTS[format][2](raw, file)


_BANNER_ROWS = 5  # UNODC's workbook has two title rows above its header


def _recognised(columns: list) -> bool:
    header = [str(column) for column in columns]
    return any(matches is not None and matches(header) for _, matches, _ in _LAYOUTS.values())


def _below_banner(raw: pd.DataFrame) -> pd.DataFrame:
    """A table under title rows (as in UNODC's workbook), read from its real header row; else unchanged."""
    for position in range(min(_BANNER_ROWS, len(raw))):
        header = ["" if pd.isna(cell) else str(cell).strip() for cell in raw.iloc[position]]
        if _recognised(header):
            table = raw.iloc[position + 1 :].copy()  # the reader's index still gives spreadsheet rows
            table.columns = header
            return table
    return raw
