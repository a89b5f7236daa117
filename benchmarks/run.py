"""How fast the dashboard loads and answers a filter change, at 100 thousand to 10 million signals.

    python -m benchmarks.run                       # 100k, 1M and 10M signals, 40 view updates each
    python -m benchmarks.run --quick               # smoke run: 100k signals, 10 updates
    python -m benchmarks.run --sizes 100000 1000000 10000000
    python -m benchmarks.run --sizes 1000000 --updates 80 --seed 7 --json results.json

For each size it generates synthetic signals (hotline.demo.generate_demo), writes them to a
temporary Parquet file with pyarrow and loads that file through hotline.load, so the load time is
the real path from file to cube. Each size then runs in a fresh process (so max RSS means something).

A "full view update" is everything the view callback does on the server to draw the panels for one
filter change when its cache of views misses (components/panels.py): it parses the store's query
string, renders every panel (KPIs with their cards, map, trend, each breakdown, the table) and Dash
serializes the response with plotly.io.json.to_json_plotly (what dash._utils.to_json does). The
Dataset's query caches are cleared before every timed update, so each update computes every query
cold (what the load builds with the cube, the pre-summed arrays of hotline/cuboids.py included, stays:
it is part of the loaded data).

The naive baseline computes the same panels' numbers by filtering and grouping the raw rows with
pandas on every update. It builds no figures and no JSON and does no suppression, so it is a lower
bound for the naive approach. The tutorial baseline does the same and then builds the page's charts
with plotly express and serializes them, on every update, as a dashboard tutorial would.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import platform
import resource
import shlex
import statistics
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from plotly.io.json import to_json_plotly

import hotline
from components import breakdowns, chart_access, panels
from components.view import view_from_store
from hotline import geography
from hotline.demo import DEMO_SEED, generate_demo
from hotline.filters import DIMENSION_FIELD, Filters
from hotline.viewstate import Choices, ViewState, choices_of, to_query

DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)
DEFAULT_UPDATES = 40
TARGET_P95_MS = {100_000: 20.0, 1_000_000: 30.0, 10_000_000: 60.0}  # issue 9: full update p95 on 2 cores
MiB = 1024 * 1024


# --- the real update ---------------------------------------------------------------------------


def clear_query_caches(dataset: hotline.Dataset) -> list[str]:
    """Empty the Dataset's query caches, so the next update computes every query. Returns their names."""
    return dataset.clear_query_caches()


def _callbacks(dataset: hotline.Dataset) -> list[tuple[str, object]]:
    """(name, function of a ViewState giving that panel's part of the answer) for every panel.

    The page draws every panel in one callback (components/panels.py: `respond`); this is the same
    work split by panel so the report can say where the time goes. As on a fresh page: every chart's
    summary, no "show as table" open. The cache of views (panels.ViewCache) is left out: every
    update here is computed.
    """
    callbacks = [(name, lambda view, m=module: m.respond(dataset, view)) for name, module in panels.PANELS.items()]
    callbacks.append(("chart tables", lambda view: chart_access.respond(dataset, view, frozenset())))
    return callbacks


def full_update(dataset: hotline.Dataset, choices: Choices, query: str, callbacks=None) -> dict[str, float]:
    """What the view callback does to draw every panel for the view `query`, cache of views aside; seconds per stage.

    Keys: "parse" (the store's query, once), "render:<panel>" and "json:<panel>" per panel, "bytes"
    (payload size). The callback serializes its whole answer at once; per panel here, to say where
    the time goes (the sum is the same work).
    """
    callbacks = callbacks or _callbacks(dataset)
    started = time.perf_counter()
    view = view_from_store(query, choices)
    stages: dict[str, float] = {"parse": time.perf_counter() - started, "bytes": 0}
    for name, respond in callbacks:
        rendered_from = time.perf_counter()
        response = respond(view)
        rendered = time.perf_counter()
        payload = to_json_plotly(response)
        done = time.perf_counter()
        stages[f"render:{name}"] = rendered - rendered_from
        stages[f"json:{name}"] = done - rendered
        stages["bytes"] += len(payload)
    return stages


# --- the naive baseline ------------------------------------------------------------------------


