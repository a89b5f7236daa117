"""One user action, one request: the view callback, whose reply draws every panel.

Counts the page's real _dash-update-component requests around each gesture (opening a link, a
dropdown choice, a click on a bar, a chip, "Show as table", the presenter's buttons), and checks
the page shows the new view, so a gesture that did nothing cannot pass.
"""

from __future__ import annotations

import json
import re

import pytest

from hotline import Filters

from .conftest import Ui, kpi_text

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

pytestmark = pytest.mark.browser


class Requests:
    """The callback requests the page sends, by the outputs they ask for."""

    def __init__(self, page):
        self.sent: list[str] = []
        page.on("request", self._record)

    def _record(self, request) -> None:
        if "_dash-update-component" in request.url:
            self.sent.append(json.loads(request.post_data or "{}").get("output", "?")[:60])

    def during(self, ui: Ui, gesture, settle_ms: int = 400) -> list[str]:
        """The requests a gesture causes, once the page is idle again (and stays idle a moment)."""
        self.sent.clear()
        gesture()
        ui.wait_idle()
        ui.page.wait_for_timeout(settle_ms)
        ui.wait_idle()
        return list(self.sent)


def test_every_gesture_costs_one_request(ui: Ui, demo):
    requests = Requests(ui.page)
    opened = requests.during(ui, lambda: ui.open("?state=TX"))
    texas = Filters(states=["TX"])
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, texas))
    counts = {"open a link": opened}

    labor = Filters(states=["TX"], trafficking_types=["labor"])
    counts["click a bar"] = requests.during(ui, lambda: ui.click_point("trafficking-type-graph", "Labor"))
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, labor))

    female = Filters(states=["TX"], trafficking_types=["labor"], genders=["female"])
    counts["choose in a dropdown"] = requests.during(ui, lambda: ui.choose("filter-genders", "Female"))
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, female))

    chip = ui.page.get_by_role("button", name=re.compile("Remove filter Gender"))
    counts["remove a chip"] = requests.during(ui, chip.click)
    expect(ui.page.locator("#kpi-signals")).to_have_text(kpi_text(demo, labor))

    toggle = ui.page.locator("#gender-table-toggle")
    counts["show as table"] = requests.during(ui, toggle.click)
    expect(ui.page.locator("#gender-table-view table")).to_be_visible()

    counts["present"] = requests.during(ui, lambda: ui.page.click("#present-toggle"))
    expect(ui.page.locator("#app-root")).to_have_class(re.compile("presenting"))
    counts["next slide"] = requests.during(ui, lambda: ui.page.keyboard.press("ArrowRight"))
    expect(ui.page.locator("#present-counter")).to_have_text(re.compile("Chart 2 of"))
    counts["leave"] = requests.during(ui, lambda: ui.page.keyboard.press("Escape"))
    expect(ui.page.locator("#app-root")).not_to_have_class(re.compile("presenting"))
    ui.wait_search("?state=TX&type=labor")

    assert all(len(sent) == 1 for sent in counts.values()), f"gestures that did not cost exactly one request: {counts}"
