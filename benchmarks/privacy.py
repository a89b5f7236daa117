"""How well the published numbers protect small counts, and what protecting them costs.

    python -m benchmarks.privacy [--attacks N] [--seed S]

Prints (1) the attack suite's success rates on the demo data, with perturbation on and with
`--privacy exact` as the control, next to the rate of guessing within the published range; (2) the
utility table: the change of shown cells by size band, on the demo data and on the real UNODC GLOTIP
table (where ../shared/data is present), and the demo's national yearly totals next to the
published calibration figures.

The attacks use only what a visitor can get: the published total of a view (the KPI "Signals",
`Dataset.aggregate([])`) and the charts of one view. The true counts, read from the same data with
perturbation and suppression off, only grade the guesses.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

import hotline
from hotline.filters import DIMENSION_FIELD, Filters

ROOT = Path(__file__).resolve().parent.parent
GLOTIP = ROOT.parent / "shared" / "data" / "unodc-glotip-2025" / "data_glotip.csv"
CALIBRATION = ROOT.parent / "shared" / "data" / "nhtrc-polaris-published-figures" / "nhtrc_published_figures.csv"
BANDS = ((10, 99), (100, 999), (1000, None))


@dataclass
class AttackResult:
    kind: str
    attempts: int
    exact: int  # guesses equal to the true count
    baseline: float  # the success rate of guessing within the published range

    @property
    def rate(self) -> float:
        return self.exact / self.attempts if self.attempts else 0.0


def published_total(dataset: hotline.Dataset, filters: Filters) -> int | None:
    """The view's headline number as the page shows it; None where it reads "fewer than ..."."""
    row = dataset.aggregate([], filters).iloc[0]
    return None if row["suppressed"] else int(row["count"])


def _with(filters: Filters, dimension: str, values) -> Filters:
    if dimension == "year":
        return replace(filters, years=(min(values), max(values)))
    return replace(filters, **{DIMENSION_FIELD[dimension]: tuple(values)})


def _random_base(dataset: hotline.Dataset, rng: random.Random, dimension: str) -> Filters:
    """A plausible view to attack from: one year, and maybe a type and a demographic."""
    first, last = dataset.years
    filters = Filters(years=(rng.randint(first, last),) * 2) if dimension != "year" else Filters()
    for other in ("trafficking_type", "gender", "age_group", "citizenship"):
        if other != dimension and other in dataset.dimensions and rng.random() < 0.4:
            filters = _with(filters, other, [rng.choice(dataset.values(other))])
    return filters


def differencing_attacks(dataset: hotline.Dataset, truth: hotline.Dataset, attempts: int, seed: int = 0):
    """Pairs and triples of views that differ by one filter value, aimed at a hidden count.

    Pair: view A selects the hidden value s and a partner t, view B only t; the guess is A - B.
    Triple: the same two views and the view of s alone, which says "fewer than min_cell": the guess is
    A - B moved into that published range. The baseline guesses uniformly within 1..min_cell-1 (pair)
    and within the range that all three published numbers allow (triple).
    """
    rng = random.Random(seed)
    dimensions = [d for d in ("state", "year", "trafficking_type", "gender", "age_group", "citizenship", "method",
                              "caller") if d in dataset.dimensions]
    top = dataset.min_cell - 1
    d = dataset.perturbation.max_change if dataset.perturbation else 0
    pair = AttackResult("pair (A - B)", 0, 0, 1 / top)
    triple = AttackResult("triple (A - B within 'fewer than 10')", 0, 0, 0.0)
    baseline_sum = 0.0
    tries = 0
    while pair.attempts < attempts and tries < attempts * 50:
        tries += 1
        dimension = rng.choice(dimensions)
        base = _random_base(dataset, rng, dimension)
        counts = truth.aggregate([dimension], base)
        small = counts[(counts["count"] > 0) & (counts["count"] <= top)]
        large = counts[counts["count"] >= dataset.min_cell * 3]
        if small.empty or large.empty:
            continue
        target = small.sample(1, random_state=rng.randrange(2**31)).iloc[0]
        partner = large.sample(1, random_state=rng.randrange(2**31)).iloc[0]
        s, t, true_count = target[dimension], partner[dimension], int(target["count"])
        if dimension == "year" and abs(int(s) - int(t)) != 1:
            continue  # a year range must stay contiguous: the partner is the next year
        both = published_total(dataset, _with(base, dimension, [s, t]))
        alone = published_total(dataset, _with(base, dimension, [t]))
        if both is None or alone is None:
            continue
        guess = both - alone
        pair.attempts += 1
        pair.exact += guess == true_count
        low, high = max(1, guess - 2 * d), min(top, guess + 2 * d)
        triple.attempts += 1
        triple.exact += min(max(guess, 1), top) == true_count
        baseline_sum += 1 / max(1, high - low + 1)
    triple.baseline = baseline_sum / triple.attempts if triple.attempts else 0.0
    return [pair, triple]


