"""The one error type a user sees when a data file cannot be loaded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

MAX_VALUE_CHARS = 60  # a value swallowing the rest of a file must not flood the message


class DataError(ValueError):
    """A data file was rejected. Names the file, column, value and rows so the user can fix it.

    Row numbers are spreadsheet rows: the header is row 1, the first record is row 2.
    """

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        column: str | None = None,
        value: object = None,
        rows: Sequence[int] = (),
        total_rows: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.problem = problem
        self.column = column
        self.value = value
        self.rows = list(rows)
        self.hint = hint
        parts = [f"{file}:"]
        if column is not None:
            parts.append(f"column '{column}':")
        parts.append(problem)
        shown = shown_value(value)
        if shown is not None:
            parts.append(f"(value {shown})")
        if self.rows:
            listed = ", ".join(str(r) for r in self.rows[:5])
            more = (total_rows or len(self.rows)) - min(len(self.rows), 5)
            parts.append(f"on row {listed}" if len(self.rows) == 1 else f"on rows {listed}")
            if more > 0:
                parts.append(f"and {more} more row{'s' if more > 1 else ''}")
        message = " ".join(parts)
        if hint:
            message += f". {hint}"
        super().__init__(" ".join(message.splitlines()))  # one paragraph, whatever a problem quotes


def shown_value(value: object) -> str | None:
    """A cell as the user typed it: text in quotes, numbers bare, numpy and pandas types hidden; None if blank."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None  # a blank cell: the problem ("a value is missing") says so
    except (TypeError, ValueError):  # list-like values
        pass
    if isinstance(value, np.generic):
        value = value.item()  # numpy scalar -> Python number, so 1850 is not shown as np.int64(1850)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "\u2026"
    return repr(text)