def naive_aggregations(dimensions: tuple[str, ...]) -> list[tuple[str, tuple[str, ...], str | None]]:
    """(name, group-by columns, dimension whose own filter is removed) for every query of an update.

    The same numbers the real update asks the cube for: the total; by year (change KPI, year filter
    removed); by state (map and table); by year x type (trend); each breakdown with its own filter
    removed (which includes the age and citizenship KPIs).
    """
    aggregations = [("total", (), None), ("year", ("year",), "year"), ("state", ("state",), "state")]
    if "trafficking_type" in dimensions:
        aggregations.append(("year x type", ("year", "trafficking_type"), "year"))
    for dimension in breakdowns.BREAKDOWN_DIMENSIONS:
        if dimension in dimensions:
            aggregations.append((dimension, (dimension,), dimension))
    return aggregations


def naive_update(frame: pd.DataFrame, filters: Filters, aggregations) -> dict[str, object]:
    """The update's numbers from the raw rows: boolean masks, then groupby(observed=True).size()."""
    masks: dict[str, pd.Series] = {}
    for dimension in frame.columns:
        selected = filters.selection(dimension) if dimension in DIMENSION_FIELD or dimension == "year" else ()
        if not selected:
            continue
        column = frame[dimension]
        if dimension == "year":
            masks[dimension] = (column >= selected[0]) & (column <= selected[1])
        else:
            masks[dimension] = column.isin(selected)
    results: dict[str, object] = {}
    for name, by, open_dimension in aggregations:
        mask = None
        for dimension, dimension_mask in masks.items():
            if dimension != open_dimension:
                mask = dimension_mask if mask is None else mask & dimension_mask
        if not by:
            results[name] = len(frame) if mask is None else int(mask.sum())
            continue
        rows = frame[list(by)] if mask is None else frame.loc[mask, list(by)]
        results[name] = rows.groupby(list(by), observed=True).size()
    return results


def agreement(dataset: hotline.Dataset, naive: dict[str, object], filters: Filters, aggregations) -> tuple[int, int]:
    """(cells compared, cells that differ) between the naive numbers and Dataset.aggregate.

    Suppressed cells are skipped (the naive baseline does not suppress); a shown cell must match, up to
    the cell-key perturbation's maximum change D (the naive baseline does not perturb).
    """
    slack = dataset.perturbation.max_change if dataset.perturbation else 0
    compared = differ = 0
    for name, by, open_dimension in aggregations:
        scoped = filters if open_dimension is None else filters.without(open_dimension)
        real = dataset.aggregate(list(by), scoped)
        shown = real[~real["suppressed"]]
        if not by:
            if len(shown):
                compared += 1
                differ += abs(int(shown["count"].iloc[0]) - naive[name]) > slack
            continue
        expected = naive[name]
        for key, count in zip(shown[list(by)].itertuples(index=False, name=None), shown["count"]):
            key = key[0] if len(by) == 1 else key
            compared += 1
            differ += abs(int(expected.get(key, 0)) - int(count)) > slack
    return compared, differ


# --- the tutorial baseline: pandas and plotly express ---------------------------------------


def express_update(frame: pd.DataFrame, filters: Filters, aggregations, dimensions: tuple[str, ...]) -> int:
    """What a tutorial user would write: filter and group the raw rows with pandas, then build the same
    figures with plotly express and serialize them, on every update. Returns the payload's bytes.

    No suppression, no perturbation, no rates, no screen-reader summaries: a lower bound again, but one
    that draws the page's charts (a US choropleth, the trend by year and type, one bar chart per
    breakdown) and its numbers table.
    """
    import plotly.express as px

    numbers = naive_update(frame, filters, aggregations)
    figures = []
    by_state = numbers["state"].rename("signals").reset_index()
    figures.append(
        px.choropleth(by_state, locations="state", locationmode="USA-states", color="signals", scope="usa")
    )
    if "year x type" in numbers:
        trend = numbers["year x type"].rename("signals").reset_index()
        figures.append(px.bar(trend, x="year", y="signals", color="trafficking_type", barmode="stack"))
    else:
        figures.append(px.bar(numbers["year"].rename("signals").reset_index(), x="year", y="signals"))
    for dimension in breakdowns.BREAKDOWN_DIMENSIONS:
        if dimension in dimensions:
            bars = numbers[dimension].rename("signals").reset_index().sort_values("signals")
            figures.append(px.bar(bars, x="signals", y=dimension, orientation="h"))
    table_rows = by_state.sort_values("signals", ascending=False).to_dict("records")
    payload = [figure.to_json() for figure in figures] + [json.dumps(table_rows, default=int)]
    payload.append(json.dumps({"total": int(numbers["total"]), "by_year": {int(k): int(v) for k, v in numbers["year"].items()}}))
    return sum(len(part) for part in payload)


