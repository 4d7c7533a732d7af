"""The audit log page in Chromium at 1280 and 390 px: entries of several kinds (sheets, corrections,
finalize, a mark, an import), the filters, and no sideways scroll. SCREENSHOT_DIR=… keeps screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_exam_browser import CHROMIUM, browser, server  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.test_banks_api import item
from tests.test_practical_api import finalize, put, sections_for, setup_fixture  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's Chromium is not installed (make browser)",
    ),
]

SIDEWAYS = "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"


def test_audit_page_fits_390_px(client, server, browser, setup, make_user):  # noqa: F811
    shots = os.environ.get("SCREENSHOT_DIR")
    s = setup()
    for n in (1, 2, 3):
        assert put(client, s, n, "c1", sections_for(70 + n)).status_code == 200
    assert put(client, s, 1, "c1", sections_for(75)).status_code == 200  # a correction
    assert finalize(client, s, "c1").status_code == 200
    mark = client.post(
        f"/api/v1/sessions/{s['sid']}/practical/c2/mark",
        json={"mark": "disqualified", "reason": "冒名顶替参加考试"},
        headers=s["admin"],
    )
    assert mark.status_code == 200
    items = [item(n, stem='=HYPERLINK("http://x")' if n == 1 else f"第{n}题") for n in range(1, 4)]
    assert client.post("/api/v1/banks/3-01-01-04/items", json={"items": items}, headers=s["admin"]).status_code == 201
    make_user("root", "admin")
    for user, width in (("admin1", 1280), ("admin1", 390), ("root", 1280), ("root", 390)):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{server}/login")
        page.fill("#username", user)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{server}/audit/")
        page.wait_for_load_state("networkidle")
        assert page.locator("table.audit-log tbody tr").count() == 7  # 3 entries + 1 correction, finalize, mark, import
        assert page.evaluate(SIDEWAYS) <= 0, f"the audit log scrolls sideways at {width} px"
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/audit-{user}-{width}.png", full_page=True)
        page.select_option("select[name=action]", "practical.sheet_saved")
        page.click(".audit-filters button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("table.audit-log tbody tr").count() == 4
        page.close()
