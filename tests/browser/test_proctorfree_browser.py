"""At 390 px in Debian's Chromium over the demonstration data (issue 27 items 13 and 5): the session
page's 移除 buttons of the staff and candidates tables are on screen in stacked cards (no sideways
scroll, each labelled 操作), and the proctor room's 收卷原因 field fits the screen — folded menu opened,
and again after a refused 强制收卷 shows the page with the typed reason and the message beside it.

Screenshots go to $SCREENSHOT_DIR when set, else to the test's tmp directory."""

from __future__ import annotations

import os

import pytest

from tests.browser.test_exam_browser import CHROMIUM
from tests.browser.test_usability_browser import chromium, demo, shots  # noqa: F401
from tests.browser.test_ux_browser import _no_sideways
from tests.browser.test_ux_browser import _page as _page_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's Chromium is not installed (make browser)",
    ),
]

PHONE = {"width": 390, "height": 844}


def _page(chromium, demo, username: str):  # noqa: F811
    return _page_at(chromium, demo, username, PHONE)


def _inside(box: dict) -> None:
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_remove_buttons_of_the_session_page_are_on_screen_at_390(chromium, demo, shots):  # noqa: F811
    context, page = _page(chromium, demo, "center_admin")
    try:
        page.goto(f"{demo['url']}/sessions/{demo['ids']['scheduled']}")
        _no_sideways(page)
        for table in ("table.session-staff", "table.session-candidates"):
            buttons = page.locator(f"{table} td[data-label='操作'] button", has_text="移除")
            assert buttons.count() >= 1, table
            for i in range(buttons.count()):
                button = buttons.nth(i)
                button.scroll_into_view_if_needed()
                assert button.is_visible(), (table, i)
                _inside(button.bounding_box())
            cell = page.locator(f"{table} td[data-label='操作']").first
            assert "操作" in cell.evaluate("td => getComputedStyle(td, '::before').content")
            assert page.locator(table).evaluate("t => t.scrollWidth <= t.clientWidth + 1"), table  # no inner scroll
        page.screenshot(path=str(shots / "session-remove-390.png"), full_page=True)
    finally:
        context.close()


def test_the_force_close_reason_fits_at_390_and_after_a_refusal(chromium, demo, shots):  # noqa: F811
    context, page = _page(chromium, demo, "proctor1")
    try:
        page.goto(f"{demo['url']}/exams/rooms/{demo['ids']['room']}")
        _no_sideways(page)
        menu = page.locator("details.row-actions").filter(has=page.locator("input[id^='force-close-']")).first
        field = menu.locator("input[id^='force-close-'][name=reason]")
        menu.locator("summary").click()
        assert field.is_visible()
        _inside(field.bounding_box())
        assert menu.locator("label", has=page.locator("input[id^='force-close-']")).inner_text().startswith("收卷原因")
        _no_sideways(page)
        # one character past the limit (the maxlength lifted, as a paste through a script would): refused
        typed = "考生" + "很" * 499
        field.evaluate("(el, text) => { el.removeAttribute('maxlength'); el.value = text; }", typed)
        with page.expect_navigation():
            field.evaluate("el => el.form.submit()")
        refused = page.locator("input[id^='force-close-'][aria-invalid=true]")
        assert refused.count() == 1 and refused.input_value() == typed
        assert refused.is_visible()  # its row's menu is open again
        _inside(refused.bounding_box())
        message = page.locator(f"#{refused.get_attribute('id')}-error")
        assert "收卷原因" in message.inner_text() and "500" in message.inner_text()
        _inside(message.bounding_box())
        _no_sideways(page)
        page.screenshot(path=str(shots / "room-refused-390.png"), full_page=True)
    finally:
        context.close()
