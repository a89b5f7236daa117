"""The cell-key perturbation: its table, its record keys, and the same number for the same cell everywhere."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from domain_fixtures import make_dataset, shared_frame
from hypothesis import given, settings
from hypothesis import strategies as st
from ui_helpers import demo

import hotline
from app import Config, create_app, parse_args
from components import kpis
from hotline import Filters, seeds
from hotline.cellkey import KEY_RANGE, PerturbationTable
from hotline.viewstate import ViewState


@pytest.mark.parametrize("d,v", [(2, 1.05), (3, 2.0), (5, 8.0), (6, 13.9)])
def test_the_table_has_mean_zero_the_asked_variance_and_no_change_beyond_d(d, v):
    p = PerturbationTable(d, v).probabilities()
    k = np.arange(-d, d + 1)
    assert p.sum() == pytest.approx(1) and (p > 0).all()
    assert (p * k).sum() == pytest.approx(0, abs=1e-12)
    assert (p * k**2).sum() == pytest.approx(v, rel=1e-6)
    # Maximum entropy under these constraints: symmetric and falling away from zero.
    assert np.allclose(p, p[::-1]) and (np.diff(p[d:]) < 0).all()


def test_lookup_follows_the_table_and_keeps_zeros_zero_and_counts_positive():
    table = PerturbationTable(5, 8.0)
    keys = np.arange(0, KEY_RANGE, 7)
    changes = table.perturb(np.full(keys.shape, 500), keys) - 500
    observed = np.bincount(changes + 5, minlength=11) / len(keys)
    assert np.allclose(observed, table.probabilities(), atol=1e-4)
    small = np.repeat(np.arange(0, 8), 1000)
    published = table.perturb(small, np.random.default_rng(1).integers(0, KEY_RANGE, small.shape))
    assert (published[small == 0] == 0).all() and (published[small > 0] >= 1).all()
    assert (np.abs(published - small) <= 5).all()


@pytest.mark.parametrize("text", ["5", "a,b", "0,1", "3,5", "5,-1", "5,10"])
def test_a_bad_perturbation_option_is_refused_with_a_message(text, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--perturbation", text], Config())
    assert exit_info.value.code == 2 and "--perturbation" in capsys.readouterr().err


def test_keys_follow_the_signals_not_the_rows_that_carry_them():
    """A row with count 3 and three rows of count 1 are the same three signals: same keys, same numbers."""
    grouped = pd.DataFrame({"year": [2016, 2016], "state": ["TX", "GU"], "type": ["labor"] * 2, "count": [506, 3]})
    split = pd.concat([grouped.iloc[[0]], pd.DataFrame({"year": [2016] * 3, "state": ["GU"] * 3,
                                                        "type": ["labor"] * 3, "count": [1] * 3})])
    shuffled = split.sample(frac=1, random_state=4)
    table = PerturbationTable()
    numbers = [
        make_dataset(frame, perturbation=table).aggregate(["state"])["count"].tolist()
        for frame in (grouped, split, shuffled)
    ]
    assert numbers[0] == numbers[1] == numbers[2]


def test_another_seed_gives_other_noise_and_the_seed_file_is_kept_next_to_the_data(tmp_path, monkeypatch):
    monkeypatch.delenv("HOTLINE_PRIVACY_SEED")
    path = tmp_path / "signals.csv"
    shared_frame().to_csv(path, index=False)
    first = hotline.load(path)
    seed_file = tmp_path / "signals.csv.privacy-seed"
    assert seed_file.exists() and oct(seed_file.stat().st_mode & 0o777) == "0o600"
    assert hotline.load(path).fingerprint == first.fingerprint  # read back, not made again
    monkeypatch.setenv("HOTLINE_PRIVACY_SEED", "another secret")
    other = hotline.load(path)
    by = ["year", "trafficking_type"]
    assert not first.aggregate(by)["count"].equals(other.aggregate(by)["count"])


def test_a_rejected_file_leaves_no_seed_file(tmp_path, monkeypatch):
    monkeypatch.delenv("HOTLINE_PRIVACY_SEED")
    bad = tmp_path / "bad.csv"
    bad.write_text("year,state,trafficking_type\n2016,TX,sx\n")
    with pytest.raises(hotline.DataError):
        hotline.load(bad)
    assert list(tmp_path.iterdir()) == [bad]


def test_uploads_get_a_seed_of_their_own_from_the_servers():
    assert seeds.derived(b"server", b"file one") != seeds.derived(b"server", b"file two")
    assert seeds.derived(b"server", b"file one") == seeds.derived(b"server", b"file one")


def test_exact_mode_publishes_true_counts_and_perturbation_does_not():
    exact, noisy = (make_dataset(shared_frame(), min_cell=1, perturbation=p) for p in (None, PerturbationTable()))
    truth = shared_frame().groupby("year")["count"].sum().to_numpy()
    assert (exact.aggregate(["year"])["count"].to_numpy() == truth).all()
    changes = noisy.aggregate(["year"])["count"].to_numpy() - truth
    assert changes.any() and (np.abs(changes) <= 5).all()


def _kpi(dataset, view):
    return {k.key: k.value for k in kpis.compute(dataset, view)}["signals"]


@settings(max_examples=25, deadline=None)
@given(
    year=st.integers(2012, 2023),
    state=st.sampled_from(["TX", "CA", "NY", "FL", "GA", "OH"]),
    kind=st.sampled_from(["sex", "labor", "sex_and_labor"]),
)
def test_the_same_cell_shows_the_same_number_in_every_chart_and_view(year, state, kind):
    """A cell is a set of records: the KPI of a narrow view, that view's bar in each chart and its table
    row all show it, and all must agree, or comparing them would average the noise away."""
    data = demo()
    narrow = ViewState(filters=Filters(years=(year, year), states=(state,), trafficking_types=(kind,)))
    headline = _kpi(data, narrow)
    if not headline.replace(",", "").isdigit():
        return  # hidden: nothing to compare
    expected = int(headline.replace(",", ""))
    by_state = data.aggregate(["state"], Filters(years=(year, year), trafficking_types=(kind,)))
    assert int(by_state.set_index("state").loc[state, "count"]) == expected
    by_type = data.aggregate(["trafficking_type"], Filters(years=(year, year), states=(state,)))
    assert int(by_type.set_index("trafficking_type").loc[kind, "count"]) == expected
    by_year = data.aggregate(["year", "trafficking_type"], Filters(states=(state,)), open_dimension="year")
    cell = by_year[(by_year["year"] == year) & (by_year["trafficking_type"] == kind)]
    assert int(cell["count"].iloc[0]) == expected  # the trend's bar segment
    again = _kpi(data, ViewState(filters=Filters(years=(year, year), states=(state,), trafficking_types=(kind,))))
    assert again == headline  # asking again teaches nothing new


def test_healthz_reports_only_what_a_visitor_may_see(tmp_path):
    path = tmp_path / "five.csv"
    path.write_text("year,state,trafficking_type\n" + "2016,WY,labor\n" * 5)
    data = hotline.load(path)
    body = create_app(data).server.test_client().get("/healthz").get_json()
    assert body["records"] is None and body["records_hidden"] == "fewer than 10"
    assert "rows" not in body and body["source"] == "five.csv"
    assert not any(str(v).isdigit() and 0 < int(v) < 10 for v in body.values())
    big = demo()
    body = create_app(big).server.test_client().get("/healthz").get_json()
    assert body["records"] == int(big.aggregate([])["count"].iloc[0]) and body["perturbation"] == "D=5, V=8"
