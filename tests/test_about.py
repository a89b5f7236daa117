"""The "About this data" panel: what it says of the demo data and of small or censored data."""

from __future__ import annotations

import pandas as pd
from test_country_data import dataset as country_dataset
from ui_helpers import demo, small_dataset

from components import about
from hotline.loading import DEMO_FILE
from hotline.profile import describe


def _texts(component) -> list[str]:
    """Every string in a Dash component tree, in order."""
    if isinstance(component, str):
        return [component]
    children = getattr(component, "children", None)
    if children is None:
        return []
    if not isinstance(children, (list, tuple)):
        children = [children]
    return [t for child in children for t in _texts(child)]


def test_demo_profile_matches_the_file():
    raw = pd.read_parquet(DEMO_FILE)
    profile = describe(demo())
    # The total is perturbed like every published count: within D of the file's 487,736 signals.
    assert profile.total == int(demo().aggregate([])["count"].iloc[0])
    assert abs(profile.total - len(raw)) <= demo().perturbation.max_change and len(raw) == 487_736
    assert profile.years == (2012, 2023)
    shares = {s.dimension: s.share for s in profile.unknown_shares}
    # Shares of perturbed counts: off by a few signals in 487,736 at most.
    assert abs(shares["gender"] - (raw["gender"] == "unknown").mean()) < 1e-4
    assert abs(shares["trafficking_type"] - (raw["trafficking_type"] == "not_specified").mean()) < 1e-4
    assert shares["state"] == 0.0


def test_demo_panel_states_source_rule_and_caveat():
    words = " ".join(_texts(about.layout(demo())))
    assert "Synthetic demo data (not real hotline records)" in words and "54 states, DC and territories" in words
    assert f"{int(demo().aggregate([])['count'].iloc[0]):,}" in words and "2012–2023" in words
    assert "Any count from 1 to 9 is hidden" in words
    assert "Gender: 16.0%" in words
    assert "not a measure of how much trafficking there is" in words


def test_small_unknown_counts_are_not_turned_into_shares():
    profile = describe(small_dataset(min_cell=200))
    hidden = [s for s in profile.unknown_shares if s.share is None]
    assert hidden and all(s.hidden_reason for s in hidden)


def test_censored_data_say_at_least_and_do_not_compute_shares():
    data = country_dataset()
    profile = describe(data)
    assert profile.total_at_least and profile.total == 1281 + 1 + 1300 + 1 + 8375 + 9854 + 40 + 300 + 25
    words = " ".join(_texts(about.layout(data)))
    assert "at least 21,177" in words and "UN M49 regions" in words and '"<5"' in words
    assert "detected and recorded" in words
