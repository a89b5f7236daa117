"""Presentation mode as view state: its URL form, and how the presenter's buttons move through charts."""

from __future__ import annotations

import pytest

from components import presenter
from hotline import Filters
from hotline.viewstate import Choices, ViewState, parse_query, to_query

CHOICES = Choices(years=(2012, 2023), values={"trafficking_types": ("sex", "labor")})
LABOR = Filters(trafficking_types=("labor",))


@pytest.mark.parametrize(
    ("query", "present", "slide"),
    [
        ("?present=1", True, 1),
        ("?present=1&slide=3", True, 3),
        ("?type=labor&present=true&slide=8", True, 8),
        ("?present=0&slide=3", False, 1),  # a slide number means nothing outside a presentation
        ("?slide=3", False, 1),
    ],
)
def test_presentation_links_are_read(query, present, slide):
    view, notices = parse_query(query, CHOICES)
    assert (view.present, view.slide, notices) == (present, slide, [])


def test_presentation_links_round_trip():
    view = ViewState(filters=LABOR, measure="rate", present=True, slide=4)
    assert to_query(view, CHOICES) == "?type=labor&measure=rate&present=1&slide=4"
    assert parse_query(to_query(view, CHOICES), CHOICES) == (view, [])
    assert to_query(ViewState(present=True), CHOICES) == "?present=1"
    assert to_query(ViewState(), CHOICES) == ""


@pytest.mark.parametrize("query", ["?present=maybe", "?present=1&slide=0", "?present=1&slide=x", "?present=1&slide=²"])
def test_bad_presentation_parameters_are_ignored_with_a_notice(query):
    view, notices = parse_query(query, CHOICES)
    assert len(notices) == 1 and ("present" in notices[0] or "slide" in notices[0])
    assert view.slide == 1


def test_a_huge_slide_number_is_refused():
    view, notices = parse_query("?present=1&slide=" + "9" * 400, CHOICES)
    assert view.slide == 1 and len(notices) == 1 and len(notices[0]) < 120


def test_the_buttons_start_move_and_end_a_presentation():
    start = ViewState(filters=LABOR)
    presenting = presenter.step(start, presenter.PRESENT_ID, 8)
    assert presenting == ViewState(filters=LABOR, present=True, slide=1)
    second = presenter.step(presenting, presenter.NEXT_ID, 8)
    assert second.slide == 2 and second.filters == LABOR
    assert presenter.step(second, presenter.PREVIOUS_ID, 8).slide == 1
    assert presenter.step(presenting, presenter.PREVIOUS_ID, 8).slide == 1  # no chart before the first
    last = ViewState(present=True, slide=8)
    assert presenter.step(last, presenter.NEXT_ID, 8).slide == 8  # nor after the last
    assert presenter.step(ViewState(present=True, slide=40), presenter.PREVIOUS_ID, 8).slide == 7
    assert presenter.step(second, presenter.EXIT_ID, 8) == ViewState(filters=LABOR)
    assert presenter.step(second, presenter.PRESENT_ID, 8) == ViewState(filters=LABOR)
    assert presenter.step(start, presenter.NEXT_ID, 8) == start  # the keys do nothing outside a presentation