# --- views -------------------------------------------------------------------------------------


def random_views(choices: Choices, count: int, seed: int) -> list[str]:
    """`count` varied query strings, deterministic in `seed`.

    Each: a random year range (or all years), 0-3 states or one region, 0-2 other dimensions with
    1-2 values each, and count or rate.
    """
    rng = np.random.default_rng(seed)
    first, last = choices.years
    states = [s for s in choices.values.get("states", ()) if s in geography.STATE_NAMES]
    regions = list(choices.values.get("regions", ()))
    others = [f for f in DIMENSION_FIELD.values() if f not in ("states",) and choices.values.get(f)]
    queries = []
    for _ in range(count):
        chosen: dict[str, tuple] = {}
        years = None
        if rng.random() < 0.75:
            a, b = sorted(int(y) for y in rng.integers(first, last + 1, size=2))
            years = (a, b)
        geo = rng.random()
        if geo < 0.3 and regions:
            chosen["regions"] = (str(rng.choice(regions)),)
        elif geo < 0.7 and states:
            chosen["states"] = tuple(str(s) for s in rng.choice(states, size=int(rng.integers(1, 4)), replace=False))
        for field_name in rng.choice(others, size=int(rng.integers(0, 3)), replace=False):
            values = choices.values[str(field_name)]
            picked = rng.choice(values, size=min(len(values), int(rng.integers(1, 3))), replace=False)
            chosen[str(field_name)] = tuple(str(v) for v in picked)
        measure = "rate" if rng.random() < 0.3 else "count"
        queries.append(to_query(ViewState(filters=Filters(years=years, **chosen), measure=measure), choices))
    return queries


# --- one size ----------------------------------------------------------------------------------


