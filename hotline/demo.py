"""Deterministic synthetic demo signals, shaped like the national hotline's published figures.

The dashboard ships with, and starts on, this dataset, so every screen has something realistic to
show without real victim data. Yearly totals, signal methods, trafficking types and the share of
victim/survivor callers follow the published figures in data/demo_calibration.csv; everything the
hotline does not publish (victim gender, age and citizenship, other callers, months, states) uses
plausible assumptions documented in data/SOURCES.md. It is never real data: see DEMO_SOURCE_LABEL.

Run as `python -m hotline.demo --rows N --seed S --out PATH.parquet|PATH.csv`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from hotline import schema
from hotline.geography import STATES
from hotline.population import population_for
from hotline.schema import AGE_GROUPS, CALLERS, CITIZENSHIPS, GENDERS, METHODS

# The national hotline publishes these four types; "other exploitation" is a global-data category.
TRAFFICKING_TYPES = ("sex", "labor", "sex_and_labor", "not_specified")

DEMO_SOURCE_LABEL = "Synthetic demo data (not real hotline records)"
DEMO_SEED = 2014
DEMO_YEARS = range(2012, 2024)
DEFAULT_DEMO_ROWS = 487_736  # the calibrated national total over DEMO_YEARS (tests check it)
CALIBRATION_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_calibration.csv"

# --- Assumptions where nothing is published (see data/SOURCES.md) ------------------------------

# Texts (the BeFree textline) were reported apart from NHTRC signals until 2016 and web chat had not
# started, so 2016 keeps 2015's mix; from there the mix moves linearly to the Texas 2023 mix.
LAST_YEAR_WITHOUT_TEXTS = 2016
UNKNOWN_METHOD_SHARE = 0.005
UNKNOWN_CALLER_SHARE = 0.08
# Non-victim callers share what victims/survivors and unknown leave, in these proportions.
OTHER_CALLER_WEIGHTS = {
    "community_member": 0.40,
    "family_friend": 0.15,
    "law_enforcement": 0.08,
    "service_provider": 0.22,
    "other": 0.15,
}
# Rows: TRAFFICKING_TYPES; columns: GENDERS / AGE_GROUPS / CITIZENSHIPS.
GENDER_BY_TYPE = np.array(
    [
        [0.80, 0.06, 0.02, 0.12],  # sex: mostly female
        [0.38, 0.44, 0.005, 0.175],  # labor: more male
        [0.62, 0.18, 0.02, 0.18],  # sex and labor
        [0.45, 0.15, 0.01, 0.39],  # not specified: little is known
    ]
)
AGE_BY_TYPE = np.array(
    [
        [0.50, 0.30, 0.20],  # sex: more minors
        [0.72, 0.07, 0.21],
        [0.55, 0.20, 0.25],
        [0.35, 0.15, 0.50],
    ]
)
CITIZENSHIP_BY_TYPE = np.array(
    [
        [0.45, 0.15, 0.40],
        [0.15, 0.55, 0.30],  # labor: more foreign nationals
        [0.30, 0.40, 0.30],
        [0.20, 0.15, 0.65],
    ]
)
# After the last published national total (2020): growth continues at half the 2016-2020 rate,
# because signals kept rising as texts and web chat spread (the Texas 2023 mix) but a doubling
# every five years cannot last. The years up to 2020 do not depend on this (see generate_demo).
LAST_PUBLISHED_TOTAL_YEAR = 2020
EXTRAPOLATED_GROWTH = 0.5

# Mild seasonality: a summer high, and a January bump (National Slavery and Human Trafficking
# Prevention Month brings awareness campaigns).
_MONTHS = np.arange(1, 13)
MONTH_WEIGHTS = 1 + 0.06 * np.cos(2 * np.pi * (_MONTHS - 7) / 12) + 0.08 * (_MONTHS == 1)
# States with large metro areas, transit hubs or an international border get more signals per
# person; every state also gets a seeded random factor, all kept within STATE_FACTOR_RANGE.
HUB_STATES = ("AZ", "CA", "DC", "FL", "GA", "IL", "NM", "NV", "NY", "TX")
HUB_FACTOR = 1.5
STATE_FACTOR_RANGE = (0.5, 2.0)
PUERTO_RICO_FACTOR = 0.3
# Guam and the U.S. Virgin Islands have no population in the reference table: a fixed tiny share.
FIXED_TERRITORY_SHARES = {"GU": 0.00025, "VI": 0.00025}


def load_calibration() -> pd.DataFrame:
    """The published figures the demo is calibrated to: columns year, metric, value, source."""
    return pd.read_csv(CALIBRATION_FILE)


def yearly_targets(calibration: pd.DataFrame | None = None) -> pd.DataFrame:
    """Calibrated targets per year of DEMO_YEARS, derived from the published figures.

    Columns: `signals` (national total), `method_<m>` for each of METHODS, `type_<t>` for each of
    TRAFFICKING_TYPES (shares summing to 1 within each group) and `caller_<c>` for each of CALLERS.
    Shares are interpolated linearly between published years and held constant beyond them.
    Totals: published where available; calls divided by that year's call share where only calls
    are published; geometric growth from 2016 to the published 2020 total; after 2020, growth at
    EXTRAPOLATED_GROWTH of that rate (an assumption: nothing national is published for those years).
    """
    cal = load_calibration() if calibration is None else calibration
    fig = {(int(y), m): float(v) for y, m, v in cal[["year", "metric", "value"]].itertuples(index=False)}
    years = np.array(DEMO_YEARS)

    methods = _interpolate(_method_anchors(fig), years)
    methods = np.column_stack([methods * (1 - UNKNOWN_METHOD_SHARE), np.full(len(years), UNKNOWN_METHOD_SHARE)])
    types = _interpolate(_type_anchors(fig), years)
    victim = _interpolate(_victim_share_anchors(fig), years)[:, 0]
    others = np.array(list(OTHER_CALLER_WEIGHTS.values())) / sum(OTHER_CALLER_WEIGHTS.values())
    rest = 1 - victim - UNKNOWN_CALLER_SHARE
    callers = np.column_stack([victim, rest[:, None] * others, np.full(len(years), UNKNOWN_CALLER_SHARE)])
    signals = _yearly_signals(fig, years, call_share=methods[:, METHODS.index("call")])

    frame = pd.DataFrame({"signals": signals}, index=pd.Index(years, name="year"))
    for prefix, names, shares in (
        ("method", METHODS, methods),
        ("type", TRAFFICKING_TYPES, types),
        ("caller", CALLERS, callers),
    ):
        frame[[f"{prefix}_{n}" for n in names]] = shares
    return frame


def _method_anchors(fig: dict[tuple[int, str], float]) -> dict[int, np.ndarray]:
    """Known method mixes (METHODS order, without unknown): 2014, 2015, 2016 as 2015, Texas 2023."""

    def mix(calls: float, texts: float, chats: float, emails: float, tips: float) -> np.ndarray:
        counts = np.array([calls, texts, chats, emails, tips])
        return counts / counts.sum()

    anchors = {
        year: mix(fig[year, "calls"], 0, 0, fig[year, "emails"], fig[year, "webforms_online_tips"])
        for year in (2014, 2015)
    }
    anchors[LAST_YEAR_WITHOUT_TEXTS] = anchors[2015]
    anchors[2023] = mix(
        *(fig[2023, f"texas_{m}"] for m in ("calls", "texts_sms", "webchats", "emails", "webforms_online_tips"))
    )
    return anchors


def _type_anchors(fig: dict[tuple[int, str], float]) -> dict[int, np.ndarray]:
    """Case shares by type; 2018 publishes sex and labor only, the rest is split as in 2016."""

    def shares(year: int) -> np.ndarray:
        counts = np.array([fig[year, f"cases_{t}"] for t in TRAFFICKING_TYPES])
        return counts / counts.sum()

    anchors = {2014: shares(2014), 2016: shares(2016)}
    sex, labor = fig[2018, "cases_sex"], fig[2018, "cases_labor"]
    rest = fig[2018, "cases"] - sex - labor
    split = anchors[2016][2:] / anchors[2016][2:].sum()
    anchors[2018] = np.concatenate([[sex, labor], rest * split]) / fig[2018, "cases"]
    return anchors


def _victim_share_anchors(fig: dict[tuple[int, str], float]) -> dict[int, np.ndarray]:
    """Share of signals from victims/survivors: their calls / all calls, and Texas 2023 signals."""
    anchors = {
        year: np.array([fig[year, "victim_survivor_calls"] / fig[year, "calls"]]) for year in (2012, 2013, 2014, 2016)
    }
    anchors[2023] = np.array([fig[2023, "texas_signals_from_victims_survivors"] / fig[2023, "texas_signals_total"]])
    return anchors


def _yearly_signals(fig: dict[tuple[int, str], float], years: np.ndarray, call_share: np.ndarray) -> np.ndarray:
    """National signal totals per year, rounded to whole signals (see yearly_targets)."""
    known: dict[int, float] = {}
    for i, year in enumerate(years):
        year = int(year)
        if (year, "signals_total") in fig:
            known[year] = fig[year, "signals_total"]
        elif (year, "signals_total_substantive") in fig:
            known[year] = fig[year, "signals_total_substantive"]
        elif (year, "emails") in fig:
            known[year] = fig[year, "calls"] + fig[year, "emails"] + fig[year, "webforms_online_tips"]
        elif (year, "calls") in fig:
            known[year] = fig[year, "calls"] / call_share[i]
    last_before, first_after = max(y for y in known if y < 2020), 2020
    growth = (known[first_after] / known[last_before]) ** (1 / (first_after - last_before))
    totals = []
    for year in years:
        year = int(year)
        if year in known:
            totals.append(known[year])
        elif year < first_after:
            totals.append(known[last_before] * growth ** (year - last_before))
        else:
            slower = 1 + (growth - 1) * EXTRAPOLATED_GROWTH
            totals.append(known[first_after] * slower ** (year - first_after))
    return np.round(totals)


def _interpolate(anchors: dict[int, np.ndarray], years: np.ndarray) -> np.ndarray:
    """Linear interpolation of share vectors between anchor years, constant outside; rows sum to 1."""
    anchor_years = sorted(anchors)
    table = np.array([anchors[y] for y in anchor_years])
    out = np.column_stack([np.interp(years, anchor_years, table[:, k]) for k in range(table.shape[1])])
    return out / out.sum(axis=1, keepdims=True) if out.shape[1] > 1 else out


def _state_weights(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    """Probability of each state (STATES order) per year: population x a per-state factor."""
    low, high = STATE_FACTOR_RANGE
    factor = np.exp(rng.uniform(np.log(0.7), np.log(1.4), size=len(STATES)))
    factor *= np.where(np.isin(STATES, HUB_STATES), HUB_FACTOR, 1.0)
    factor = np.clip(factor, low, high)
    factor[STATES.index("PR")] = PUERTO_RICO_FACTOR

    pop = population_for(STATES, years).pivot(index="year", columns="state", values="population")
    pop = pop.reindex(columns=list(STATES)).fillna(0).to_numpy(dtype=float)
    weights = pop * factor
    weights *= (1 - sum(FIXED_TERRITORY_SHARES.values())) / weights.sum(axis=1, keepdims=True)
    for code, share in FIXED_TERRITORY_SHARES.items():
        weights[:, STATES.index(code)] = share
    return weights


def _rows_per_year(rows: int, targets: np.ndarray) -> np.ndarray:
    """Split `rows` over the years in proportion to the targets (largest remainder, exact sum)."""
    exact = rows * targets / targets.sum()
    counts = np.floor(exact).astype(np.int64)
    shortfall = rows - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:shortfall]] += 1
    return counts


def _draw(rng: np.random.Generator, probabilities: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """One category code per row, row i drawn from probabilities[groups[i]], fully vectorized.

    Stacks each group's cumulative distribution shifted by its group number into one sorted array,
    so a single searchsorted of (uniform + group) finds every row's category at once.
    """
    cumulative = np.cumsum(probabilities / probabilities.sum(axis=1, keepdims=True), axis=1)
    cumulative[:, -1] = 1.0
    n_groups, n_values = cumulative.shape
    stacked = (cumulative + np.arange(n_groups)[:, None]).ravel()
    groups = groups.astype(np.int64)
    codes = np.searchsorted(stacked, rng.random(len(groups)) + groups, side="right") - groups * n_values
    return np.minimum(codes, n_values - 1).astype(np.int8)


def _categorical(codes: np.ndarray, values: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=pd.Index(values, dtype="str"))


def generate_demo(rows: int = DEFAULT_DEMO_ROWS, seed: int = DEMO_SEED) -> pd.DataFrame:
    """`rows` synthetic signals, one per row, 2012-2023, in the canonical schema (no count column).

    At DEFAULT_DEMO_ROWS the yearly totals equal the calibrated targets; any other size scales all
    years proportionally. Dimensions are pandas Categoricals with the canonical categories, `year`
    is int16 and `month` int8. The same rows and seed always give the same frame.

    The years up to LAST_PUBLISHED_TOTAL_YEAR are drawn from the random stream exactly as the demo
    first shipped them (when later years were held flat at the 2020 total), so their rows are
    unchanged; the extrapolated years are drawn after them from a stream of their own.
    """
    if rows < 0:
        raise ValueError(f"rows must be >= 0, got {rows}")
    rng = np.random.default_rng(seed)
    years = np.array(DEMO_YEARS)
    targets = yearly_targets()
    state_weights = _state_weights(rng, years)
    per_year = _rows_per_year(rows, targets["signals"].to_numpy())
    published = years <= LAST_PUBLISHED_TOTAL_YEAR
    # As first shipped: the later years at the 2020 count. Only the stream's length matters here;
    # those padding rows are dropped.
    first_shipped = np.where(published, per_year, per_year[published][-1] if published.any() else 0)
    kept = int(per_year[published].sum())
    early = _draw_rows(rng, years, np.repeat(np.arange(len(years)), first_shipped), targets, state_weights)
    later_index = np.repeat(np.arange(len(years)), np.where(published, 0, per_year))
    later = _draw_rows(np.random.default_rng([seed, LAST_PUBLISHED_TOTAL_YEAR]), years, later_index, targets, state_weights)
    return pd.concat([early.iloc[:kept], later], ignore_index=True)


def _draw_rows(
    rng: np.random.Generator, years: np.ndarray, year_index: np.ndarray, targets: pd.DataFrame, state_weights: np.ndarray
) -> pd.DataFrame:
    """One row per entry of `year_index` (positions in `years`), each dimension drawn in a fixed order."""

    def shares(prefix: str, names: tuple[str, ...]) -> np.ndarray:
        return targets[[f"{prefix}_{n}" for n in names]].to_numpy()

    type_codes = _draw(rng, shares("type", TRAFFICKING_TYPES), year_index)
    return pd.DataFrame(
        {
            "year": years[year_index].astype(np.int16),
            "month": (_draw(rng, MONTH_WEIGHTS[None, :], np.zeros_like(year_index)) + 1).astype(np.int8),
            "state": _categorical(_draw(rng, state_weights, year_index), STATES),
            "trafficking_type": pd.Categorical(
                _categorical(type_codes, TRAFFICKING_TYPES), categories=pd.Index(schema.TRAFFICKING_TYPES, dtype="str")
            ),
            "gender": _categorical(_draw(rng, GENDER_BY_TYPE, type_codes), GENDERS),
            "age_group": _categorical(_draw(rng, AGE_BY_TYPE, type_codes), AGE_GROUPS),
            "citizenship": _categorical(_draw(rng, CITIZENSHIP_BY_TYPE, type_codes), CITIZENSHIPS),
            "method": _categorical(_draw(rng, shares("method", METHODS), year_index), METHODS),
            "caller": _categorical(_draw(rng, shares("caller", CALLERS), year_index), CALLERS),
        }
    )


def write_demo(frame: pd.DataFrame, path: Path) -> None:
    """Write Parquet (zstd, dictionary-encoded categoricals) or CSV, chosen by the file suffix."""
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False, compression="zstd")
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        raise ValueError(f"output must end in .parquet or .csv, got {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hotline.demo", description=f"Write {DEMO_SOURCE_LABEL.lower()}.")
    parser.add_argument("--rows", type=int, default=DEFAULT_DEMO_ROWS, help="number of signals (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed (default: %(default)s)")
    parser.add_argument("--out", type=Path, required=True, help="output file, .parquet or .csv")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    frame = generate_demo(args.rows, args.seed)
    generated = time.perf_counter() - started
    write_demo(frame, args.out)
    size_mb = args.out.stat().st_size / 1e6
    print(
        f"{len(frame):,} synthetic demo signals, {DEMO_YEARS[0]}-{DEMO_YEARS[-1]}, seed {args.seed}: "
        f"generated in {generated:.1f} s, wrote {args.out} ({size_mb:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s total"
    )


if __name__ == "__main__":
    main()
