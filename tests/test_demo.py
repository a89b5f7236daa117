"""Synthetic demo data: calibration to the published figures, canonical values, determinism."""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hotline.demo import (
    DEFAULT_DEMO_ROWS,
    DEMO_SEED,
    generate_demo,
    load_calibration,
    main,
    yearly_targets,
)
from hotline.geography import STATES
from hotline.schema import CATEGORY_VALUES

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "demo_signals.parquet"
PUBLISHED = ROOT / ".." / "shared" / "data" / "nhtrc-polaris-published-figures" / "nhtrc_published_figures.csv"
DIMENSIONS = {"state": STATES, **CATEGORY_VALUES}


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return generate_demo(DEFAULT_DEMO_ROWS, DEMO_SEED)


def _share(frame: pd.DataFrame, column: str, value: str) -> float:
    return float((frame[column] == value).mean())


def test_default_size_is_the_calibrated_total():
    targets = yearly_targets()
    assert DEFAULT_DEMO_ROWS == targets["signals"].sum() == 487_736
    assert targets.loc[2014, "signals"] == 24_062
    assert targets.loc[2020, "signals"] == 51_667


def test_years_after_2020_grow_at_the_stated_extrapolation(demo):
    per_year = demo.groupby("year").size()
    growth_2016_2020 = (per_year[2020] / per_year[2016]) ** (1 / 4) - 1
    for year in (2021, 2022, 2023):
        assert per_year[year] / per_year[year - 1] - 1 == pytest.approx(growth_2016_2020 / 2, abs=0.002), year


def test_rows_up_to_2020_are_those_first_shipped(demo):
    """Figures quoted from the demo's earlier years (issues, the privacy reproduction) keep holding."""
    early = demo[demo["year"] <= 2020]
    digest = hashlib.sha256(early.astype(str).to_csv(index=False).encode()).hexdigest()
    assert len(early) == 309_542
    assert digest == "8d75b95cf23276e365424547a0c7f63030829daab91877f74c917229190d7b2e"


def test_yearly_totals_match_calibration(demo):
    per_year = demo.groupby("year").size()
    targets = yearly_targets()["signals"]
    assert per_year.index.tolist() == list(range(2012, 2024))
    assert np.allclose(per_year, targets, rtol=0.01)
    assert per_year[2014] == 24_062


def test_2014_methods_close_to_published_counts(demo):
    counts = demo[demo["year"] == 2014]["method"].value_counts()
    for method, published in {"call": 21_431, "online_tip": 1_482, "email": 1_149}.items():
        assert abs(counts[method] - published) / published < 0.05, method
    assert counts["text"] == counts["webchat"] == 0
    assert 0 < counts["unknown"] < 0.01 * 24_062


def test_texts_and_webchats_grow_after_2016(demo):
    share = demo.groupby("year")["method"].value_counts(normalize=True).unstack()
    assert share.loc[2016, "text"] == 0
    assert 0 < share.loc[2017, "text"] < share.loc[2020, "text"] < share.loc[2023, "text"]
    assert 0 < share.loc[2018, "webchat"] < share.loc[2023, "webchat"]


@pytest.mark.parametrize(
    ("year", "published"),
    [
        (2014, {"sex": 3598, "labor": 818, "sex_and_labor": 172, "not_specified": 454}),
        (2016, {"sex": 5551, "labor": 1057, "sex_and_labor": 268, "not_specified": 696}),
    ],
)
def test_type_shares_close_to_published_case_shares(demo, year, published):
    signals = demo[demo["year"] == year]
    total = sum(published.values())
    for value, cases in published.items():
        assert abs(_share(signals, "trafficking_type", value) - cases / total) < 0.01, value


def test_victim_survivor_share_follows_published_calls(demo):
    for year, victims, calls in [(2012, 1355, 20650), (2014, 2713, 21431), (2016, 4522, 26727)]:
        signals = demo[demo["year"] == year]
        assert abs(_share(signals, "caller", "victim_survivor") - victims / calls) < 0.01, year


def test_columns_and_values_are_canonical(demo):
    assert list(demo.columns) == [
        "year",
        "month",
        "state",
        "trafficking_type",
        "gender",
        "age_group",
        "citizenship",
        "method",
        "caller",
    ]
    for column, values in DIMENSIONS.items():
        assert tuple(demo[column].cat.categories) == tuple(values), column
        assert demo[column].notna().all(), column
    assert demo["month"].between(1, 12).all()
    assert set(demo["month"]) == set(range(1, 13))


def test_demographics_depend_on_trafficking_type(demo):
    sex = demo[demo["trafficking_type"] == "sex"]
    labor = demo[demo["trafficking_type"] == "labor"]
    assert _share(labor, "gender", "male") > 3 * _share(sex, "gender", "male")
    assert _share(labor, "citizenship", "foreign_national") > 2 * _share(sex, "citizenship", "foreign_national")
    assert _share(sex, "age_group", "minor") > 2 * _share(labor, "age_group", "minor")
    for column in ("gender", "age_group", "citizenship", "caller"):
        assert _share(demo, column, "unknown") > 0.05, column


def test_states_are_population_weighted_with_small_states_and_territories(demo):
    per_state = demo["state"].value_counts()
    assert per_state["CA"] > 20 * per_state["WY"]
    assert per_state["PR"] > 0 and per_state["GU"] > 0 and per_state["VI"] > 0
    assert per_state["GU"] + per_state["VI"] < 0.001 * len(demo)
    # Detailed cells of small states hold fewer than 10 signals: privacy suppression has work to do.
    cells = demo[demo["state"] == "WY"].groupby(["year", "trafficking_type", "gender"], observed=True).size()
    assert (cells < 10).sum() > 50


def test_same_seed_same_frame_other_seed_other_frame():
    first = generate_demo(20_000, seed=5)
    pd.testing.assert_frame_equal(first, generate_demo(20_000, seed=5))
    assert not first.equals(generate_demo(20_000, seed=6))


def test_other_sizes_keep_the_shape_of_the_trend():
    small = generate_demo(10_000, seed=1)
    targets = yearly_targets()["signals"]
    expected = 10_000 * targets / targets.sum()
    assert len(small) == 10_000
    assert (small.groupby("year").size() - expected).abs().max() < 1


def test_shipped_parquet_is_the_default_demo(demo):
    shipped = pd.read_parquet(SHIPPED)
    assert SHIPPED.stat().st_size < 5_000_000
    pd.testing.assert_frame_equal(shipped.astype(str), demo.astype(str))


def test_cli_writes_csv(tmp_path, capsys):
    out = tmp_path / "demo.csv"
    main(["--rows", "1000", "--seed", "3", "--out", str(out)])
    written = pd.read_csv(out)
    assert len(written) == 1000
    assert written.astype(str).equals(generate_demo(1000, 3).astype(str))
    assert "1,000 synthetic demo signals" in capsys.readouterr().out


@pytest.mark.skipif(not PUBLISHED.exists(), reason="shared published figures not present outside the workplace")
def test_calibration_values_are_the_published_ones():
    published = pd.read_csv(PUBLISHED, dtype={"period": str})
    for row in load_calibration().itertuples(index=False):
        geography, metric = (
            ("TX", row.metric.removeprefix("texas_")) if row.metric.startswith("texas_") else ("US", row.metric)
        )
        match = published[
            (published["period"] == str(row.year))
            & (published["geography"] == geography)
            & (published["metric"] == metric)
        ]
        assert match["value"].tolist() == [row.value], (row.year, row.metric)
        assert match["source_url"].item() in row.source
