"""Where the signals come from: a file, a database table or query (an SQLAlchemy URL), or a DuckDB file.

    parse("signals.csv")
    parse("postgresql://reader@db.example/hotline?table=signals")
    parse("postgresql://reader@db.example/hotline", query="SELECT * FROM signals WHERE year >= 2015")
    parse("signals.duckdb?table=signals")

A Source reads raw rows (`read_raw`); hotline.loading turns them into a Dataset through the same
importers, aliases and validation as a file. Databases are read through Arrow: PostgreSQL with the
ADBC driver (libpq's binary COPY, several times faster than row-by-row fetching through SQLAlchemy and
psycopg; see benchmarks/sources.py), DuckDB natively, any other SQLAlchemy dialect in chunks.

Credentials come from the URL or the environment (libpq's PGPASSWORD, PGUSER, PGHOST, ~/.pgpass...)
and never leave this module: `label` is the URL without user or password ("postgresql://host/db table
signals"), every error is rewritten in those terms, and the secret URL is kept out of repr().
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pandas as pd

from hotline.errors import DataError

DUCKDB_SUFFIXES = (".duckdb", ".ddb")
POSTGRES_SCHEMES = ("postgresql", "postgres")
_IDENTIFIER_PART = re.compile(r"^[^\x00]{1,63}$")
CHUNK_ROWS = 200_000  # rows per chunk for dialects read through SQLAlchemy


@dataclass(frozen=True)
class Source:
    """One place to read signals from. `label` is safe to show anywhere; `spec` may hold a password."""

    kind: str  # "file", "postgresql", "sqlalchemy" or "duckdb"
    label: str  # shown on the page, in logs, errors and /healthz: never a user name or password
    path: Path | None = None  # a file or a DuckDB database
    table: str | None = None
    query: str | None = None
    spec: str = field(default="", repr=False)  # the URL as given (without ?table=), credentials included

    @property
    def is_file(self) -> bool:
        return self.kind == "file"

    def stamp(self) -> tuple | None:
        """What changes when a file (or DuckDB database) is rewritten: size and modification time; None if
        there is no file (a server database: only a periodic refresh can tell)."""
        if self.path is None:
            return None
        try:
            info = self.path.stat()
        except OSError:
            return ("missing",)
        return (info.st_size, info.st_mtime_ns)

    def read_raw(self) -> pd.DataFrame:
        """The rows as the database holds them, indexed so that index + 2 is the row's number counting from 1.

        Raises DataError (naming this source by its label, never its credentials) if it cannot be read.
        """
        if self.kind == "postgresql":
            frame = _read_postgresql(self)
        elif self.kind == "duckdb":
            frame = _read_duckdb(self)
        elif self.kind == "sqlalchemy":
            frame = _read_sqlalchemy(self)
        else:
            raise ValueError(f"read_raw is for databases; a {self.kind} source is read by hotline.readers")
        if frame.empty:
            raise DataError(self.label, "the table or query returned no rows", hint="Expected at least one record")
        # normalize() reports rows as index + 2 (a spreadsheet's numbering under its header); here the
        # first row read is row 1.
        frame.index = pd.RangeIndex(-1, len(frame) - 1)
        return frame


def looks_like_url(spec: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", spec))


def parse(spec: str | Path, query: str | None = None) -> Source:
    """The Source that `--data` (and `--query`) name. Raises DataError for a URL that cannot be used."""
    if isinstance(spec, Path):
        spec = str(spec)
    spec = spec.strip()
    query = query.strip() if query and query.strip() else None
    if looks_like_url(spec):
        return _parse_url(spec, query)
    path_text, _, params = spec.partition("?")
    if Path(path_text).suffix.lower() in DUCKDB_SUFFIXES:
        options = dict(parse_qsl(params))
        return _database_source("duckdb", Path(path_text), f"{Path(path_text).name}", options.get("table"), query)
    if query:
        raise DataError(Path(spec).name, "--query needs a database (a URL or a .duckdb file), not a file")
    return Source(kind="file", label=Path(spec).name, path=Path(spec), spec=spec)


def _parse_url(spec: str, query: str | None) -> Source:
    parts = urlsplit(spec)
    scheme = parts.scheme.lower()
    dialect = scheme.split("+", 1)[0]
    params = parse_qsl(parts.query, keep_blank_values=True)
    table = next((value for key, value in params if key == "table"), None)
    kept = [(key, value) for key, value in params if key != "table"]
    host = parts.hostname or ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        raise DataError(_mask(parts), "the port in the database address is not a number") from None
    database = unquote(parts.path.lstrip("/"))
    masked = f"{dialect}://{host}{port}/{database}"
    if dialect == "duckdb":  # duckdb:///path/to/file.duckdb, as the duckdb-engine dialect spells it
        path = Path(unquote(parts.path)[1:] if parts.path.startswith("//") else unquote(parts.path.lstrip("/")))
        return _database_source("duckdb", path, path.name, table, query)
    # The URL as given, less ?table= (string surgery: urlunsplit would fold "sqlite:////abs/path").
    base = spec.split("?", 1)[0].split("#", 1)[0]
    rest = urlencode(kept)
    clean = f"{base}?{rest}" if rest else base
    if dialect in POSTGRES_SCHEMES:
        # libpq (behind ADBC) takes postgresql:// URIs without a "+driver" part.
        clean = "postgresql" + clean[len(parts.scheme) :]
        return _database_source("postgresql", None, masked, table, query, spec=clean)
    return _database_source("sqlalchemy", None, masked, table, query, spec=clean)


def _database_source(
    kind: str, path: Path | None, where: str, table: str | None, query: str | None, spec: str = ""
) -> Source:
    if table and query:
        raise DataError(where, "give a table (?table=...) or a query (--query), not both")
    if not table and not query:
        raise DataError(
            where,
            "no table or query given",
            hint="Add ?table=NAME to the address (e.g. ?table=signals) or pass --query \"SELECT ...\"",
        )
    if table is not None:
        _check_table_name(where, table)
    label = f"{where} table {table}" if table else f"{where} query"
    return Source(kind=kind, label=label, path=path, table=table, query=query, spec=spec)


def _check_table_name(where: str, table: str) -> None:
    parts = table.split(".")
    if len(parts) > 2 or not all(_IDENTIFIER_PART.match(p) for p in parts):
        raise DataError(where, "the table name is not a valid name", value=table, hint="Use NAME or SCHEMA.NAME")


def _quoted(table: str) -> str:
    """schema.name as a quoted SQL identifier: any character is allowed, none can end the name."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in table.split("."))


