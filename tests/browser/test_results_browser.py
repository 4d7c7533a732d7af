"""From scored exam to published results in Debian's Chromium: the center admin publishes (confirm
dialog), the roster shows who passed and their certificate numbers, the certificate's QR code
encodes the public verification page, and anyone opens that page without signing in — at 390 px
without sideways scrolling."""

from __future__ import annotations

import re

from app.qrcodes import certificate_qr
from tests.browser.test_exam_browser import browser, pytestmark, server  # noqa: F401  (fixtures, marks)
from tests.conftest import PASSWORD
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)


def test_publish_and_verify_in_the_browser(app, server, browser, flow):  # noqa: F811
    flow.user("c1", name="王小明")
    flow.user("c2", name="李娜")
    sid = flow.session(["c1", "c2"])
    flow.theory(sid, "c1", 78)
    flow.practical(sid, "c1", 70)
    flow.theory(sid, "c2", 59.99)
    flow.practical(sid, "c2", 90)
    flow.end_theory(sid)
    flow.certificate_settings()  # the page publishes only with the center's number segments saved

    admin = browser.new_context(locale="zh-CN")
    page = admin.new_page()
    page.goto(f"{server}/login")
    page.fill("#username", "admin1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server}/results/sessions/{sid}")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    page.click("button:has-text('发布成绩')")
    page.wait_for_selector("text=成绩已发布：2 名考生，1 人合格")
    assert dialogs and "确认发布" in dialogs[0]
    rows = page.locator("table.results-roster tbody tr")
    assert "合格" in rows.nth(0).inner_text() and "不合格" in rows.nth(1).inner_text()
    number = page.locator("table.results-roster tbody tr").nth(0).locator("td.cert-no a").inner_text().strip()
    assert re.fullmatch(r"S\d{21}", number)

    page.click(f"text={number}")
    page.wait_for_selector("article.certificate")
    url = f"{server}/results/verify/{number}"
    assert url in page.inner_text("article.certificate")
    drawn = page.get_attribute(".cert-qr svg path", "d")
    carried = page.get_attribute(".cert-qr", "data-qr-text")  # the page's address and its signed credential
    assert carried.startswith(f"{url}#jws=") and carried.count(".") >= 2
    assert drawn == re.search(r' d="([^"]+)"', certificate_qr(carried)).group(1)  # the QR code encodes exactly that

    public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    visitor = public.new_page()
    visitor.goto(url + "?name=王小明")
    assert "证书有效" in visitor.inner_text("main")
    assert "王*明" in visitor.inner_text("main") and "与所填姓名一致" in visitor.inner_text("main")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    admin.close()
    public.close()
