"""The benchmark measures something real: a tiny run has timings, and naive and cube numbers agree."""

import math
import subprocess
import sys
from pathlib import Path

from benchmarks import load
from benchmarks.run import measure_size, report


def test_small_benchmark_run_measures_real_updates():
    result = measure_size(20_000, updates=3, seed=3, trace_memory=False)

    assert result.records == 20_000 and result.cube_rows > 0
    assert result.load_s > 0
    assert len(result.update_ms) == len(result.naive_ms) == len(result.express_ms) == len(result.queries) == 3
    assert all(ms > 0 and math.isfinite(ms) for ms in result.update_ms + result.naive_ms + result.express_ms)
    assert result.payload_kib > 1  # every panel was rendered and serialized
    assert "aggregate" in result.caches_cleared  # updates were cold, not cache hits
    # The naive baseline counts the same signals as the dataset: the grand total, and every shown cell.
    # The dashboard publishes the total perturbed (cell-key method): within D of the true 20,000.
    assert result.total_naive == 20_000 and abs(result.total_real - 20_000) <= 5
    assert result.cells_compared > 0 and result.cells_differ == 0
    assert "| 20,000 |" in report([result], "python -m benchmarks.run --sizes 20000 --updates 3")


def test_a_short_crowd_on_two_servers_gets_every_answer_and_shares_the_cache():
    """benchmarks/load.py end to end, as its command: two gunicorn servers and one redis-server on
    127.0.0.1, both mixes. (Its own process: the browser tests' Playwright holds this one's event loop.)"""
    command = [sys.executable, "-m", "benchmarks.load", "--duration", "3", "--users", "4", "--servers", "2"]
    run = subprocess.run(command, cwd=Path(load.__file__).parents[1], capture_output=True, text=True, timeout=300)
    out = run.stdout
    assert run.returncode == 0, run.stderr[-3000:]
    assert "server 2 read it from Redis" in out
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in out.splitlines() if line.startswith("| press day") or line.startswith("| all different")]
    assert [row[0] for row in rows] == ["press day", "all different"], out
    for _mix, users, per_second, p50, p95, p99, interactions, requests, errors, resets, timeouts, rss in rows:
        assert users == "4" and float(per_second) > 0 and 0 < float(p50) <= float(p95) <= float(p99), out
        assert int(interactions.replace(",", "")) > 4, out  # more than each user's first visit
        # One request per interaction, and a page's three (its HTML, layout and dependencies) per visit.
        assert int(interactions.replace(",", "")) < int(requests.replace(",", "")) < 2 * int(interactions.replace(",", "")), out
        assert (errors, resets, timeouts) == ("0", "0", "0"), out
        assert len(rss.split(",")) == 4  # two workers on each of the two servers