@dataclass
class SizeResult:
    rows: int
    updates: int
    seed: int
    load_s: float
    tracemalloc_peak_mib: float | None
    max_rss_mib: float
    rss_before_load_mib: float
    fresh_process: bool
    cube_rows: int
    cube_mib: float
    records: int
    update_ms: list[float]
    update_cpu_ms: list[float]  # process CPU time of the same updates (less sensitive to a busy machine)
    naive_ms: list[float]
    express_ms: list[float]  # the tutorial baseline: pandas + plotly express figures, serialized
    stage_ms: dict[str, float]  # median ms per stage over the updates
    payload_kib: float
    caches_cleared: list[str]
    cells_compared: int
    cells_differ: int
    total_real: int
    total_naive: int
    queries: list[str] = field(default_factory=list)

    @property
    def update_median(self) -> float:
        return statistics.median(self.update_ms)

    @property
    def update_p95(self) -> float:
        return float(np.percentile(self.update_ms, 95))

    @property
    def naive_median(self) -> float:
        return statistics.median(self.naive_ms)

    @property
    def naive_p95(self) -> float:
        return float(np.percentile(self.naive_ms, 95))

    @property
    def express_median(self) -> float:
        return statistics.median(self.express_ms)

    @property
    def express_p95(self) -> float:
        return float(np.percentile(self.express_ms, 95))


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def write_signals(rows: int, seed: int, path: Path) -> None:
    """Synthetic signals to a Parquet file, written with pyarrow."""
    frame = generate_demo(rows, seed)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def measure_size(
    rows: int,
    updates: int = DEFAULT_UPDATES,
    seed: int = DEMO_SEED,
    *,
    path: str | Path | None = None,
    trace_memory: bool = True,
    fresh_process: bool = False,
) -> SizeResult:
    """Load `rows` synthetic signals from Parquet and time `updates` cold view updates, real and naive.

    With `path` None the signals are generated and written to a temporary file here (deleted after);
    otherwise `path` must hold generate_demo(rows, seed).
    """
    if path is None:
        with tempfile.TemporaryDirectory(prefix="hotline-bench-") as directory:
            temporary = Path(directory) / f"signals-{rows}.parquet"
            write_signals(rows, seed, temporary)
            return measure_size(
                rows, updates, seed, path=temporary, trace_memory=trace_memory, fresh_process=fresh_process
            )

    # Load: time and max RSS without tracing, then once more under tracemalloc for the heap peak.
    gc.collect()
    rss_before = _max_rss_mib()
    started = time.perf_counter()
    dataset = hotline.load(path)
    load_s = time.perf_counter() - started
    max_rss = _max_rss_mib()
    peak = None
    if trace_memory:
        del dataset
        gc.collect()
        tracemalloc.start()
        dataset = hotline.load(path)
        peak = tracemalloc.get_traced_memory()[1] / MiB
        tracemalloc.stop()

    frame = generate_demo(rows, seed)  # the raw rows the file holds, for the naive baseline
    choices = choices_of(dataset)
    callbacks = _callbacks(dataset)
    aggregations = naive_aggregations(dataset.dimensions)
    queries = random_views(choices, updates, seed)

    # Warm up imports and one-time work (population table, observed values), untimed.
    full_update(dataset, choices, "", callbacks)
    naive_update(frame, Filters(), aggregations)
    express_update(frame, Filters(), aggregations, dataset.dimensions)

    update_ms, update_cpu_ms, naive_ms, express_ms, stage_runs, payloads = [], [], [], [], [], []
    compared = differ = 0
    cleared: list[str] = []
    for query in queries:
        view = view_from_store(query, choices)
        gc.collect()
        cleared = clear_query_caches(dataset)
        started, cpu_started = time.perf_counter(), time.process_time()
        stages = full_update(dataset, choices, query, callbacks)
        update_ms.append((time.perf_counter() - started) * 1000)
        update_cpu_ms.append((time.process_time() - cpu_started) * 1000)
        # Same update again with warm caches: the difference is the time spent in queries.
        warm = full_update(dataset, choices, query, callbacks)
        stage_runs.append(_stage_summary(stages, warm))
        payloads.append(stages["bytes"])

        started = time.perf_counter()
        naive = naive_update(frame, view.filters, aggregations)
        naive_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        express_update(frame, view.filters, aggregations, dataset.dimensions)
        express_ms.append((time.perf_counter() - started) * 1000)
        c, d = agreement(dataset, naive, view.filters, aggregations)
        compared, differ = compared + c, differ + d

    reference = naive_update(frame, Filters(), aggregations)["total"]
    return SizeResult(
        rows=rows,
        updates=updates,
        seed=seed,
        load_s=load_s,
        tracemalloc_peak_mib=peak,
        max_rss_mib=max_rss,
        rss_before_load_mib=rss_before,
        fresh_process=fresh_process,
        cube_rows=len(dataset.cube.counts),
        cube_mib=dataset.nbytes() / MiB,
        records=dataset.records,
        update_ms=update_ms,
        update_cpu_ms=update_cpu_ms,
        naive_ms=naive_ms,
        express_ms=express_ms,
        stage_ms={k: statistics.median(run[k] for run in stage_runs) for k in stage_runs[0]},
        payload_kib=statistics.median(payloads) / 1024,
        caches_cleared=cleared,
        cells_compared=compared,
        cells_differ=differ,
        total_real=int(dataset.aggregate([], Filters())["count"].iloc[0]),
        total_naive=int(reference),
        queries=queries,
    )


def _stage_summary(cold: dict[str, float], warm: dict[str, float]) -> dict[str, float]:
    """Milliseconds per stage of one update: queries (cold minus warm render), building, JSON, per panel."""
    ms = {"parse": cold["parse"] * 1000}
    ms["queries"] = sum(cold[k] - warm[k] for k in cold if k.startswith("render:")) * 1000
    ms["build"] = sum(warm[k] for k in warm if k.startswith("render:")) * 1000
    ms["json"] = sum(cold[k] for k in cold if k.startswith("json:")) * 1000
    for key in cold:
        if key.startswith("render:"):
            name = key.removeprefix("render:")
            ms[f"panel {name}"] = (cold[key] + cold[f"json:{name}"]) * 1000
    return ms