def averaging_attack(dataset: hotline.Dataset, truth: hotline.Dataset, partners: int, attempts: int, seed: int = 0):
    """The strongest differencing: the mean of A - B over several partners t for the same hidden state."""
    rng = random.Random(seed)
    result = AttackResult(f"mean of {partners} pairs", 0, 0, 1 / (dataset.min_cell - 1))
    first, last = dataset.years
    for _ in range(attempts * 20):
        if result.attempts >= attempts:
            break
        base = Filters(years=(rng.randint(first, last),) * 2)
        counts = truth.aggregate(["state"], base)
        small = counts[(counts["count"] > 0) & (counts["count"] < dataset.min_cell)]
        large = counts[counts["count"] >= dataset.min_cell * 3]
        if small.empty or len(large) < partners:
            continue
        target = small.sample(1, random_state=rng.randrange(2**31)).iloc[0]
        guesses = []
        for t in large.sample(partners, random_state=rng.randrange(2**31))["state"]:
            both = published_total(dataset, _with(base, "state", [target["state"], t]))
            alone = published_total(dataset, _with(base, "state", [t]))
            if both is not None and alone is not None:
                guesses.append(both - alone)
        if not guesses:
            continue
        guess = min(max(round(float(np.mean(guesses))), 1), dataset.min_cell - 1)
        result.attempts += 1
        result.exact += guess == int(target["count"])
    return result


def within_view_attacks(dataset: hotline.Dataset, truth: hotline.Dataset, attempts: int, seed: int = 0):
    """One view's total minus the shown bars of one of its charts: the sum of that chart's hidden bars."""
    rng = random.Random(seed)
    result = AttackResult("within one view (total - shown bars)", 0, 0, 0.0)
    dimensions = [d for d in ("state", "trafficking_type", "gender", "age_group", "citizenship", "method", "caller")
                  if d in dataset.dimensions]
    baseline_sum = 0.0
    for _ in range(attempts * 20):
        if result.attempts >= attempts:
            break
        dimension = rng.choice(dimensions)
        filters = _random_base(dataset, rng, dimension)
        shown = dataset.aggregate([dimension], filters)
        hidden = shown["suppressed"]
        total = published_total(dataset, filters)
        if total is None or not hidden.any():
            continue
        true = truth.aggregate([dimension], filters).set_index(dimension)["count"]
        true_hidden = int(true[list(shown.loc[hidden, dimension])].sum())
        guess = total - int(shown.loc[~hidden, "count"].sum())
        result.attempts += 1
        result.exact += guess == true_hidden
        baseline_sum += 1 / (int(hidden.sum()) * (dataset.min_cell - 1))
    result.baseline = baseline_sum / result.attempts if result.attempts else 0.0
    return result


