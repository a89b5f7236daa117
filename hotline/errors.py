"""The one error type a user sees when a data file cannot be loaded."""

from __future__ import annotations

from collections.abc import Sequence


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
        if value is not None:
            parts.append(f"(value {value!r})")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:5])
            more = (total_rows or len(self.rows)) - min(len(self.rows), 5)
            parts.append(f"on row {shown}" if len(self.rows) == 1 else f"on rows {shown}")
            if more > 0:
                parts.append(f"and {more} more row{'s' if more > 1 else ''}")
        message = " ".join(parts)
        if hint:
            message += f". {hint}"
        super().__init__(message)
