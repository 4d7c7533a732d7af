"""Issue 27's layout items in Debian's Chromium over the demonstration data: the grouped navigation
at 390 px (no sideways scroll, opened and closed by keyboard), the proctor room's summary line and
folded action menu at 390 and 1280 px (item 12), stacked tables with their labels (item 13), and the
profile's warning before an upload drops unsaved typing (item 9).

Screenshots go to $SCREENSHOT_DIR when set, else to the test's tmp directory."""

from __future__ import annotations

import os

import pytest

from tests.browser.test_exam_browser import CHROMIUM
from tests.browser.test_usability_browser import OVERFLOW_JS, _login, chromium, demo, shots  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's Chromium is not installed (make browser)",
    ),
]

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}


def _page(chromium, demo, username: str, viewport: dict):  # noqa: F811
    context = chromium.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    _login(page, demo["url"], username)
    return context, page


def _no_sideways(page) -> None:
    found = page.evaluate(OVERFLOW_JS)
    assert found["scroll"] <= found["width"], found


def test_grouped_navigation_at_390_by_keyboard(chromium, demo, shots):  # noqa: F811
    context, page = _page(chromium, demo, "center_admin", PHONE)
    try:
        page.goto(f"{demo['url']}/")
        _no_sideways(page)
        summaries = page.locator(".site-nav summary")
        assert summaries.count() >= 6
        # every group's summary sits inside the screen, and the header is not taller than a third of it
        header = page.locator(".site-header").bounding_box()
        assert header["height"] < PHONE["height"] / 3
        for i in range(summaries.count()):
            box = summaries.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        # keyboard: Tab reaches a group, Enter opens it, its links are on screen, Escape closes it
        summaries.first.focus()
        page.keyboard.press("Enter")
        group = page.locator(".site-nav details.nav-group").first
        assert group.evaluate("d => d.open")
        links = group.locator("ul a")
        assert links.count() >= 2 and links.first.is_visible()
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
        _no_sideways(page)
        page.screenshot(path=str(shots / "nav-open-phone.png"), full_page=False)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('details.nav-group') !== null")
        page.keyboard.press("Escape")
        assert not group.evaluate("d => d.open")
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        # opening another group closes the first
        summaries.nth(0).click()
        summaries.nth(1).click()
        opened = page.locator(".site-nav details.nav-group[open]")
        assert opened.count() == 1
        opened.locator("ul a").first.click()
        page.wait_for_load_state()
        _no_sideways(page)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "wide"])
def test_proctor_room_summary_line_and_one_menu_per_row(chromium, demo, shots, viewport):  # noqa: F811
    context, page = _page(chromium, demo, "proctor1", viewport)
    try:
        page.goto(f"{demo['url']}/exams/rooms/{demo['ids']['room']}")
        _no_sideways(page)
        summary = page.locator(".room-summary")
        assert summary.is_visible()
        text = summary.inner_text()
        for word in ("作答中", "已交卷", "未开始", "异常"):
            assert word in text
        box = summary.bounding_box()
        assert box["y"] < viewport["height"]  # the line is on the first screen
        rows = page.locator("table.room-table tbody tr")
        assert rows.count() >= 2
        assert page.locator("table.room-table form").first.is_visible() is False  # folded
        if viewport is WIDE:
            # the full width, and at least eight candidates on the first screen
            table = page.locator("table.room-table").bounding_box()
            assert table["width"] > 1200
            on_screen = [r for r in range(rows.count()) if rows.nth(r).bounding_box()["y"] < viewport["height"]]
            assert len(on_screen) >= 8
        menu = page.locator("table.room-table details.row-actions").first
        menu.locator("summary").click()
        reason = menu.locator("input[name=reason]").last
        assert reason.is_visible()
        field = reason.bounding_box()
        assert field["x"] >= 0 and field["x"] + field["width"] <= viewport["width"]
        _no_sideways(page)
        page.screenshot(path=str(shots / f"room-menu-{viewport['width']}.png"), full_page=True)
    finally:
        context.close()


def test_acted_on_tables_stack_with_labels_at_390(chromium, demo, shots):  # noqa: F811
    context, page = _page(chromium, demo, "center_admin", PHONE)
    try:
        for path, label in (
            (f"/eligibility/applications/{demo['ids']['pending']}", "结果"),
            ("/eligibility/review", "状态"),
            ("/staff", "操作"),
            ("/statistics/", "合格率"),
        ):
            page.goto(f"{demo['url']}{path}")
            _no_sideways(page)
            cell = page.locator(f"table.stack td[data-label='{label}']").first
            assert cell.is_visible(), path
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], path
            shown = cell.evaluate("td => getComputedStyle(td, '::before').content")
            assert label in shown, (path, shown)
        # the dashboard's chart is the phone drawing: shown at close to its own size
        page.goto(f"{demo['url']}/statistics/")
        chart = page.locator("img.chart").first
        chart.scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelector('img.chart').complete")
        natural, shown = chart.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().width]")
        assert "size=phone" in chart.evaluate("img => img.currentSrc")
        assert shown / natural > 0.6, (natural, shown)
        page.screenshot(path=str(shots / "statistics-phone.png"), full_page=True)
    finally:
        context.close()


def test_profile_warns_before_an_upload_drops_unsaved_typing(chromium, demo):  # noqa: F811
    context, page = _page(chromium, demo, "cand01", PHONE)
    try:
        page.goto(f"{demo['url']}/eligibility/profile")
        _no_sideways(page)
        page.fill("#id_number", "11010519491231002X")
        upload = page.locator("form[action$='/eligibility/evidence']")
        upload.locator("input[name=label]").fill("工作证明")
        upload.locator("input[type=file]").set_input_files(
            files=[{"name": "a.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 test"}]
        )
        questions = []
        page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
        upload.locator("button[type=submit]").click()
        page.wait_for_timeout(300)
        assert questions and "未保存" in questions[0]
        assert page.input_value("#id_number") == "11010519491231002X"  # still on the page, still typed
    finally:
        context.close()