def _measure_in_child(rows: int, updates: int, seed: int, path: str) -> SizeResult:
    return measure_size(rows, updates, seed, path=path, fresh_process=True)


def run_sizes(sizes, updates: int, seed: int, *, in_process: bool = False, log=print) -> list[SizeResult]:
    results = []
    for rows in sizes:
        with tempfile.TemporaryDirectory(prefix="hotline-bench-") as directory:
            path = Path(directory) / f"signals-{rows}.parquet"
            started = time.perf_counter()
            write_signals(rows, seed, path)
            log(
                f"  {rows:>12,} signals: generated and wrote {path.stat().st_size / MiB:.1f} MiB of Parquet "
                f"in {time.perf_counter() - started:.1f} s; measuring ...",
                flush=True,
            )
            started = time.perf_counter()
            if in_process:
                result = measure_size(rows, updates, seed, path=path)
            else:
                # A fresh process per size: max RSS is then this load's, not an earlier size's.
                with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                    result = pool.submit(_measure_in_child, rows, updates, seed, str(path)).result()
            log(f"  {rows:>12,} signals: done in {time.perf_counter() - started:.1f} s", flush=True)
        results.append(result)
    return results


# --- report ------------------------------------------------------------------------------------


def machine() -> str:
    import dash
    import numba
    import plotly

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores{f' ({cpu})' if cpu else ''}, {platform.system()} {platform.machine()}; "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"pyarrow {pa.__version__}, plotly {plotly.__version__}, dash {dash.__version__}, numba {numba.__version__}"
    )


