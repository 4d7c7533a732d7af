"""The statistics page and the dashboard in Chromium at 1280 and 390 px: the charts load, the tables
scroll inside their own box and the page never scrolls sideways. SCREENSHOT_DIR=… keeps screenshots."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from app import timeutil
from app.extensions import db
from app.sessions.models import ExamSession
from tests.browser.test_exam_browser import CHROMIUM, browser, server  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.test_statistics_api import scenario  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's Chromium is not installed (make browser)",
    ),
]

SIDEWAYS = "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
IMAGES_LOADED = "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"


def test_statistics_pages_fit_390_px(app, client, server, browser, scenario, monkeypatch):  # noqa: F811
    shots = os.environ.get("SCREENSHOT_DIR")
    with app.app_context():
        end = db.session.get(ExamSession, scenario["sid"]).theory_end
    monkeypatch.setattr(timeutil, "utcnow", lambda: end + timedelta(minutes=1))  # 评分中: the dashboard has rates
    r = client.post(f"/api/v1/sessions/{scenario['sid']}/status", json={"status": "scoring"}, headers=scenario["admin"])
    assert r.status_code == 200
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{server}/login")
        page.fill("#username", "sadmin")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        for name, path in (("session", f"/statistics/sessions/{scenario['sid']}"), ("dashboard", "/statistics/")):
            page.goto(f"{server}{path}")
            page.wait_for_load_state("networkidle")
            assert page.evaluate(IMAGES_LOADED), f"{name}: a chart did not load"
            assert page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways at {width} px"
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
        page.close()
