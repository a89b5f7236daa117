"""The page under its Content-Security-Policy: browsing, presentation mode, exports and uploads raise no
violation and no console error (components/security.py).

Every guarded page already fails on a console error (conftest); here the page also records each
`securitypolicyviolation` event, which names the directive and what it blocked.
"""

from __future__ import annotations

import re

import pytest

from .conftest import Ui

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile);
});
"""
FILE_INPUT = "#upload-file input[type=file]"


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def recording(page):
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def test_page_presentation_and_exports_run_under_the_policy(page, server):
    ui = Ui(recording(page), server)
    ui.open("?state=CA&years=2016-2019")
    page.get_by_role("button", name="Present").click()
    expect(page.locator("#app-root")).to_have_class(re.compile(r"\bpresenting\b"), timeout=15_000)
    ui.wait_search("?years=2016-2019&state=CA&present=1")
    page.keyboard.press("ArrowRight")
    ui.wait_search("?years=2016-2019&state=CA&present=1&slide=2")
    expect(page.locator("#present-counter")).to_contain_text("Chart 2 of")
    page.keyboard.press("Escape")
    expect(page.locator("#app-root")).not_to_have_class(re.compile(r"\bpresenting\b"))
    ui.wait_idle()
    # the numbers as CSV and Excel (sent by a callback, saved by the browser)
    for button in ("#trend-csv", "#trend-excel", "#table-csv"):
        with page.expect_download() as info:
            page.click(button)
        assert info.value.failure() is None
    assert violations(page) == []
    page.guard.assert_clean()


def test_an_upload_runs_under_the_policy(page, upload_server, small_csv):
    ui = Ui(recording(page), upload_server)
    ui.open()
    page.set_input_files(FILE_INPUT, str(small_csv))
    page.wait_for_url(re.compile(r"/upload/[A-Za-z0-9_-]{20,}/$"))
    ui.wait_drawn(("map-graph", "trend-graph"))
    assert violations(page) == []
    page.guard.assert_clean()
