"""A grader enters score sheets in Chromium at tablet width (390 px): keyboard only, the live total,
instant validation of a section above its maximum, the summary before saving, and straight on."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.practical.models import ScoreSheet
from tests.browser.test_exam_browser import ARGS, CHROMIUM, browser, pytestmark, server  # noqa: F401
from tests.conftest import PASSWORD
from tests.test_practical_api import setup_fixture  # noqa: F401  (fixture)


def test_grader_scores_two_candidates_by_keyboard_at_390px(app, server, browser, setup):  # noqa: F811
    s = setup(candidates=2)
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{server}/login")
    page.fill("#username", "g1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server}/practical/{s['sid']}/practical")
    page.click("text=评下一位")
    page.wait_for_selector("#s-0:focus")
    page.keyboard.type("16")  # 宣传讲解 has a maximum of 15 (4.2)
    assert "超过满分 15 分" in page.inner_text("#s-0-msg")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    for value in ("12", "20", "11.5", "8", "12"):
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    assert page.inner_text("#sheet-total").startswith("63.5")  # live, not yet complete
    page.keyboard.type("16")
    page.keyboard.press("Enter")  # the last field: the summary
    assert page.is_visible("#sheet-summary") and page.inner_text("#sheet-summary-total") == "79.5"
    assert page.evaluate("document.activeElement.id") == "sheet-save"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.keyboard.press("Enter")  # confirm
    page.wait_for_url(f"**/practical/{s['sid']}/practical/c2")
    assert "合计 79.5 分" in page.inner_text(".flash-success")
    with app.app_context():
        assert db.session.scalar(select(ScoreSheet.total)) == 79.5
        db.session.remove()
