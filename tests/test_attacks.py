"""The attack suite: try to recover hidden counts by comparing views, with the control that shows it can.

The attackers see only published numbers (a view's headline total, a chart's bars); the true counts,
read with perturbation and suppression off, only grade their guesses. benchmarks/privacy.py prints
the same attacks with more attempts, and the utility the perturbation leaves.
"""

from __future__ import annotations

import pytest

import hotline
from benchmarks.privacy import differencing_attacks, within_view_attacks
from components import kpis
from hotline import Filters
from hotline.viewstate import ViewState

GUAM_AND_TEXAS = Filters(years=(2016, 2016), states=("GU", "TX"), trafficking_types=("labor",))
TEXAS = Filters(years=(2016, 2016), states=("TX",), trafficking_types=("labor",))
ATTEMPTS = 120


@pytest.fixture(scope="module")
def truth():
    return hotline.load_demo(min_cell=1, perturbation=None)


@pytest.fixture(scope="module")
def published():
    return hotline.load_demo()


@pytest.fixture(scope="module")
def exact():
    """The control: what `--privacy exact` publishes (suppressed, not perturbed)."""
    return hotline.load_demo(perturbation=None)


def headline(dataset, filters: Filters) -> int:
    """The page's "Signals" KPI, as its callback renders it."""
    value = {k.key: k.value for k in kpis.compute(dataset, ViewState(filters=filters))}["signals"]
    return int(value.replace(",", ""))


def test_the_guam_example_gives_the_true_count_only_with_exact_numbers(truth, published, exact):
    guam = Filters(years=(2016, 2016), states=("GU",), trafficking_types=("labor",))
    assert int(truth.aggregate([], guam)["count"].iloc[0]) == 3
    assert headline(exact, GUAM_AND_TEXAS) - headline(exact, TEXAS) == 3  # the control recovers it
    assert headline(published, GUAM_AND_TEXAS) - headline(published, TEXAS) != 3
    # Both pages still say "fewer than 10" for Guam itself.
    assert published.aggregate([], guam)["suppression"].iloc[0] == "fewer_than_min"


def test_differencing_pairs_and_triples_recover_no_more_than_guessing(truth, published, exact):
    pair, triple = differencing_attacks(published, truth, ATTEMPTS, seed=11)
    assert pair.attempts >= ATTEMPTS * 0.9
    # Subtracting two links: no better than guessing a number from 1 to 9 (measured 5.8% of 259 tries).
    assert pair.rate <= pair.baseline, pair
    # Adding the third view's "fewer than 10" helps only a little past a guess in the range the three
    # published numbers allow (measured 14.3% against 12.2%).
    assert triple.rate <= triple.baseline + 0.06, triple
    control_pair, control_triple = differencing_attacks(exact, truth, ATTEMPTS, seed=11)
    assert control_pair.rate == control_triple.rate == 1.0  # the suite can fail: without noise it always wins


def test_subtracting_shown_bars_from_a_views_total_recovers_no_hidden_sum(truth, published, exact):
    attack = within_view_attacks(published, truth, ATTEMPTS, seed=5)
    assert attack.attempts >= ATTEMPTS * 0.9
    assert attack.rate <= 0.12, attack  # measured 6.0% of 300
    assert within_view_attacks(exact, truth, ATTEMPTS, seed=5).rate == 1.0
