"""An aggregate as the panels read it: column name -> tuple of plain values (hotline.Dataset.columns).

Figures and tables read every value of a few small columns. Read out of a DataFrame, each column
costs more than the figure built from it, so panels take the columns as plain values; a figure
function still accepts a DataFrame (`of` turns one into columns), so it stays a pure function of
a data frame for anyone calling it with one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

Columns = Mapping[str, Sequence]


def of(data: pd.DataFrame | Columns) -> Columns:
    """Columns of a DataFrame (each as `tolist()` lists it), or the columns given."""
    if isinstance(data, pd.DataFrame):
        return {name: tuple(data[name].tolist()) for name in data.columns}
    return data


def length(columns: Columns) -> int:
    return len(next(iter(columns.values()))) if columns else 0


def take(columns: Columns, rows: Iterable[int]) -> dict[str, tuple]:
    """The given rows, in that order."""
    rows = list(rows)
    return {name: tuple(values[i] for i in rows) for name, values in columns.items()}


def where(columns: Columns, keep: Iterable[bool]) -> dict[str, tuple]:
    """The rows where `keep` is true."""
    return take(columns, (i for i, kept in enumerate(keep) if kept))


def flags(columns: Columns, name: str) -> list[bool]:
    """A boolean column as a list, all False where the aggregate has no such column (or a value is missing)."""
    if name not in columns:
        return [False] * length(columns)
    return [False if pd.isna(value) else bool(value) for value in columns[name]]
