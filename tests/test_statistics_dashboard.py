"""The center dashboard (统计): sessions by state, candidates, and pass rates per standard and level by
month, from the registry's final scores of the sessions 评分中 (provisional) and 成绩已发布; scoped to
the center (a platform admin sees every center). Also the pure aggregation and its chart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from matplotlib.text import Text

from app import timeutil
from app.extensions import db
from app.sessions import enrolment as session_ops
from app.sessions.models import ExamSession
from scoring.trends import pass_rate_series, pass_rate_trend_figure, pass_rate_trend_png
from tests.cjk import in_cjk_font
from tests.test_sessions_fixtures import build_papers, session_body
from tests.test_statistics_api import scenario  # noqa: F401  (fixture)


def test_pass_rate_series_adds_sessions_of_a_month_and_marks_provisional():
    rows = [
        {
            "standard": "3-01-01-04",
            "level": "四级",
            "period": "2026-11",
            "decided": 4,
            "passed": 3,
            "provisional": False,
        },
        {
            "standard": "3-01-01-04",
            "level": "四级",
            "period": "2026-10",
            "decided": 0,
            "passed": 0,
            "provisional": False,
        },
        {
            "standard": "3-01-01-04",
            "level": "四级",
            "period": "2026-11",
            "decided": 6,
            "passed": 2,
            "provisional": True,
        },
        {
            "standard": "3-01-04-03",
            "level": "五级",
            "period": "2026-11",
            "decided": 5,
            "passed": 5,
            "provisional": False,
        },
    ]
    series = pass_rate_series(rows)
    assert [(s["standard"], s["level"]) for s in series] == [("3-01-01-04", "四级"), ("3-01-04-03", "五级")]
    october, november = series[0]["points"]
    assert october == {
        "period": "2026-10",
        "sessions": 1,
        "decided": 0,
        "passed": 0,
        "provisional": False,
        "rate": None,
    }
    assert november == {
        "period": "2026-11", "sessions": 2, "decided": 10, "passed": 5, "provisional": True, "rate": 0.5,
    }  # fmt: skip
    assert series[1]["points"][0]["rate"] == 1.0
    # A 评分中 session with nobody decided yet adds nothing, so it does not make the point provisional.
    empty = {**rows[3], "decided": 0, "passed": 0, "provisional": True}
    assert pass_rate_series([rows[3], empty])[0]["points"][0]["provisional"] is False
    with pytest.raises(ValueError):
        pass_rate_series([{**rows[0], "passed": 5}])


def test_trend_chart_has_chinese_labels_in_the_cjk_font():
    series = pass_rate_series(
        [
            {
                "standard": "3-01-01-04",
                "level": "四级",
                "period": "2026-11",
                "decided": 4,
                "passed": 3,
                "provisional": True,
            }
        ]
    )
    fig = pass_rate_trend_figure(series, {"3-01-01-04": "社团会员管理员"})
    fig.canvas.draw()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and any("\u4e00" <= c <= "\u9fff" for c in t.get_text())]
    assert {"考试月份", "合格率（%）", "社团会员管理员 四级"} <= {t.get_text() for t in texts}
    for text in texts:
        assert in_cjk_font(text) is None, in_cjk_font(text)
    assert pass_rate_trend_png([]).startswith(b"\x89PNG")


def test_dashboard_counts(app, client, scenario, make_user, token_for, login, monkeypatch):  # noqa: F811
    admin = scenario["admin"]
    # A draft session, and a scheduled one (papers, in two days) where c1 is enrolled a second time.
    assert client.post("/api/v1/sessions", json=session_body(name="草稿批次"), headers=admin).status_code == 201
    later = timeutil.utcnow() + timedelta(days=2)
    scheduled = client.post("/api/v1/sessions", json=session_body(later, name="下月批次"), headers=admin).get_json()[
        "id"
    ]
    assert (
        client.post(f"/api/v1/sessions/{scheduled}/candidates", json={"username": "c1"}, headers=admin).status_code
        == 201
    )
    with app.app_context():
        session_ops.attach_papers(db.session.get(ExamSession, scheduled), build_papers(1))
        end = db.session.get(ExamSession, scenario["sid"]).theory_end
        month = db.session.get(ExamSession, scenario["sid"]).theory_start.astimezone(timeutil.CHINA).strftime("%Y-%m")
        db.session.commit()
    make_user("other_admin", "center_admin", center="另一评价中心")
    other = token_for("other_admin")
    assert client.post("/api/v1/sessions", json=session_body(name="别家批次"), headers=other).status_code == 201

    # Before 评分中 no session counts towards the pass rates.
    body = client.get("/api/v1/statistics/dashboard", headers=admin).get_json()
    assert body["by_state"]["theory_open"] == 1 and body["outcomes"] == []

    # After the window: c7's attempt closed at the deadline, c8 缺考; the session moves to 评分中.
    make_user("root", "admin")
    root = token_for("root")
    monkeypatch.setattr(timeutil, "utcnow", lambda: end + timedelta(minutes=1))
    r = client.post(f"/api/v1/sessions/{scenario['sid']}/status", json={"status": "scoring"}, headers=admin)
    assert r.status_code == 200, r.get_json()
    body = client.get("/api/v1/statistics/dashboard", headers=admin).get_json()
    everyone = client.get("/api/v1/statistics/dashboard", headers=root).get_json()
    browser = login("sadmin")
    page, png = browser.get("/statistics/"), browser.get("/statistics/trend.png")
    assert body["sessions"] == 3
    assert body["by_state"] == {
        "draft": 1, "scheduled": 1, "theory_open": 0, "theory_closed": 0, "scoring": 1, "published": 0,
    }  # fmt: skip
    assert body["candidates"] == 8 and body["enrollments"] == 9  # c1 twice
    # Decided = every component final: c1–c4 (practical final for them; theory final for all 8 now).
    # c1 80/70, c2 100/60, c3 60/65 pass; c4 40/缺考 fails → 3 of 4.
    (outcome,) = body["outcomes"]
    assert (outcome["session_id"], outcome["status"], outcome["provisional"]) == (scenario["sid"], "scoring", True)
    assert (outcome["candidates"], outcome["decided"], outcome["passed"]) == (8, 4, 3)
    assert outcome["rate"] == pytest.approx(0.75) and outcome["period"] == month
    assert body["series"] == [
        {"standard": "3-01-01-04", "level": "四级", "points": [
            {"period": month, "sessions": 1, "decided": 4, "passed": 3, "provisional": True, "rate": 0.75}]}
    ]  # fmt: skip
    assert everyone["sessions"] == 4 and everyone["by_state"]["draft"] == 2  # the platform admin sees both centers
    html = page.get_data(True)
    assert page.status_code == 200
    for text in ("统计", "评分中（暂定）", "75.00%", "草稿", "考生（人）", "2026年第一批社团会员管理员四级"):
        assert text in html, text
    assert "别家批次" not in html
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")


def test_dashboard_roles(client, make_user, token_for, login):
    make_user("c1")
    assert client.get("/api/v1/statistics/dashboard", headers=token_for("c1")).status_code == 403
    assert client.get("/api/v1/statistics/dashboard").status_code == 401
    assert login("c1").get("/statistics/").status_code == 403
    make_user("sadmin", "center_admin")
    home = login("sadmin").get("/").get_data(True)
    assert 'href="/statistics/"' in home  # the center admin's home links the dashboard (统计)
