"""What a loaded dataset holds, for the "About this data" panel: size, span and how much is unknown.

Every number comes from Dataset.aggregate, so the profile obeys the same suppression rule as the
charts: an unknown share whose count is hidden is reported as hidden, never computed.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.dataset import Dataset
from hotline.schema import CATEGORY_VALUES, MISSING_VALUE, UNKNOWN_AREA


@dataclass(frozen=True)
class UnknownShare:
    dimension: str
    share: float | None  # None when it cannot be shown (see `hidden_reason`)
    hidden_reason: str | None = None  # a suppression reason, or "censored" when counts are lower bounds


@dataclass(frozen=True)
class DataProfile:
    total: int | None  # None when the total itself is hidden
    total_at_least: bool
    years: tuple[int, int]
    areas_with_data: int
    unknown_shares: tuple[UnknownShare, ...]


def describe(dataset: Dataset) -> DataProfile:
    total_row = dataset.aggregate([]).iloc[0]
    geography = dataset.geography
    areas = [a for a in dataset.values(geography) if a != UNKNOWN_AREA] if geography in dataset.dimensions else []
    dimensions = [d for d in (geography, *CATEGORY_VALUES) if d in dataset.dimensions]
    return DataProfile(
        total=None if total_row["suppressed"] else int(total_row["count"]),
        total_at_least=bool(total_row.get("at_least", False)),
        years=dataset.years,
        areas_with_data=len(areas),
        unknown_shares=tuple(_unknown_share(dataset, d) for d in dimensions),
    )


def _unknown_share(dataset: Dataset, dimension: str) -> UnknownShare:
    missing = UNKNOWN_AREA if dimension == dataset.geography else MISSING_VALUE[dimension]
    frame = dataset.aggregate([dimension])
    if missing not in set(frame[dimension]):
        return UnknownShare(dimension, 0.0)
    if frame["suppressed"].any():
        # A share needs the whole breakdown: with any cell hidden, the total is not on screen.
        reason = frame.loc[frame[dimension] == missing, "suppression"].iloc[0]
        return UnknownShare(dimension, None, reason if isinstance(reason, str) else "protects_small_count")
    if "at_least" in frame and frame["at_least"].any():
        return UnknownShare(dimension, None, "censored")
    total = int(frame["count"].sum())
    unknown = int(frame.loc[frame[dimension] == missing, "count"].iloc[0])
    return UnknownShare(dimension, unknown / total if total else None)
