"""From a file on disk (or an upload's bytes) to a ready Dataset: read, import the layout, validate, build a cube."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from hotline import importers, seeds
from hotline.cellkey import PerturbationTable
from hotline.cube import build_cube
from hotline.dataset import DEFAULT_PERTURBATION, Dataset, SourceInfo
from hotline.demo import DEMO_SOURCE_LABEL
from hotline.normalize import normalize
from hotline.readers import base_name, read_table, read_table_bytes
from hotline.sources import DUCKDB_SUFFIXES, Source, looks_like_url, parse

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_FILE = DATA_DIR / "demo_signals.parquet"


def load(
    path: str | Path,
    min_cell: int = 10,
    *,
    label: str | None = None,
    format: str | None = None,
    query: str | None = None,
    perturbation: PerturbationTable | None = DEFAULT_PERTURBATION,
    seed: bytes | None = None,
) -> Dataset:
    """Load a CSV, Parquet or Excel file, or a database table or query (see hotline.sources), as a Dataset.

    The layout is the canonical one (see README) or a known public one (CTDC, UNODC GLOTIP, FBI UCR
    tables), detected from the columns unless `format` names it (see hotline.importers.FORMATS).
    Raises hotline.DataError, naming file, column, value and rows, if any cell is invalid;
    nothing is kept from a rejected file.

    Published counts are perturbed by the cell-key method (`perturbation`; None for exact counts).
    The record keys come from `seed`, by default hotline.seeds.seed_for(path) (HOTLINE_PRIVACY_SEED,
    or a seed file kept next to the data).
    """
    if query or (isinstance(path, str) and (looks_like_url(path) or "?" in path)) or _is_duckdb(path):
        source = parse(path, query)
        return load_source(source, min_cell, label=label, format=format, perturbation=perturbation, seed=seed)
    path = Path(path)
    is_demo = path.resolve() == DEMO_FILE.resolve()
    if perturbation is not None and seed is None:
        # Made only once the file is read and checked: a rejected file leaves no seed file behind.
        seed = (lambda: seeds.DEMO_SEED) if is_demo else (lambda: seeds.seed_for(path))
    return _dataset(
        read_table(path),
        path.name,
        min_cell,
        label or (DEMO_SOURCE_LABEL if is_demo else None),
        format,
        is_demo=is_demo,
        perturbation=perturbation,
        seed=seed,
    )


def load_source(
    source: Source,
    min_cell: int = 10,
    *,
    label: str | None = None,
    format: str | None = None,
    perturbation: PerturbationTable | None = DEFAULT_PERTURBATION,
    seed: bytes | None = None,
) -> Dataset:
    """Load a Source (hotline.sources.parse): a file as load() does, a database through the same checks."""
    if source.is_file:
        return load(source.path, min_cell, label=label, format=format, perturbation=perturbation, seed=seed)
    if perturbation is not None and seed is None:
        # A DuckDB file keeps its seed beside it; a server database by its label, which holds no credentials
        # (so a changed password does not change the published numbers).
        seed = lambda: seeds.seed_for(source.path if source.path is not None else source.label)  # noqa: E731
    raw = source.read_raw()
    return _dataset(raw, source.label, min_cell, label, format, perturbation=perturbation, seed=seed)


def _is_duckdb(path: str | Path) -> bool:
    return Path(str(path).partition("?")[0]).suffix.lower() in DUCKDB_SUFFIXES


def load_bytes(
    name: str,
    data: bytes,
    min_cell: int = 10,
    *,
    label: str | None = None,
    format: str | None = None,
    perturbation: PerturbationTable | None = DEFAULT_PERTURBATION,
    seed: bytes | None = None,
) -> Dataset:
    """load() for a file's content held in memory (an upload); `name` is the file's name, its suffix the format.

    The default seed is the server's upload seed combined with the content, so every worker that
    rebuilds the same upload publishes the same numbers.
    """
    name = base_name(name)
    if perturbation is not None and seed is None:
        seed = lambda: seeds.derived(seeds.seed_for("uploads://"), hashlib.sha256(data).digest())  # noqa: E731
    return _dataset(read_table_bytes(name, data), name, min_cell, label, format, perturbation=perturbation, seed=seed)


def _dataset(
    raw: pd.DataFrame,
    name: str,
    min_cell: int,
    label: str | None,
    format: str | None,
    *,
    is_demo: bool = False,
    perturbation: PerturbationTable | None = DEFAULT_PERTURBATION,
    seed: bytes | Callable[[], bytes] | None = None,
) -> Dataset:
    read_at = datetime.now(UTC)
    imported = importers.to_canonical(raw, name, format)
    table = normalize(imported.table, name)
    source = SourceInfo(
        name=name,
        label=label or imported.source_label,
        is_demo=is_demo,
        unit=imported.unit,
        notes=imported.notes,
        read_at=read_at,
        latest=latest_period(table),
    )
    if callable(seed):
        seed = seed()
    cube = build_cube(table, key_seed=seed if perturbation is not None else None)
    return Dataset(cube, min_cell=min_cell, source=source, records=len(table), perturbation=perturbation)


def latest_period(table: pd.DataFrame) -> tuple[int, int | None] | None:
    """The latest (year, month) with a signal in the canonical table; month None where no month is known."""
    counted = table[table["count"] > 0] if "count" in table else table
    if counted.empty:
        return None
    year = int(counted["year"].max())
    if "month" not in counted:
        return year, None
    months = counted.loc[counted["year"] == year, "month"].dropna()
    return year, (int(months.max()) if len(months) else None)


def load_demo(min_cell: int = 10, perturbation: PerturbationTable | None = DEFAULT_PERTURBATION) -> Dataset:
    """The synthetic demo dataset shipped in data/ (see hotline.demo for how it is made)."""
    return load(DEMO_FILE, min_cell=min_cell, perturbation=perturbation)
