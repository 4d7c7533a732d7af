"""GET|PUT /api/v1/centers/<id>/score-visibility (issue 27 item 11): the center admin reads and sets
when its candidates see their theory score — the same setting as the page form, read by the one rule
(app/exams/score_visibility.py) everywhere, GET /attempts included; audited old → new; another
center's: 404; a failing request changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import Center
from app.exams.models import Attempt
from app.exams.score_visibility import ScoreDisplaySettings
from app.extensions import db
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)

PATH = "/api/v1/centers/{}/score-visibility"


def _center_id(app, name: str = "测试评价中心") -> int:
    with app.app_context():
        return db.session.scalar(select(Center.id).where(Center.name == name))


def _rows(app) -> tuple[int, int]:
    with app.app_context():
        settings = db.session.scalar(select(func.count()).select_from(ScoreDisplaySettings))
        audited = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "results.score_display_set")
        )
        return settings, audited


def test_the_center_admin_reads_the_default_and_sets_publication(flow, app):
    cid = _center_id(app)
    url = PATH.format(cid)
    got = flow.client.get(url, headers=flow.admin)
    assert got.status_code == 200
    body = got.get_json()
    assert (body["center"], body["theory_release"], body["saved"], body["default"]) == (
        cid,
        "at_once",
        False,
        "at_once",
    )
    assert [c["value"] for c in body["choices"]] == ["at_once", "published"]
    put = flow.client.put(url, json={"theory_release": "published"}, headers=flow.admin)
    assert put.status_code == 200
    assert put.get_json()["theory_release"] == "published" and put.get_json()["saved"] is True
    assert flow.client.get(url, headers=flow.admin).get_json()["theory_release"] == "published"
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "results.score_display_set"))
        assert entry.center_id == cid
        assert entry.details == {"old": {"theory_release": None}, "new": {"theory_release": "published"}}


def test_the_setting_set_by_the_api_governs_get_attempts(flow, app, token_for):
    cid = _center_id(app)
    assert (
        flow.client.put(PATH.format(cid), json={"theory_release": "published"}, headers=flow.admin).status_code == 200
    )
    sid = flow.session(["c1"])
    flow.theory(sid, "c1", 59.995)
    flow.practical(sid, "c1", 80)
    with app.app_context():
        aid = db.session.scalar(select(Attempt.id).where(Attempt.session_id == sid))
    candidate = token_for("c1")
    withheld = flow.client.get(f"/api/v1/attempts/{aid}", headers=candidate).get_json()
    assert withheld["score"] is None and withheld["score_text"] is None and withheld["score_pending"] is True
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200
    shown = flow.client.get(f"/api/v1/attempts/{aid}", headers=candidate).get_json()
    assert shown["score"] == 59.995 and shown["score_text"] == "59.99" and shown["score_pending"] is False
    assert flow.results(sid)["c1"]["passed"] is False  # 59.995 < 60: the rule reads the unrounded score
    back = flow.client.put(PATH.format(cid), json={"theory_release": "at_once"}, headers=flow.admin)
    assert back.status_code == 200 and back.get_json()["theory_release"] == "at_once"


def test_another_center_is_404_a_candidate_403_the_platform_admin_any(flow, app, make_user, token_for):
    cid = _center_id(app)
    make_user("admin_b", "center_admin", center="第二评价中心")
    make_user("root", "admin")
    other, root = token_for("admin_b"), token_for("root")
    before = _rows(app)
    for method in ("get", "put"):
        r = getattr(flow.client, method)(PATH.format(cid), json={"theory_release": "published"}, headers=other)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    flow.user("c1")
    r = flow.client.put(PATH.format(cid), json={"theory_release": "published"}, headers=token_for("c1"))
    assert r.status_code == 403
    assert flow.client.get(PATH.format(cid)).status_code == 401
    assert flow.client.get(PATH.format(999_999), headers=root).status_code == 404
    assert _rows(app) == before  # refused: nothing stored, nothing audited
    put = flow.client.put(PATH.format(cid), json={"theory_release": "published"}, headers=root)
    assert put.status_code == 200 and flow.client.get(PATH.format(cid), headers=flow.admin).get_json()["saved"] is True


def test_a_bad_body_is_refused_naming_the_field_and_changes_nothing(flow, app):
    url = PATH.format(_center_id(app))
    before = _rows(app)
    for body in ({"theory_release": "tomorrow"}, {"theory_release": 1}, {"theory_release": ["published"]}, {}):
        r = flow.client.put(url, json=body, headers=flow.admin)
        assert r.status_code == 422, body
        assert r.get_json()["error"]["details"]["field"] == "theory_release"
    unknown = flow.client.put(url, json={"theory_release": "tomorrow"}, headers=flow.admin).get_json()["error"]
    assert "理论成绩显示时间" in unknown["message"]
    malformed = flow.client.put(url, data="{", content_type="application/json", headers=flow.admin)
    assert malformed.status_code == 400
    assert _rows(app) == before
