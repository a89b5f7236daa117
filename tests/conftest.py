"""Settings and fixtures shared by the unit and browser tests: a real PostgreSQL server (tests/pgserver.py)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from pgserver import PostgresServer, bindir

# A fixed key seed: the cell-key perturbation gives the same numbers on every run and machine, and no
# test writes a seed file beside its data or in the home folder.
os.environ.setdefault("HOTLINE_PRIVACY_SEED", "hotline-dashboard test suite")

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_signals.parquet"
PG_DEMO_ROWS = 6000  # demo signals loaded into the test database: enough for numbers above min_cell
READER, READER_PASSWORD = "dashboard_reader", "pg-Secret-4711"
SIGNAL_COLUMNS = [
    "year", "month", "state", "trafficking_type", "gender", "age_group", "citizenship", "method", "caller"
]
CREATE_SIGNALS = """
CREATE TABLE {name} (
    id bigserial PRIMARY KEY,
    year smallint NOT NULL,
    month smallint,
    state text,
    trafficking_type text,
    gender text,
    age_group text,
    citizenship text,
    method text,
    caller text
);
"""


@pytest.fixture(scope="session")
def postgres():
    """PostgreSQL on 127.0.0.1 (free port) with `signals` (demo rows), a view and a read-only user."""
    if bindir() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: CI must apt-get install postgresql")
        pytest.skip("PostgreSQL is not installed (apt-get install -y postgresql)")
    server = PostgresServer.start()
    try:
        server.psql(CREATE_SIGNALS.format(name="signals"))
        with tempfile.TemporaryDirectory() as folder:
            csv = Path(folder) / "signals.csv"
            demo_head().to_csv(csv, index=False)
            os.chmod(folder, 0o755)
            server.copy_csv("signals", csv, SIGNAL_COLUMNS)
        server.psql("CREATE VIEW recent_signals AS SELECT * FROM signals WHERE year >= 2018")
        server.add_reader(READER, READER_PASSWORD)
        yield server
    finally:
        server.remove()


def demo_head(rows: int = PG_DEMO_ROWS) -> pd.DataFrame:
    """The rows the `postgres` fixture loads: every k-th demo signal, so that every year is there."""
    demo = pd.read_parquet(DEMO_FILE)
    return demo.iloc[:: len(demo) // rows].head(rows).reset_index(drop=True)
