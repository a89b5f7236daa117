"""A reply writes only what changes on the page, and what it leaves alone is still right.

Dash's renderer makes a pass over every component of the page for each output a reply writes and for
each component it mounts (components/markup.py), so the view callback leaves out what the page already
shows (its panels are drawn when the view changes), closed tables are not sent, and tables and KPI
cards are one component each. The page the
replies build (benchmarks.dash_requests.Browser, the same model the load benchmark sends) must still
show every control, chip and chart for the view in the address.
"""

from __future__ import annotations

import random

import pytest
from ui_helpers import demo

from app import create_app
from benchmarks.dash_requests import Browser
from components import filters as filter_panel
from components import markup, panels
from hotline.viewstate import choices_of, parse_query


@pytest.fixture(scope="module")
def page():
    with pytest.MonkeyPatch.context() as patch:  # one test client sends faster than any person clicks
        patch.setenv("HOTLINE_CALLBACK_RATE_LIMIT", "100000 per second")
        dash_app = create_app(demo())
    return dash_app, dash_app.server.test_client(), choices_of(demo())


def written(sent) -> set[str]:
    """"component.property" of every output a reply wrote."""
    status, reply = sent
    assert status == 200
    return {f"{component}.{prop}" for component, props in reply["response"].items() for prop in props}


def panel_outputs(spec=None) -> set[str]:
    """"component.property" of every panel's output (components/panels.py), drawn in the view callback's reply."""
    spec = panels.outputs(demo()) if spec is None else spec
    if isinstance(spec, dict):
        return set().union(*(panel_outputs(value) for value in spec.values()))
    return {f"{spec.component_id}.{spec.component_property}"}


def test_a_control_change_writes_the_store_address_and_chips_only(page):
    dash_app, client, choices = page
    browser = Browser(dash_app, choices)
    opened = browser.open(client.post, "?state=TX")
    assert "app-root.className" in written(opened[0])  # a new address writes everything
    assert "filter-states.value" in written(opened[0]) and "gender-graph.clickData" in written(opened[0])
    changed = browser.choose(client.post, "genders", ["female"])
    assert written(changed[0]) - panel_outputs() == {"view.data", "url.search", "chips.children"}
    assert {"kpis.children", "gender-graph.figure"} <= written(changed[0])  # and the panels, drawn


def test_a_bar_click_writes_its_control_and_clears_only_its_own_click(page):
    dash_app, client, choices = page
    browser = Browser(dash_app, choices)
    browser.open(client.post, "?state=TX")
    browser.values["gender-graph.clickData"] = {"points": [{"customdata": ["gender", "male"]}]}
    sent = browser.act(client.post, "gender-graph.clickData")
    assert written(sent[0]) - panel_outputs() == {
        "view.data", "url.search", "chips.children", "filter-genders.value", "gender-graph.clickData"
    }  # fmt: skip
    assert browser.values["filter-genders.value"] == ["male"] and browser.values["gender-graph.clickData"] is None


def test_closed_tables_are_not_sent_and_an_open_one_is_one_component(page):
    dash_app, client, choices = page
    browser = Browser(dash_app, choices)
    browser.open(client.post, "?state=TX")
    assert not any(key.endswith("-table-view") for key in browser.shown)
    browser.values["gender-table-view.hidden"] = False  # "Show as table" (in the browser), then the redraw
    reply = client.post(browser.path, json=browser.body("gender-table-view.hidden")).get_json()
    table = reply["response"]["gender-table-view"]["children"]
    assert table["namespace"] == markup.NAMESPACE and "Female" in markup.texts(table["props"]["tree"])
    # The same view redrawn: the panels with this table, and nothing of the view written again.
    assert written((200, reply)) <= panel_outputs() and "kpis.children" in written((200, reply))
    assert not any(key.endswith("-table-view") and key != "gender-table-view" for key in reply["response"])


def test_after_any_sequence_of_actions_the_page_shows_the_view_of_its_address(page):
    """Whatever a reply left out, the controls, the area options and "clear all" match the view."""
    dash_app, client, choices = page
    rng = random.Random(7)
    fields = filter_panel.present_fields(choices)
    clickable = {"gender-graph": ("gender", "genders"), "trafficking-type-graph": ("trafficking_type", "trafficking_types"),
                 "age-group-graph": ("age_group", "age_groups")}  # fmt: skip
    area_options = f"{filter_panel.control_id(filter_panel.area_scheme(choices).field)}.options"
    for _ in range(6):
        browser = Browser(dash_app, choices)
        browser.open(client.post, rng.choice(["", "?state=TX", "?region=West&gender=male", "?years=2015-2018"]))
        for _ in range(8):
            action = rng.random()
            if action < 0.4:
                name = rng.choice(fields)
                values = sorted(rng.sample(list(choices.values[name]), rng.randint(0, 2)))
                browser.choose(client.post, name, values)
            elif action < 0.7:
                graph = rng.choice(list(clickable))
                dimension, field = clickable[graph]
                value = rng.choice(list(choices.values[field]))
                browser.values[f"{graph}.clickData"] = {"points": [{"customdata": [dimension, value]}]}
                browser.act(client.post, f"{graph}.clickData")
            else:
                browser.act(client.post, "clear-filters.n_clicks")
            view, _ = parse_query(browser.search, choices)
            years, controls, measure = filter_panel.controls_from_view(view, choices.years, fields)
            assert browser.values["filter-years.value"] == years
            assert {f: browser.values[f"filter-{f}.value"] for f in fields} == controls
            assert browser.values["filter-measure.value"] == measure
            assert browser.values[area_options] == filter_panel.area_options(choices, list(view.filters.regions))
            assert browser.values["clear-filters.disabled"] == (browser.search == "")
            assert browser.store == browser.search


def test_markup_draws_only_known_tags_and_attributes():
    with pytest.raises(ValueError, match="script"):
        markup.tag("script", "alert(1)")
    with pytest.raises(ValueError, match="onClick"):
        markup.tag("div", "x", onClick="alert(1)")
    tree = markup.tag("p", "a<b>", None, markup.tag("strong", 5), className=None)
    assert tree == ["p", "a<b>", ["strong", 5]]  # texts stay texts: React escapes them
    assert markup.texts(markup.tag("div", tree, "c", id="x")) == ["a<b>", "5", "c"]
