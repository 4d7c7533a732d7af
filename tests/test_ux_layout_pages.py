"""Layout on the server's side (issue 27 item 13 and the navigation): the grouped main menu, tables
people act on stacked on a phone (each cell labelled by its column), charts drawn for a phone."""

from __future__ import annotations

import io
import re

from PIL import Image

from app.navigation import GROUP_ORDER
from tests.test_ux_forms_pages import _apply_once


def _nav(html: str) -> str:
    return html[html.index('<nav aria-label="主导航"') : html.index("</nav>")]


def test_a_center_admin_sees_a_few_groups_not_twenty_links(make_user, login):
    make_user("boss", role="center_admin")
    html = login("boss").get("/").get_data(True)
    nav = _nav(html)
    links = re.findall(r'<a href="([^"]+)"', nav)
    assert len(links) >= 20  # every page is still there …
    folded = re.sub(r"<details.*?</details>", "<details></details>", nav, flags=re.S)
    top = re.findall(r"<li>\s*<(?:a href|details)", folded)
    groups = re.findall(r"<summary[^>]*>([^<]+)</summary>", nav)
    assert len(top) <= 8  # … behind at most 8 entries of the first row
    assert groups[:6] == ["考务", "题库与组卷", "评分与成绩", "培训", "评估", "系统"]
    assert all(g in GROUP_ORDER for g in groups)
    # keyboard and CSP: native <details>/<summary>, no inline script or handler anywhere on the page
    assert nav.count("<details") == len(groups) and "onclick" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_the_current_page_marks_its_group(make_user, login):
    make_user("boss", role="center_admin")
    html = login("boss").get("/banks/").get_data(True)
    nav = _nav(html)
    assert '<summary class="current">题库与组卷</summary>' in nav
    assert re.search(r'<a href="/banks/"\s+aria-current="page">题库</a>', nav)


def test_a_candidate_has_their_own_short_menu(make_user, login):
    make_user("cand", center="甲中心")
    nav = _nav(login("cand").get("/").get_data(True))
    groups = re.findall(r"<summary[^>]*>([^<]+)</summary>", nav)
    assert "申报与考试" in groups and "考务" not in groups and "系统" not in groups
    assert ">我的申报资料</a>" in nav and ">我的考试</a>" in nav


def _cells(html: str, table_class: str) -> str:
    start = html.rindex("<table", 0, html.index(table_class))
    return html[start : html.index("</table>", start)]


def test_acted_on_tables_stack_with_a_label_on_every_cell(app, make_user, login):
    make_user("cand", center="甲中心")
    make_user("boss", role="center_admin", center="甲中心")
    application_id = _apply_once(app, login("cand"))
    boss = login("boss")
    queue = _cells(boss.get("/eligibility/review").get_data(True), "elig-queue")
    detail = _cells(boss.get(f"/eligibility/applications/{application_id}").get_data(True), "elig-clauses")
    staff = _cells(boss.get("/staff").get_data(True), "staff-list")
    mine = _cells(login("cand").get("/eligibility/applications").get_data(True), "elig-mine")
    for table, needed in ((queue, "状态"), (detail, "结果"), (staff, "操作"), (mine, "审核意见")):
        assert "grid stack" in table
        assert f'data-label="{needed}"' in table
        cells = re.findall(r"<td(?![^>]*colspan)[^>]*>", table)
        assert cells and all("data-label=" in cell for cell in cells), table[:300]


def test_dashboard_tables_stack_and_the_chart_has_a_phone_drawing(make_user, login):
    make_user("boss", role="center_admin")
    boss = login("boss")
    html = boss.get("/statistics/").get_data(True)
    assert "grid stack stats-outcomes" in html and "grid stack stats-states" in html
    assert '<source media="(max-width: 600px)" srcset="/statistics/trend.png?size=phone">' in html
    wide = Image.open(io.BytesIO(boss.get("/statistics/trend.png").data))
    phone = Image.open(io.BytesIO(boss.get("/statistics/trend.png?size=phone").data))
    # drawn about 4.2 inches wide at 110 dpi: shown at ~370 px, its text is nearly full size
    assert phone.width < 560 < wide.width
    assert phone.height > phone.width * 0.9
