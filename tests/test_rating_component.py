"""The rating panel as one entry of the assessment registry, cited evidence readable by the round's
experts, per-round thresholds, and the unscored capacity checklist."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app import assessment
from app.append_only import AppendOnlyError
from app.audit.models import AuditEntry
from app.extensions import db
from app.rating.models import RatingRecord
from tests.authorization_world import PNG
from tests.rating_fixtures import CENTER, RatingWorld


def test_rating_is_one_more_panel_component(app):
    rating = assessment.get("rating")
    assert rating.label == "评估专家评分" and rating.staff_role.value == "expert"
    assert rating.panel_problem(2) and rating.panel_problem(4) and rating.panel_problem(3) is None
    assert rating.panel_problem(5) is None
    # a round is not a session: the session bodies and forms list the session components only
    assert "rating" not in [c.key for c in assessment.session_kinds()]
    assert rating.final_scores(None) == {} and rating.close_expired(None, None) == 0


def test_cited_evidence_is_readable_by_the_rounds_experts(client, make_user, token_for):
    w = RatingWorld(client, make_user, token_for).setup()
    make_user("outsider", "expert")
    uploaded = client.post(
        "/api/v1/uploads",
        data={"label": "章程", "file": (io.BytesIO(PNG), "zc.png")},
        headers=w.ca,
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.get_json()
    file_id = uploaded.get_json()["id"]
    assert client.get(f"/api/v1/uploads/{file_id}", headers=w.tokens["ex1"]).status_code == 404  # not cited yet
    cited = client.put(f"{w.org}/self/1.1.1.1", json={"score": 4, "evidence": [file_id]}, headers=w.ca)
    assert cited.status_code == 200
    assert client.get(f"/api/v1/uploads/{file_id}", headers=w.tokens["ex1"]).status_code == 200
    assert client.get(f"/api/v1/uploads/{file_id}", headers=token_for("outsider")).status_code == 404
    assert client.get(f"/api/v1/uploads/{file_id}", headers=w.admin).status_code == 200
    # another center's admin may not cite it
    other = client.put(f"{w.org}/self/1.1.1.2", json={"score": 3, "evidence": [file_id]}, headers=w.other_ca)
    assert other.status_code == 404


def test_thresholds_are_the_rounds_own(client, make_user, token_for):
    grades = [{"grade": "5A", "min": 900}, {"grade": "4A", "min": 800}, {"grade": "3A", "min": 700}]
    w = RatingWorld(client, make_user, token_for).setup(grades=grades)
    body = client.get(f"/api/v1/rating/rounds/{w.rid}", headers=w.admin).get_json()
    assert body["grades"] == grades and body["grades_source"] == "平台管理员为本批次设置"
    bad = client.put(
        f"/api/v1/rating/rounds/{w.rid}/grades", json={"grades": [{"grade": "5A", "min": 1001}]}, headers=w.admin
    )
    assert bad.status_code == 422
    w.submit()
    w.score_all({"3.6.1.1": [0, 0, 0], "3.4.1.2": [0, 0, 0], "3.1.2.1": [0, 0, 0]})  # 1000 − 50 − 40 − 20 = 890 → 4A
    assert w.finalize().get_json()["grade"] == "4A"
    later = client.put(f"/api/v1/rating/rounds/{w.rid}/grades", json={"grades": grades}, headers=w.admin)
    assert later.status_code == 409


def test_capacity_checklist_is_unscored(client, make_user, token_for):
    w = RatingWorld(client, make_user, token_for)
    listed = client.get("/api/v1/rating/frameworks", headers=w.ca).get_json()
    assert {"id": "ssof-capacity", "name": "枢纽型社会组织能力建设自查", "total": 0} in listed
    body = client.get("/api/v1/rating/frameworks/ssof-capacity", headers=w.ca).get_json()
    first = body["nodes"][0]["children"][0]
    assert first["title"] == "法人治理能力" and first["children"][0]["children"][0]["title"] == "党组织建立"
    assert body["levels"] == ["达到", "部分达到", "未达到"]
    round_free = w.create_round()  # the checklist needs no round; the center id comes from an enrolment
    rid = round_free.get_json()["id"]
    cid = client.post(f"/api/v1/rating/rounds/{rid}/organizations", json={"center": CENTER}, headers=w.admin)
    cid = cid.get_json()["center_id"]
    url = f"/api/v1/rating/checklists/ssof-capacity/centers/{cid}"
    short = client.put(f"{url}/A.1.1.1", json={"level": "部分达到"}, headers=w.ca)
    assert short.status_code == 422 and short.get_json()["error"]["details"]["field"] == "measure"
    saved = client.put(f"{url}/A.1.1.1", json={"level": "部分达到", "measure": "年内联合建立党支部"}, headers=w.ca)
    assert saved.status_code == 200
    assert client.get(url, headers=w.ca).get_json()["answers"]["A.1.1.1"]["level"] == "部分达到"
    assert client.get(url, headers=w.other_ca).status_code == 404
    rounds_refused = client.post(
        "/api/v1/rating/rounds",
        json={
            "framework": "ssof-capacity",
            "name": "x",
            "year": 2026,
            "self_assessment_due": "2026-01-01",
            "experts": [],
        },
        headers=w.admin,
    )
    assert rounds_refused.status_code == 422


def test_who_may_see_an_organization_and_what_is_recorded(app, client, make_user, token_for):
    w = RatingWorld(client, make_user, token_for).setup()
    make_user("outsider", "expert")
    make_user("somebody", "candidate")
    assert client.get(w.org, headers=token_for("outsider")).status_code == 403
    assert client.get(w.org, headers=token_for("somebody")).status_code == 403
    assert client.get(w.org, headers=w.other_ca).status_code == 404
    assert client.get(w.org).status_code == 401
    w.submit()
    assert w.score("ex1", "1.1.1.1", 4).status_code == 200
    assert w.score("ex1", "1.1.1.1", 3, "签到表缺页").status_code == 200  # a correction
    with app.app_context():
        records = db.session.scalars(select(RatingRecord).where(RatingRecord.code == "1.1.1.1")).all()
        assert [(r.action, r.old and r.old["score"], r.new["score"]) for r in records] == [
            ("expert", None, 4.0),
            ("expert", 4.0, 3.0),
        ]
        records[0].new = {"score": 0}
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("rating.%"))).all()
        assert {"rating.round_created", "rating.organization_enrolled", "rating.self_submitted"} <= set(actions)
        assert actions.count("rating.expert_scored") == 2
