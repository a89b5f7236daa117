"""Reading signals from a real PostgreSQL server (started by the `postgres` fixture in tests/conftest.py)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CREATE_SIGNALS, READER, READER_PASSWORD, demo_head
from pgserver import PostgresServer

import app
import hotline
from hotline.live import LiveDataset

REPO_ROOT = Path(__file__).resolve().parent.parent


def reader_url(pg, table: str | None = "signals", password: str = READER_PASSWORD) -> str:
    return pg.url(READER, password, query=f"?table={table}" if table else "")


def test_a_table_loads_the_same_numbers_as_the_file(postgres, tmp_path):
    from_db = hotline.load(reader_url(postgres))
    expected = demo_head()
    expected.to_parquet(tmp_path / "same.parquet")
    from_file = hotline.load(tmp_path / "same.parquet")
    assert from_db.records == len(expected)
    assert from_db.fingerprint == from_file.fingerprint  # the same cube: every published number is the same
    by = ["state", "trafficking_type"]
    assert from_db.aggregate(by).equals(from_file.aggregate(by))
    assert from_db.aggregate(["year"])["count"].notna().all()
    assert from_db.source.label == f"postgresql://127.0.0.1:{postgres.port}/hotline table signals"
    last_year = int(expected["year"].max())
    assert from_db.source.latest == (last_year, int(expected.loc[expected["year"] == last_year, "month"].max()))


def test_a_query_and_a_view(postgres):
    query = hotline.load(reader_url(postgres, None), query="SELECT * FROM signals WHERE state = 'TX'")
    assert query.values("state") == ("TX",)
    assert query.source.label.endswith("/hotline query")
    view = hotline.load(reader_url(postgres, "recent_signals"))
    assert view.years[0] == 2018
    assert view.records == int((demo_head()["year"] >= 2018).sum())


def test_a_bad_value_names_table_column_value_and_row(postgres):
    postgres.psql(CREATE_SIGNALS.format(name="bad_signals"))
    postgres.psql(
        "INSERT INTO bad_signals (year, month, state, trafficking_type, gender) VALUES "
        "(2020, 1, 'TX', 'sex', 'female'), (2020, 2, 'TX', 'labor', 'Femal'), (2021, 3, 'CA', 'sex', 'male');"
        f"GRANT SELECT ON bad_signals TO {READER};"
    )
    with pytest.raises(hotline.DataError) as raised:
        hotline.load(pg_url := reader_url(postgres, "bad_signals"))
    message = str(raised.value)
    assert message.startswith(f"postgresql://127.0.0.1:{postgres.port}/hotline table bad_signals: column 'gender'")
    assert "'Femal'" in message and "on row 2" in message
    assert READER_PASSWORD not in message and READER_PASSWORD in pg_url


def test_a_missing_column_is_named(postgres):
    with pytest.raises(hotline.DataError, match="required column 'trafficking_type' is missing"):
        hotline.load(reader_url(postgres, None), query="SELECT year, state FROM signals")


def test_wrong_password_exits_2_with_a_clear_message_and_never_prints_it(postgres):
    wrong = "Wrong-Pass-9931"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "PG"))}
    result = subprocess.run(
        [sys.executable, "app.py", "--data", reader_url(postgres, password=wrong), "--port", "1"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "the database refused the user name or password" in result.stderr
    assert wrong not in result.stdout + result.stderr and READER not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_credentials_from_the_environment(postgres, monkeypatch):
    monkeypatch.setenv("PGUSER", READER)
    monkeypatch.setenv("PGPASSWORD", READER_PASSWORD)
    data = hotline.load(f"postgresql://127.0.0.1:{postgres.port}/hotline?table=signals")
    assert data.records == len(demo_head())


def test_a_server_that_goes_away_during_a_refresh_keeps_the_old_data(caplog):
    """Its own server, stopped under a LiveDataset: the data stay, one line is logged, /healthz says so."""
    with PostgresServer.start() as pg:
        pg.psql(CREATE_SIGNALS.format(name="signals"))
        pg.psql(
            "INSERT INTO signals (year, month, state, trafficking_type) "
            "SELECT 2020 + g % 3, 1 + g % 12, 'TX', 'sex' FROM generate_series(1, 300) AS g"
        )
        pg.add_reader(READER, READER_PASSWORD)
        config = app.Config(data=reader_url(pg), refresh_minutes=60)
        live = app.load_dataset(config)
        assert isinstance(live, LiveDataset)
        before = live.current()
        client = app.create_app(live).server.test_client()
        assert client.get("/healthz").json["refresh"]["last_try_failed"] is False
        pg.stop()
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="hotline.live"):
            assert live.refresh() is False
        assert live.current() is before
        lines = [r for r in caplog.records if r.name == "hotline.live"]
        assert len(lines) == 1 and "cannot reach the database server" in lines[0].getMessage()
        assert READER_PASSWORD not in lines[0].getMessage()
        health = client.get("/healthz").json
        assert health["refresh"]["last_try_failed"] is True
        published = int(before.aggregate([])["count"].iloc[0])  # the perturbed total of the data kept
        assert health["records"] == published and READER_PASSWORD not in str(health)
        page = client.get("/")
        assert page.status_code == 200
        live.stop()
