"""Database sources without a server: URL parsing and masking, DuckDB files, an SQLite URL through SQLAlchemy."""

from __future__ import annotations

import sqlite3

import pytest

import app
import hotline
from hotline import sources
from hotline.sources import parse, scrub

ROWS = [
    (2020, 1, "TX", "sex", "female"),
    (2020, 5, "TX", "labor", "F"),
    (2021, 7, "CA", "Sex and Labor", None),
    (2021, 11, "Texas", "sex", "male"),
]


def test_a_url_is_shown_without_user_or_password():
    source = parse("postgresql+psycopg://reader:pa%40ss@db.example:5433/hotline?table=signals&sslmode=require")
    assert source.kind == "postgresql"
    assert source.label == "postgresql://db.example:5433/hotline table signals"
    assert "pa%40ss" not in repr(source) and "reader" not in source.label
    assert source.spec == "postgresql://reader:pa%40ss@db.example:5433/hotline?sslmode=require"  # for libpq
    assert parse("postgresql://h/db", query="SELECT 1").label == "postgresql://h/db query"


@pytest.mark.parametrize(
    ("spec", "query", "problem"),
    [
        ("postgresql://u:secret@h/db", None, "no table or query given"),
        ("postgresql://u:secret@h/db?table=t", "SELECT 1", "not both"),
        ("signals.csv", "SELECT 1", "--query needs a database"),
        ("postgresql://u:secret@h/db?table=a.b.c", None, "not a valid name"),
    ],
)
def test_unusable_specs_are_refused_in_one_line_without_the_password(spec, query, problem):
    with pytest.raises(hotline.DataError, match=problem) as raised:
        parse(spec, query)
    assert "secret" not in str(raised.value) and "\n" not in str(raised.value)


def test_scrub_removes_password_user_and_url():
    url = "postgresql://reader:s%3Dcret@h/db"
    message = f'connection to {url} failed: password "s=cret" for user "reader" wrong'
    assert "cret" not in scrub(message, url) and "reader" not in scrub(message, url)


@pytest.fixture
def duck(tmp_path):
    import duckdb

    path = tmp_path / "signals.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE signals (year INTEGER, month INTEGER, state TEXT, type TEXT, gender TEXT)")
        con.executemany("INSERT INTO signals VALUES (?, ?, ?, ?, ?)", ROWS)
        con.execute("CREATE VIEW tx AS SELECT * FROM signals WHERE state IN ('TX', 'Texas')")
    return path


def test_duckdb_table_query_and_view_go_through_the_same_aliases(duck):
    data = hotline.load(f"{duck}?table=signals", min_cell=1)
    assert data.source.label == "signals.duckdb table signals"
    assert data.records == 4 and data.values("state") == ("CA", "TX")
    assert set(data.values("gender")) == {"female", "male", "unknown"}  # "F" and NULL read as a file's would be
    assert data.source.latest == (2021, 11)
    assert hotline.load(f"{duck}?table=tx", min_cell=1).records == 3
    assert hotline.load(duck, query="SELECT * FROM signals WHERE year = 2021", min_cell=1).records == 2


def test_duckdb_errors_name_the_table(duck):
    with pytest.raises(hotline.DataError, match=r"^signals.duckdb table nosuch: the table does not exist"):
        hotline.load(f"{duck}?table=nosuch")
    with pytest.raises(hotline.DataError, match=r"^missing.duckdb table s: database file not found"):
        hotline.load(f"{duck.parent / 'missing.duckdb'}?table=s")
    import duckdb

    with duckdb.connect(str(duck)) as con:
        con.execute("INSERT INTO signals VALUES (2022, 13, 'TX', 'sex', 'female')")
    with pytest.raises(hotline.DataError, match=r"table signals: column 'month'.*\(value 13\) on row 5"):
        hotline.load(f"{duck}?table=signals")


def test_an_sqlite_url_reads_through_sqlalchemy(tmp_path):
    path = tmp_path / "s.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE signals (year, month, state, trafficking_type, gender)")
        con.executemany("INSERT INTO signals VALUES (?, ?, ?, ?, ?)", ROWS)
    data = hotline.load(f"sqlite:///{path}?table=signals", min_cell=1)
    assert data.records == 4
    assert data.source.label.endswith("s.db table signals")


def test_config_keeps_a_url_as_text_and_reads_query_and_refresh(monkeypatch):
    config = app.Config.from_env(
        {"HOTLINE_DATA": "postgresql://u@h/db", "HOTLINE_QUERY": "SELECT 1", "HOTLINE_REFRESH_MINUTES": "5"}
    )
    assert config.data == "postgresql://u@h/db" and config.query == "SELECT 1" and config.refresh_minutes == 5
    args = app.parse_args(["--data", "x.duckdb?table=t", "--refresh-minutes", "0.5"], app.Config())
    assert args.data == "x.duckdb?table=t" and args.refresh_minutes == 0.5
    assert sources.parse(args.data).kind == "duckdb"
    with pytest.raises(SystemExit):
        app.parse_args(["--query", "SELECT 1"], app.Config())