# --- utility ------------------------------------------------------------------------------------------------
def utility(dataset: hotline.Dataset, truth: hotline.Dataset) -> list[tuple[str, int, float, int]]:
    """(band, shown cells, mean |change|, max |change|) over the cells of the page's usual groupings."""
    groupings = [[dataset.geography], ["year"], ["year", "trafficking_type"]]
    groupings += [[d] for d in ("trafficking_type", "gender", "age_group", "citizenship", "method", "caller")
                  if d in dataset.dimensions]
    groupings += [[dataset.geography, "year"], [dataset.geography, "trafficking_type"]]
    changes = []
    for by in groupings:
        if not all(d in dataset.dimensions for d in by):
            continue
        shown = dataset.aggregate(by)
        true = truth.aggregate(by)
        keep = ~shown["suppressed"].to_numpy()
        changes.append(
            pd.DataFrame({"true": true["count"].to_numpy()[keep], "shown": shown["count"].to_numpy()[keep]})
        )
    cells = pd.concat(changes)
    cells["change"] = (cells["shown"] - cells["true"]).abs()
    rows = []
    for low, high in BANDS:
        band = cells[(cells["true"] >= low) & ((cells["true"] <= high) if high else True)]
        label = f"{low:,}-{high:,}" if high else f"{low:,}+"
        if len(band):
            rows.append((label, len(band), float(band["change"].astype(float).mean()), int(band["change"].max())))
        else:
            rows.append((label, 0, float("nan"), 0))
    return rows


def calibration_rows(dataset: hotline.Dataset) -> list[tuple]:
    """(year, shown signals, published signals, shown calls, published calls) for the demo data."""
    published: dict[tuple[int, str], int] = {}
    if CALIBRATION.exists():
        figures = pd.read_csv(CALIBRATION, dtype=str)
        national = figures[(figures["geography"] == "US") & figures["period"].str.fullmatch(r"\d{4}")]
        for period, metric, value in zip(national["period"], national["metric"], national["value"]):
            name = "signals" if metric.startswith("signals_total") else metric
            published.setdefault((int(period), name), int(float(value)))
    totals = dataset.aggregate(["year"])
    calls = dataset.aggregate(["year"], Filters(methods=("call",))).set_index("year")["count"]
    return [
        (int(y), int(c), published.get((int(y), "signals")), int(calls[y]), published.get((int(y), "calls")))
        for y, c in zip(totals["year"], totals["count"])
    ]


def _print_attacks(dataset, truth, attempts: int, seed: int) -> None:
    control = hotline.load_demo(min_cell=dataset.min_cell, perturbation=None)  # what --privacy exact publishes
    for name, data in (("cell-key perturbation (default)", dataset), ("--privacy exact (control)", control)):
        print(f"\nAttacks on the demo data, {name}: {data.perturbation.label if data.perturbation else 'no noise'}")
        results = [*differencing_attacks(data, truth, attempts, seed), averaging_attack(data, truth, 4, attempts // 4, seed)]
        results.append(within_view_attacks(data, truth, attempts, seed))
        print(f"  {'attack':44} {'tries':>6} {'exact':>6} {'rate':>7} {'guessing':>9}")
        for r in results:
            print(f"  {r.kind:44} {r.attempts:6d} {r.exact:6d} {r.rate:7.1%} {r.baseline:9.1%}")


def _maybe(number: int | None) -> str:
    return f"{number:,}" if number is not None else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attacks", type=int, default=400, help="attempts per attack kind (default 400)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    demo = hotline.load_demo()
    truth = hotline.load_demo(min_cell=1, perturbation=None)
    print(f"Perturbation table {demo.perturbation.label}: P(change) for -D..D =",
          " ".join(f"{p:.3f}" for p in demo.perturbation.probabilities()))
    _print_attacks(demo, truth, args.attacks, args.seed)
    tables = [("demo data", demo, truth)]
    if GLOTIP.exists():
        tables.append(("UNODC GLOTIP", hotline.load(GLOTIP), hotline.load(GLOTIP, min_cell=1, perturbation=None)))
    else:
        print("\n(UNODC GLOTIP table not found at ../shared/data: skipped)")
    for name, data, exact in tables:
        print(f"\nUtility on the {name}: change of shown cells by true size")
        print(f"  {'band':12} {'cells':>7} {'mean |change|':>14} {'max |change|':>13}")
        for band, n, mean, most in utility(data, exact):
            print(f"  {band:12} {n:7d} {mean:14.2f} {most:13d}")
    print("\nDemo national totals by year, shown (perturbed) next to the published figures they are calibrated to")
    print(f"  {'year':4}  {'signals':>8} {'published':>9}  {'calls':>8} {'published':>9}")
    for year, signals, published_signals, calls, published_calls in calibration_rows(demo):
        print(f"  {year}  {signals:8,} {_maybe(published_signals):>9}  {calls:8,} {_maybe(published_calls):>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
