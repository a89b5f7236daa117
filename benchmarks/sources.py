"""How long loading takes from PostgreSQL and DuckDB next to the same rows from a Parquet file.

    python -m benchmarks.sources                      # 100,000 and 1,000,000 signals, 3 loads each
    python -m benchmarks.sources --sizes 100000 --repeats 5

For each size it generates synthetic signals (hotline.demo.generate_demo), writes them to a Parquet
file, a DuckDB database and a table in a throw-away PostgreSQL server (tests/pgserver.py: Debian's
postgresql, on 127.0.0.1 and a free port, removed afterwards), then times hotline.load on each: the
whole path from source to a checked Dataset (read, import, validate, build the cube). PostgreSQL is
read through ADBC (Arrow); the SQLAlchemy + psycopg path (pandas.read_sql in chunks) is timed once
for comparison. Prints medians and each source's ratio to Parquet.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import hotline
from hotline import sources
from hotline.demo import generate_demo

DEFAULT_SIZES = (100_000, 1_000_000)
# One key seed for every source: the same rows then give the same cell keys, so the fingerprints compare.
SEED = b"benchmarks.sources: one seed for every source"
COLUMNS = ["year", "month", "state", "trafficking_type", "gender", "age_group", "citizenship", "method", "caller"]


def timed(load, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        load()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sources", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-sqlalchemy", action="store_true", help="skip the slow SQLAlchemy comparison")
    args = parser.parse_args(argv)

    import duckdb

    from tests.pgserver import PostgresServer

    results = []
    with tempfile.TemporaryDirectory() as folder, PostgresServer.start() as pg:
        folder = Path(folder)
        folder.chmod(0o755)  # the PostgreSQL server (another user) reads the CSV to COPY
        pg.add_reader("bench_reader", "bench-password")
        for size in args.sizes:
            frame = generate_demo(size)
            parquet = folder / f"signals_{size}.parquet"
            frame.to_parquet(parquet)
            duck = folder / f"signals_{size}.duckdb"
            with duckdb.connect(str(duck)) as con:
                con.register("frame", frame.astype({c: "string" for c in COLUMNS[2:]}))
                con.execute("CREATE TABLE signals AS SELECT * FROM frame")
            table = f"signals_{size}"
            pg.psql(
                f"CREATE TABLE {table} (year smallint, month smallint, state text, trafficking_type text,"
                " gender text, age_group text, citizenship text, method text, caller text);"
                f"GRANT SELECT ON {table} TO bench_reader;"
            )
            csv = folder / f"{table}.csv"
            frame.to_csv(csv, index=False)
            pg.copy_csv(table, csv, COLUMNS)
            url = pg.url("bench_reader", "bench-password", query=f"?table={table}")
            reference = hotline.load(parquet, seed=SEED)
            assert hotline.load(url, seed=SEED).fingerprint == reference.fingerprint  # the same numbers from each source
            row = {
                "rows": size,
                "parquet": timed(lambda parquet=parquet: hotline.load(parquet, seed=SEED), args.repeats),
                "duckdb": timed(lambda duck=duck: hotline.load(f"{duck}?table=signals", seed=SEED), args.repeats),
                "postgresql": timed(lambda url=url: hotline.load(url, seed=SEED), args.repeats),
            }
            if not args.no_sqlalchemy:
                source = sources.parse(url)

                def through_sqlalchemy(source=source):
                    raw = sources._read_sqlalchemy(source, "postgresql+psycopg")
                    raw.index = raw.index - 1
                    return hotline.loading._dataset(raw, source.label, 10, None, None, seed=SEED)

                row["postgresql_sqlalchemy"] = timed(through_sqlalchemy, 1)
            results.append(row)

    print(f"load time, median of {args.repeats} (seconds), source to checked Dataset; ratio to Parquet in brackets")
    header = ["rows", "parquet", "duckdb", "postgresql (ADBC)"]
    header += [] if args.no_sqlalchemy else ["postgresql (SQLAlchemy)"]
    print(" | ".join(f"{h:>24}" for h in header))
    for row in results:
        cells = [f"{row['rows']:>24,}", f"{row['parquet']:>24.2f}"]
        for key in ("duckdb", "postgresql", "postgresql_sqlalchemy"):
            if key in row:
                cells.append(f"{row[key]:>14.2f} ({row[key] / row['parquet']:4.1f}x)".rjust(24))
        print(" | ".join(cells))


if __name__ == "__main__":
    main()
