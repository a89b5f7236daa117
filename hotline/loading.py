"""From a file on disk to a ready Dataset: read, validate, collapse into a cube."""

from __future__ import annotations

from pathlib import Path

from hotline.cube import build_cube
from hotline.dataset import Dataset, SourceInfo
from hotline.demo import DEMO_SOURCE_LABEL
from hotline.normalize import normalize
from hotline.readers import read_table

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_FILE = DATA_DIR / "demo_signals.parquet"


def load(path: str | Path, min_cell: int = 10, *, label: str | None = None) -> Dataset:
    """Load a CSV, Parquet or Excel file in the canonical layout (see README) as a Dataset.

    Raises hotline.DataError, naming file, column, value and rows, if any cell is invalid;
    nothing is kept from a rejected file.
    """
    path = Path(path)
    table = normalize(read_table(path), path.name)
    is_demo = path.resolve() == DEMO_FILE.resolve()
    source = SourceInfo(name=path.name, label=label or (DEMO_SOURCE_LABEL if is_demo else path.name), is_demo=is_demo)
    return Dataset(build_cube(table), min_cell=min_cell, source=source, records=len(table))


def load_demo(min_cell: int = 10) -> Dataset:
    """The synthetic demo dataset shipped in data/ (see hotline.demo for how it is made)."""
    return load(DEMO_FILE, min_cell=min_cell)
