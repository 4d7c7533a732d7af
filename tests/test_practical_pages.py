"""Panel scoring pages with CSRF on: the grader's way through sixty sheets (roster, entry, straight on
to the next candidate), a bad entry changes nothing, center admin finalize/marks/record/print, the
session page's agreement section, the reviewer's page with materials, and the candidate's upload."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from app import timeutil
from app.extensions import db
from app.practical.models import ComponentResult, ReviewMaterial, ScoreSheet
from tests.conftest import csrf_from
from tests.test_practical_api import FOUR, put, sections_for, setup_fixture  # noqa: F401  (fixture)
from tests.test_review_and_agreement import PDF


def entry_form(page_html: str, values: list) -> dict:
    form = {"csrf_token": csrf_from(page_html)}
    for i, value in enumerate(values):
        form[f"s-{i}"] = str(value)
    return form


def test_grader_sees_their_work_in_the_navigation_and_roster(client, setup, login):
    s = setup(candidates=3)
    browser = login("g1")
    home = browser.get("/").get_data(True)
    assert 'href="/practical/"' in home and "评分" in home
    mine = browser.get("/practical/").get_data(True)
    assert "本人已评 <strong>0</strong> / 3" in mine
    roster = browser.get(f"/practical/{s['sid']}/practical").get_data(True)
    assert "评下一位" in roster and roster.count("未评") == 3


def test_entry_saves_and_moves_on_to_the_next_candidate(app, client, setup, login):
    s = setup(candidates=3)
    browser = login("g1")
    page = browser.get(f"/practical/{s['sid']}/practical/c1")
    assert page.status_code == 200
    html = page.get_data(True)
    for area, maximum in FOUR.items():
        assert f'data-max="{maximum}" data-label="{area}"' in html
    saved = browser.post(f"/practical/{s['sid']}/practical/c1", data=entry_form(html, [12, 20, 11.5, 8, 12, 16]))
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/practical/{s['sid']}/practical/c2")
    assert "合计 79.5 分" in browser.get(saved.headers["Location"]).get_data(True)
    with app.app_context():
        assert db.session.scalar(select(ScoreSheet.total)) == 79.5


def test_a_bad_entry_names_the_field_and_changes_nothing(app, client, setup, login):
    s = setup()
    browser = login("g1")
    html = browser.get(f"/practical/{s['sid']}/practical/c1").get_data(True)
    bad = browser.post(f"/practical/{s['sid']}/practical/c1", data=entry_form(html, [16, 20, 11, 8, 12, 16]))
    assert bad.status_code == 422
    body = bad.get_data(True)
    assert "「宣传讲解」的分数 16 超过该项满分 15 分" in body and 'class="pr-input pr-bad" id="s-0"' in body
    negative = browser.post(f"/practical/{s['sid']}/practical/c1", data=entry_form(html, [10, -1, 11, 8, 12, 16]))
    assert negative.status_code == 422 and "不能为负数" in negative.get_data(True)
    with app.app_context():
        assert db.session.scalar(select(ScoreSheet.id)) is None
        assert db.session.scalar(select(ComponentResult.id)) is None  # nothing flushed survived


def test_grader_cannot_open_another_panels_candidate(client, setup, login):
    s = setup(panels=["甲组"] * 3 + ["乙组"] * 3, candidates=2)
    browser = login("g1")
    statuses = {browser.get(f"/practical/{s['sid']}/practical/c{n}").status_code for n in (1, 2)}
    assert statuses == {200, 403}


def test_admin_finalizes_marks_and_reads_the_record(app, client, setup, login):
    s = setup(candidates=3)
    for grader, total in zip((1, 2, 3), (60, 70, 80), strict=True):  # spread 20: flagged
        put(client, s, grader, "c1", sections_for(total))
    for grader in (1, 2, 3):
        put(client, s, grader, "c2", sections_for(75))
    browser = login("admin1")
    manage = browser.get(f"/practical/{s['sid']}/practical/manage")
    assert manage.status_code == 200
    html = manage.get_data(True)
    assert "分差过大" in html and "ICC(A,1)" in html
    token = csrf_from(html)
    url = f"/practical/{s['sid']}/practical"
    browser.post(f"{url}/c1/finalize", data={"csrf_token": token})
    assert "定分须填写说明" in browser.get(f"{url}/manage").get_data(True)
    done = browser.post(f"{url}/c1/finalize", data={"csrf_token": token, "note": "复核录像后确认"})
    assert done.status_code == 302
    browser.post(f"{url}/c3/mark", data={"csrf_token": token, "mark": "absent"})
    everything = browser.post(f"{url}/finalize-panel", data={"csrf_token": token, "all": "1"})
    assert everything.status_code == 302
    with app.app_context():
        results = {
            r.enrollment.user.username: (r.status.value, r.score) for r in db.session.scalars(select(ComponentResult))
        }
    assert results == {"c1": ("final", 70.0), "c2": ("final", 75.0), "c3": ("absent", None)}
    record = browser.get(f"{url}/record").get_data(True)
    assert record.count("定分") >= 3 and "复核录像后确认" in record and "缺考" in record
    printed = browser.get(f"{url}/print").get_data(True)
    assert printed.count("评分记录表</h1>") == 3
    detail = browser.get(f"/sessions/{s['sid']}").get_data(True)
    assert "操作技能考核考评一致性" in detail and "已定分 3 / 3" in detail
    chart = browser.get(f"{url}/agreement-0.png")
    assert chart.status_code == 200 and chart.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_graders_cannot_reach_admin_pages(client, setup, login):
    s = setup()
    browser = login("g1")
    assert browser.get(f"/practical/{s['sid']}/practical/manage").status_code == 403
    assert browser.get(f"/practical/{s['sid']}/practical/record").status_code == 403


def test_reviewer_page_shows_materials_beside_the_score(app, client, setup, login, token_for, make_user):
    s = setup(level="二级", reviewers=3)
    due = (timeutil.utcnow() + timedelta(days=1)).isoformat()
    client.put(f"/api/v1/sessions/{s['sid']}/review/deadline", json={"due": due}, headers=s["admin"])
    candidate = login("c1")
    page = candidate.get(f"/practical/{s['sid']}/materials").get_data(True)
    uploaded = candidate.post(
        f"/practical/{s['sid']}/materials",
        data={"csrf_token": csrf_from(page), "kind": "thesis", "file": (io.BytesIO(PDF), "论文.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    assert "已上传论文：论文.pdf" in candidate.get(f"/practical/{s['sid']}/materials").get_data(True)
    assert "综合评审材料" in candidate.get("/exams/").get_data(True)
    reviewer = login("r1")
    html = reviewer.get(f"/practical/{s['sid']}/review/c1").get_data(True)
    assert 'class="pr-materials card"' in html and "论文：论文.pdf" in html and 'id="s-0"' in html
    with app.app_context():
        material_id = db.session.scalar(select(ReviewMaterial.id))
    pdf = reviewer.get(f"/practical/materials/{material_id}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert login("c2").get(f"/practical/materials/{material_id}").status_code == 404  # another candidate's
    saved = reviewer.post(f"/practical/{s['sid']}/review/c1", data={"csrf_token": csrf_from(html), "s-0": "88"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ScoreSheet.total).where(ScoreSheet.component == "review")) == 88