def _sql(source: Source) -> str:
    return source.query if source.query else f"SELECT * FROM {_quoted(source.table)}"


def _mask(parts) -> str:
    return f"{parts.scheme.split('+', 1)[0]}://{parts.hostname or ''}/{parts.path.lstrip('/')}"


# --- readers -------------------------------------------------------------------------------------
def _read_postgresql(source: Source) -> pd.DataFrame:
    try:
        import adbc_driver_postgresql.dbapi as adbc
    except ImportError:  # the SQLAlchemy path reads the same rows, only slower
        return _read_sqlalchemy(source, "postgresql+psycopg")
    try:
        with adbc.connect(source.spec) as connection, connection.cursor() as cursor:
            cursor.execute(_sql(source))
            table = cursor.fetch_arrow_table()
    except Exception as error:  # the driver's errors: connection, authentication, SQL
        raise _database_error(source, error) from None
    return _arrow_frame(table)


def _read_duckdb(source: Source) -> pd.DataFrame:
    import duckdb

    if not source.path.exists():
        raise DataError(source.label, "database file not found")
    try:
        with duckdb.connect(str(source.path), read_only=True) as connection:
            table = connection.sql(_sql(source)).to_arrow_table()
    except Exception as error:
        raise _database_error(source, error) from None
    return _arrow_frame(table)