def report(results: list[SizeResult], command: str) -> str:
    lines = [
        "## Hotline Signals Dashboard: load and view-update benchmark",
        "",
        f"Machine: {machine()}",
        f"Command: `{command}`",
        "",
        "| signals | load s | peak MiB (tracemalloc) | max RSS MiB | cube rows | cube + pre-summed MiB "
        "| update median ms | update p95 ms | naive median ms | naive p95 ms | ratio naive/update (median) "
        "| pandas+px median ms | pandas+px p95 ms | ratio pandas+px/update (median) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        peak = "–" if r.tracemalloc_peak_mib is None else f"{r.tracemalloc_peak_mib:,.0f}"
        lines.append(
            f"| {r.rows:,} | {r.load_s:.2f} | {peak} | {r.max_rss_mib:,.0f} | {r.cube_rows:,} | {r.cube_mib:.1f} "
            f"| {r.update_median:.1f} | {r.update_p95:.1f} | {r.naive_median:.1f} | {r.naive_p95:.1f} "
            f"| {r.naive_median / r.update_median:.2f}x "
            f"| {r.express_median:.1f} | {r.express_p95:.1f} | {r.express_median / r.update_median:.2f}x |"
        )
    lines += [
        "",
        "Where an update's time goes (CPU: process time of the timed updates; the rest: median ms per "
        "update, wall clock; queries = cold minus warm-cache render; one column per panel callback, "
        "render + JSON):",
        "",
        "| signals | CPU median ms | CPU p95 ms | parse | queries | figures/components | JSON | payload KiB | "
        + " | ".join(k.removeprefix("panel ") for k in results[0].stage_ms if k.startswith("panel "))
        + " |",
        "|---:" * 8 + "|" + "---:|" * sum(k.startswith("panel ") for k in results[0].stage_ms),
    ]
    for r in results:
        s = r.stage_ms
        panels = " | ".join(f"{s[k]:.1f}" for k in s if k.startswith("panel "))
        lines.append(
            f"| {r.rows:,} | {statistics.median(r.update_cpu_ms):.1f} | {np.percentile(r.update_cpu_ms, 95):.1f} "
            f"| {s['parse']:.1f} | {s['queries']:.1f} | {s['build']:.1f} | {s['json']:.1f} "
            f"| {r.payload_kib:.0f} | {panels} |"
        )
    lines.append("")
    for r in results:
        if r.rows in TARGET_P95_MS:
            goal, p95 = TARGET_P95_MS[r.rows], r.update_p95
            lines.append(
                f"Target at {r.rows:,} signals: update p95 at most {goal:.0f} ms: "
                f"{'MET' if p95 <= goal else 'NOT MET'} ({p95:.1f} ms); "
                f"faster than pandas+px: {'yes' if r.express_median > r.update_median else 'NO'}."
            )
    first = results[0]
    lines += [
        "",
        "Notes:",
        f"- Updates: {first.updates} varied filter changes per size (seed {first.seed}: random year ranges, "
        "0-3 states or a region, 0-2 other dimensions, count or rate), plus one untimed warm-up.",
        "- One update = every panel drawn for a view (components/panels.py) without the cache of views: parse the "
        "store's query, render every panel (KPIs incl. cards, map, trend, "
        f"{len(breakdowns.BREAKDOWN_DIMENSIONS)} breakdowns, table, the charts' summaries with no table open) "
        "and serialize the Dash response with "
        "plotly.io.json.to_json_plotly. The rest of the view callback (URL, controls, chips) is not included.",
        f"- Cold queries: Dataset.clear_query_caches() ({', '.join(first.caches_cleared)}) before every timed update. "
        "Not cleared: what hotline.load builds with the cube and counts in its load time (the cube summed over "
        "months, and the pre-summed arrays of hotline/cuboids.py).",
        "- Naive baseline: boolean masks + groupby(observed=True).size() on the raw rows for the same "
        "aggregations (total, by year, by state, by year x type, each breakdown with its own filter removed). "
        "It builds no figures, no JSON, no suppression and no rates, so it is a LOWER BOUND for the naive "
        "approach; its ratio (above 1: the dashboard is faster) is therefore conservative.",
        "- Tutorial baseline (pandas+px): the same filtering and grouping of the raw rows, then the page's "
        "charts built with plotly express (a US choropleth, the trend by year and type, one bar chart per "
        "breakdown) plus the numbers table, serialized with Figure.to_json() on every update; still no "
        "suppression, perturbation, rates or summaries.",
        "- Load: hotline.load(path) from a temporary Parquet file written with pyarrow (read, validate, "
        "build cube). 'peak MiB' is the tracemalloc peak during a second load (Python and numpy heap; "
        "Arrow's own buffers are not traced). 'max RSS MiB' is resource.getrusage(RUSAGE_SELF).ru_maxrss "
        + (
            "right after the first load in a fresh process per size (process high-water mark; "
            f"{first.rss_before_load_mib:,.0f} MiB of it is the interpreter and imports before loading)."
            if first.fresh_process
            else "of this process so far (lifetime high-water mark, not the load's alone)."
        ),
        "- p95: numpy.percentile(..., 95), linear interpolation.",
    ]
    checks = ", ".join(
        f"{r.rows:,}: {r.cells_compared:,} cells, {r.cells_differ} differ, totals {r.total_real:,}/{r.total_naive:,}"
        for r in results
    )
    lines.append(f"- Check, naive vs Dataset.aggregate on every shown cell of every update ({checks}).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        nargs="+",
        default=[",".join(str(s) for s in DEFAULT_SIZES)],
        help="signal counts, separated by spaces or commas (default: %(default)s)",
    )
    parser.add_argument(
        "--updates", type=int, default=DEFAULT_UPDATES, help="view updates per size (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="seed for data and views (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100,000 signals, 10 updates")
    parser.add_argument("--in-process", action="store_true", help="measure every size in this process")
    parser.add_argument("--json", type=Path, help="also write the raw results to this JSON file")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for part in args.sizes for s in part.split(",") if s.strip()]
    updates = args.updates
    if args.quick:
        sizes, updates = [100_000], 10
    if not sizes or min(sizes) <= 0 or updates <= 0:
        parser.error("sizes and updates must be positive")

    command = "python -m benchmarks.run" + (
        "" if not argv and len(sys.argv) <= 1 else " " + shlex.join(sys.argv[1:] if argv is None else argv)
    )
    print(
        f"Benchmarking {', '.join(f'{s:,}' for s in sizes)} signals, {updates} updates each, seed {args.seed}",
        flush=True,
    )
    results = run_sizes(sizes, updates, args.seed, in_process=args.in_process)
    print()
    print(report(results, command))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"command": command, "machine": machine(), "results": [asdict(r) for r in results]}
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
