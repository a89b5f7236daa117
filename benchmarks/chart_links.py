"""What a chart's address costs: /chart/<name>.<format> and /embed/<name> on the demo data.

    python -m benchmarks.chart_links [--repeat N]

Prints the median server time of each address through Flask's test client: a PNG and an SVG drawn
by kaleido (a cold draw starts a Chromium), the same PNG again (from the image cache, the query's
parameters in another order), and the CSV, Excel, figure JSON and embed page (computed each time;
the Dataset's own query cache is warm after the first). Baseline: the cold PNG.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("HOTLINE_EXPORT_RATE_LIMIT", "1000000 per minute")  # a benchmark is one busy client

import app as app_module  # noqa: E402
import hotline  # noqa: E402

ADDRESSES = [
    ("PNG, cold (kaleido)", "/chart/trend.png?state=TX&type=labor", 1),
    ("PNG, cached", "/chart/trend.png?type=labor&state=TX", None),
    ("SVG, cold (kaleido)", "/chart/gender.svg?state=TX&type=labor", 1),
    ("CSV", "/chart/trend.csv?state=TX&type=labor", None),
    ("Excel", "/chart/trend.xlsx?state=TX&type=labor", None),
    ("figure JSON", "/chart/map.json?state=TX&type=labor", None),
    ("embed page", "/embed/trend?state=TX&type=labor", None),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chart_links")
    parser.add_argument("--repeat", type=int, default=20, help="requests per address (cold draws: 1)")
    args = parser.parse_args(argv)
    client = app_module.create_app(hotline.load_demo()).server.test_client()
    print("| address | requests | median ms | bytes |\n|---|---:|---:|---:|")
    baseline = None
    for label, address, times in ADDRESSES:
        spent, size = [], 0
        for _ in range(times or args.repeat):
            started = time.perf_counter()
            response = client.get(address)
            spent.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (address, response.status_code)
            size = len(response.data)
        median = statistics.median(spent)
        baseline = baseline or median
        print(f"| {label} `{address}` | {len(spent)} | {median:,.1f} ({median / baseline:.3f}x cold PNG) | {size:,} |")


if __name__ == "__main__":
    main()