def _read_sqlalchemy(source: Source, driver: str | None = None) -> pd.DataFrame:
    import sqlalchemy as sa

    url = source.spec
    if driver:
        url = driver + url[url.index("://") :]
    try:
        engine = sa.create_engine(url)
    except Exception as error:  # unknown dialect, or its driver is not installed
        raise DataError(
            source.label,
            f"this kind of database cannot be read here ({type(error).__name__})",
            hint="Use postgresql://, a .duckdb file, or install the SQLAlchemy driver for it",
        ) from None
    try:
        with engine.connect() as connection:
            statement = sa.text(source.query) if source.query else _select_table(sa, source.table)
            chunks = list(pd.read_sql(statement, connection, chunksize=CHUNK_ROWS))
    except Exception as error:
        raise _database_error(source, error) from None
    finally:
        engine.dispose()
    if not chunks:
        return pd.DataFrame()
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0].reset_index(drop=True)


def _select_table(sa, table: str):
    schema, _, name = table.rpartition(".")
    return sa.select(sa.text("*")).select_from(sa.table(name, schema=schema or None))


def _arrow_frame(table) -> pd.DataFrame:
    # Arrow strings become Python-string columns as the readers give; integers stay integers, NULL stays missing.
    return table.to_pandas()


# --- errors, in the user's terms and without secrets -----------------------------------------------
_KNOWN_PROBLEMS = (
    (
        re.compile(r"password authentication failed|authentication failed|no password supplied|"
                   r"password is required|role .* does not exist", re.I),
        "the database refused the user name or password",
        "Check the user and password in the address, or PGUSER/PGPASSWORD (or ~/.pgpass)",
    ),
    (
        re.compile(r"could not connect|connection refused|could not translate host|timeout expired|"
                   r"server closed the connection|no such file or directory.*socket|connection to server",
                   re.I),
        "cannot reach the database server",
        "Check the host and port, and that the server is running",
    ),
    (
        re.compile(r'database ".*" does not exist', re.I),
        "the database does not exist",
        None,
    ),
    (
        re.compile(r"permission denied", re.I),
        "the database user may not read this table",
        "Grant it read access: GRANT SELECT ON <table> TO <user> (see the README)",
    ),
    (
        re.compile(r'relation ".*" does not exist|table .* does not exist|no such table|catalog error', re.I),
        "the table does not exist",
        None,
    ),
    (
        re.compile(r"could not open|unable to open|IO Error|Could not set lock", re.I),
        "the database file cannot be opened",
        "Check that it is a DuckDB database and that no other program holds it open for writing",
    ),
)


def _database_error(source: Source, error: Exception) -> DataError:
    detail = scrub(str(error), source.spec)
    for pattern, problem, hint in _KNOWN_PROBLEMS:
        if pattern.search(detail):
            value = source.table if "table" in problem and source.table else None
            return DataError(source.label, problem, value=value, hint=hint)
    first_line = detail.strip().splitlines()[0] if detail.strip() else type(error).__name__
    return DataError(source.label, f"the database could not run the query ({first_line[:200]})")


def scrub(message: str, secret_url: str) -> str:
    """`message` with the URL, its user and password, and PGPASSWORD replaced by '***'."""
    secrets = {secret_url}
    if secret_url:
        parts = urlsplit(secret_url)
        for value in (parts.password, parts.username, parts.netloc):
            if value:
                secrets |= {value, unquote(value), quote(unquote(value), safe="")}
    if os.environ.get("PGPASSWORD"):
        secrets.add(os.environ["PGPASSWORD"])
    for secret in sorted((s for s in secrets if s and len(s) >= 2), key=len, reverse=True):
        message = message.replace(secret, "***")
    return message
