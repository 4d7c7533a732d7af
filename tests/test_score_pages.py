"""Scores and points on every kind of page by the one rule (issue 27 item 11): two decimals cut toward
zero, so that no page shows a figure on the other side of a boundary from the stored value — 59.995
shows 59.99 beside 不合格, never 60.00; a rating total of 950.995 shows 950.99 beside 4A (5A from 951,
compared without rounding), never 951.00. Stored values stay unrounded; the rules read those. People
are named by their names, the username in brackets."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.rating_fixtures import LEAVES, RatingWorld
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _name(app, username: str, name: str) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.username == username)).name = name
        db.session.commit()


# 1.1.1.2 (3 points) scored 1, 1, 2: mean 4/3 (1.3333…); 1.1.3.2 (3 points) scored 0.985, 1, 0: mean
# 0.661666…; together they lose 5/3 + 3 − 1.985/3 = 4.005 points. Leaves worth 45 points more scored 0
# by all: the total is 1000 − 49.005 = 950.995, just under 5A's 951.
THIRDS, SIXTHS = "1.1.1.2", "1.1.3.2"


def _zeroed() -> set[str]:
    """Leaves (no formula, not the two above) whose points add up to exactly 45 (a subset sum)."""
    reach: dict[int, frozenset[str]] = {0: frozenset()}
    for leaf in LEAVES:
        if leaf.code in (THIRDS, SIXTHS) or leaf.formula or not float(leaf.points).is_integer():
            continue
        for total, codes in list(reach.items()):
            reach.setdefault(total + int(leaf.points), codes | {leaf.code})
        if 45 in reach:
            return set(reach[45])
    raise AssertionError("no leaves worth 45 points")


def test_rating_pages_cut_totals_and_means_and_name_the_experts(app, client, make_user, token_for, login):
    w = RatingWorld(client, make_user, token_for).setup()
    _name(app, "ex1", "张专家")
    w.submit()
    admin = login("radmin")
    waiting = _text(admin.get(f"/rating/rounds/{w.rid}").get_data(True))
    assert "张专家（ex1）（缺" in waiting  # not the bare username
    scores = {THIRDS: [1, 1, 2], SIXTHS: [0.985, 1, 0], **{code: [0, 0, 0] for code in _zeroed()}}
    w.score_all(scores)
    finalized = w.finalize()
    assert finalized.status_code == 200
    body = finalized.get_json()
    assert body["total"] == 950.995 and body["grade"] == "4A"  # stored unrounded; 5A needs 951 (no rounding up)
    org_page = _text(admin.get(f"/rating/rounds/{w.rid}/organizations/{w.cid}").get_data(True))
    assert "总分 950.99 · 等级 4A" in org_page
    assert "专家评分均值 1.33（极差 1）" in org_page and "专家评分均值 0.66（极差 1）" in org_page
    assert "张专家（ex1） 偏差" in org_page
    round_page = _text(admin.get(f"/rating/rounds/{w.rid}").get_data(True))
    assert "950.99 4A" in round_page
    for page in (org_page, round_page):
        assert "951.00" not in page and "950.9950" not in page and "1.3333" not in page and "0.6617" not in page
    center_page = _text(login("rca").get(f"/rating/rounds/{w.rid}/organizations/{w.cid}").get_data(True))
    assert "总分 950.99" in center_page and "951.00" not in center_page


# ---------------------------------------------------------------- statistics and results (exam scores)


def _three_sat(flow) -> int:
    """c1 77.3333…, c2 59.995 (fails: 1.9.2 60 or more, no rounding up), c3 60; practical 80 for all."""
    sid = flow.session(["c1", "c2", "c3"])
    for username, score in (("c1", 77.33333333333333), ("c2", 59.995), ("c3", 60)):
        flow.theory(sid, username, score)
        flow.practical(sid, username, 80)
    flow.end_theory(sid)
    return sid


def test_statistics_pages_cut_means_and_rates(flow, login, monkeypatch):
    from app.statistics import operations as statistics

    sid = _three_sat(flow)
    # the form's figures as the arithmetic gives them (its own tests: test_item_statistics.py)
    monkeypatch.setattr(
        statistics.stats,
        "form_statistics",
        lambda earned, points: {"attempts": len(earned), "mean": 77.33333333333333, "sd": 59.995, "alpha": None},
    )
    browser = login("admin1")
    page = _text(browser.get(f"/statistics/sessions/{sid}").get_data(True))
    assert "77.33 59.99" in page  # 平均分, 标准差
    assert "理论知识考试 3 66.66%" in page  # 2 of 3 pass: cut, not 66.67% (nor 66.7%)
    assert flow.publish(sid).status_code == 200  # the dashboard counts scoring and published sessions
    dashboard = _text(browser.get("/statistics/").get_data(True))
    assert "66.66%" in dashboard
    for html in (page, dashboard):
        assert "77.3333" not in html and "60.00" not in html and "66.67" not in html and "66.7%" not in html
    assert flow.results(sid)["c2"]["passed"] is False and flow.results(sid)["c2"]["theory"] == 59.995


def test_results_export_cuts_the_scores_it_writes(flow, login):
    sid = _three_sat(flow)
    book = load_workbook(io.BytesIO(login("admin1").get(f"/results/sessions/{sid}/export.xlsx").data))
    rows = {row[0].value: row for row in book["成绩"].iter_rows(min_row=2)}
    first, second = rows["c1"], rows["c2"]  # no name on file: the username stands in (identity_of)
    assert first[5].value == 77.33 and first[5].number_format == "0.00"
    assert second[5].value == 59.99 and second[8].value == "不合格"  # never 60.00 beside 不合格
    assert rows["c3"][5].value == 60 and rows["c3"][8].value == "合格"


# ---------------------------------------------------------------- surveys (满意度: seed 002 §7 gives no precision)


def test_survey_report_cuts_means_and_rates(app, client, make_user, token_for, login):
    from tests.survey_fixtures import build_survey_world, survey_body

    world = build_survey_world(app, make_user, token_for)
    created = client.post(
        "/api/v1/surveys", json=survey_body({"session": world.session_a}), headers=world.headers["sadmin"]
    )
    assert created.status_code == 201, created.get_json()
    survey_id = created.get_json()["id"]
    # 5, 4, 4, 4, 3, 2: mean 22/6 = 3.6666…; 满意率 (非常满意 + 满意) 4/6 = 66.666…%
    for n, level in enumerate(["非常满意", "满意", "满意", "满意", "基本满意", "不满意"], start=1):
        answers = [level, "满意", "网站", ["培训"], "好"]
        r = client.post(
            f"/api/v1/surveys/{survey_id}/responses", json={"answers": answers}, headers=world.headers[f"sc{n}"]
        )
        assert r.status_code == 201, r.get_json()
    report = client.get(f"/api/v1/surveys/{survey_id}/report", headers=world.headers["sadmin"]).get_json()
    first = report["questions"][0]
    assert first["mean"] == 22 / 6 and first["satisfaction_rate"] == 4 / 6  # the API keeps them unrounded
    browser = login("sadmin")
    page = _text(browser.get(f"/surveys/{survey_id}").get_data(True))
    assert "均值 3.66（5 = 非常满意" in page and "满意率 66.66%" in page
    assert "3.67" not in page and "66.67%" not in page and "66.7%" not in page
    assert "回收率 100.00%" in page
    book = load_workbook(io.BytesIO(browser.get(f"/surveys/{survey_id}/report.xlsx").data))
    row = next(book["满意度"].iter_rows(min_row=2, max_row=2))
    assert row[8].value == 3.66 and row[8].number_format == "0.00"
    assert row[11].value == 0.6666 and row[11].number_format == "0.00%"
