"""Accessibility: axe-core finds no serious or critical problem, and every filter works from the keyboard.

axe-core comes from the npm registry at the version pinned in tests/browser/package-lock.json
(`npm ci --prefix tests/browser`, which `make test` runs) and is injected into the page by Playwright.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from components import theme
from hotline import Filters

from .conftest import Ui, kpi_text
from .test_presenter import open_presenting

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci --prefix tests/browser`"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI must install it)")
        pytest.skip(message)
    return AXE


def axe_violations(page, axe_script: Path) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now, one line per element."""
    # evaluate(), not add_script_tag(): the page's Content-Security-Policy refuses inline scripts
    page.evaluate(axe_script.read_text(encoding="utf-8") + "\n;true")
    results = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))
            }));
        }"""
    )
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {target}"
        for v in results
        if v["impact"] in BLOCKING
        for target in v["targets"]
    ]


@pytest.mark.parametrize(
    "query",
    [
        "",  # the page as it opens
        "?state=TX,OK&type=labor&measure=rate",  # with filters: chips, dimmed bars, the clear button
        "?present=1&slide=2",  # presentation mode
        # views users open from shared links: a narrowed year range shows the slider's number boxes
        "?state=CA&years=2016-2019",
        "?years=2016&region=west&gender=male&age=minor&citizenship=foreign_national",
        "?years=2014-2015&method=call,text&caller=victim_survivor&measure=rate&bogus=1",  # with a notice
    ],
    ids=["main page", "filtered", "presentation", "state and years", "one year, narrow", "rate with a notice"],
)
def test_axe_finds_no_serious_or_critical_problem(ui: Ui, axe_script, query):
    if "present" in query:
        open_presenting(ui, query)
    else:
        ui.open(query)
    assert axe_violations(ui.page, axe_script) == []


def test_every_filter_can_be_reached_with_the_tab_key(ui: Ui):
    ui.open()
    page = ui.page
    labels = page.locator("#filters .filter-block > label").all_inner_texts()
    assert len(labels) >= 9, labels  # years, region, state, five dimensions, measure
    reached = set()
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate(
            """() => { const block = document.activeElement.closest('#filters .filter-block');
                       return block ? block.querySelector('label').textContent : null; }"""
        )
        if label:
            reached.add(label)
        if reached == set(labels):
            break
    assert sorted(set(labels) - reached) == []


def test_filters_work_from_the_keyboard_alone(ui: Ui, demo):
    ui.open()
    page = ui.page
    # A dropdown: Tab to it, Enter opens it, type to find an option, arrow down to it, Enter picks it.
    page.get_by_role("combobox", name="Region").focus()  # the filter before it
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#filter-trafficking_types")).to_be_focused()
    expect(page.locator("#filter-trafficking_types")).to_have_attribute("aria-label", re.compile("^Trafficking type"))
    page.keyboard.press("Enter")
    expect(page.locator("input.dash-dropdown-search")).to_be_focused()
    page.keyboard.type("Labor")
    expect(page.locator(".dash-dropdown-option")).to_have_text(["Labor", "Sex and labor"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    ui.wait_search("?type=labor")
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters(trafficking_types=["labor"])))
    expect(page.locator("#filter-trafficking_types")).to_have_attribute("aria-label", "Trafficking type Labor")
    # The measure: arrow keys move between the radio buttons.
    page.locator("#filter-measure input[value=count]").focus()
    page.keyboard.press("ArrowDown")
    ui.wait_search("?type=labor&measure=rate")
    # The years: arrow keys move a slider thumb.
    page.locator("#filter-years [role=slider]").first.focus()
    page.keyboard.press("ArrowRight")
    ui.wait_search(f"?years={demo.years[0] + 1}-{demo.years[1]}&type=labor&measure=rate")
    # A chip: Enter removes its filter.
    page.get_by_role("button", name=re.compile("Remove filter Trafficking type")).focus()
    page.keyboard.press("Enter")
    ui.wait_search(f"?years={demo.years[0] + 1}-{demo.years[1]}&measure=rate")
    clear = page.get_by_role("button", name="Clear all")
    clear.focus()
    page.keyboard.press("Enter")
    ui.wait_search("?measure=rate")
    expect(page.locator("#kpi-signals")).to_have_text(kpi_text(demo, Filters(), "rate"))


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(color: str) -> float:
        channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_chart_text_meets_wcag_aa_contrast():
    """axe reads the page's HTML; the charts' text is SVG drawn in the theme's colours on white."""
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    for color in (theme.TEXT_COLOR, theme.MUTED_TEXT):
        assert contrast(color, "#ffffff") >= 4.5, color
