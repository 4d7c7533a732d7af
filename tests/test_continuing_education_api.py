"""Continuing education (继续教育) per contract v1.2: requirement defaults (90 学时, 专业科目 60 —
《专业技术人员继续教育规定》 第八条), claims, 学时认定 (credited = claimed vs more, twice, one's own),
summaries, platform records from attended classes, and the readiness warning (结果运用)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app import timeutil

CENTER = "丙评价中心"


def year_now() -> int:
    return timeutil.utcnow().astimezone(timeutil.CHINA).year


@pytest.fixture
def ce(make_user, token_for):
    make_user("boss", role="center_admin", center=CENTER)
    make_user("boss2", role="center_admin", center=CENTER)
    make_user("g1", role="grader", center=CENTER)
    make_user("cand", center=CENTER)
    make_user("stranger", role="center_admin", center="丁中心")
    return {name: token_for(name) for name in ("boss", "boss2", "g1", "cand", "stranger")}


def claim(client, headers, hours=10, **over):
    year = year_now()
    body = {
        "year": year,
        "form": "学术会议·讲座·访问",
        "category": "专业科目",
        "title": "社团管理讲座",
        "date": f"{year}-01-02",
        "hours": hours,
        "evidence": [],
    }
    body.update(over)
    return client.post("/api/v1/ce/records", json=body, headers=headers)


def test_requirement_defaults_and_center_change(client, ce, app):
    with app.app_context():
        from sqlalchemy import select

        from app.auth.models import Center
        from app.extensions import db

        cid = db.session.scalar(select(Center.id).where(Center.name == CENTER))
    got = client.get(f"/api/v1/centers/{cid}/continuing-education", headers=ce["boss"]).get_json()
    assert got["annual_hours"] == 90 and got["minimum"] == {"专业科目": 60} and got["source"] == "default"
    assert "专业技术人员继续教育规定" in got["defaults"]["source"]
    assert [f["form"] for f in got["forms"]] == ["培训·研修·进修", "学术会议·讲座·访问", "远程教育", "实践活动", "其他"]
    body = {
        "annual_hours": 72,
        "minimum": {"专业科目": 48},
        "forms": [{"form": "远程教育", "hours_rule": "按课程学时"}],
    }
    put = client.put(f"/api/v1/centers/{cid}/continuing-education", json=body, headers=ce["boss"])
    assert put.status_code == 200 and put.get_json()["annual_hours"] == 72 and put.get_json()["source"] == "center"
    assert client.get(f"/api/v1/centers/{cid}/continuing-education", headers=ce["stranger"]).status_code == 404
    assert client.get(f"/api/v1/centers/{cid}/continuing-education", headers=ce["g1"]).status_code == 403
    assert claim(client, ce["g1"]).status_code == 422  # that form is no longer the center's


def test_claim_credit_equal_to_claimed_then_more_is_422(client, ce):
    first = claim(client, ce["g1"], hours=10)
    assert first.status_code == 201 and first.get_json()["status"] == "pending"
    rid = first.get_json()["id"]
    more = client.post(f"/api/v1/ce/records/{rid}/approve", json={"hours": 10.5}, headers=ce["boss"])
    assert more.status_code == 422 and more.get_json()["error"]["details"]["field"] == "hours"
    equal = client.post(f"/api/v1/ce/records/{rid}/approve", json={"hours": 10}, headers=ce["boss"])
    assert equal.status_code == 200 and equal.get_json()["credited"] == 10
    again = client.post(f"/api/v1/ce/records/{rid}/reject", json={"reason": "重复"}, headers=ce["boss2"])
    assert again.status_code == 409
    summary = client.get(f"/api/v1/ce/summary?year={year_now()}", headers=ce["g1"]).get_json()
    assert summary["credited"] == {"公需科目": 0, "专业科目": 10} and summary["total"] == 10
    assert summary["met"] is False and summary["shortfall"] == {"total": 80, "专业科目": 50}


def test_own_claim_cannot_be_decided_by_its_author(client, ce):
    rid = claim(client, ce["boss"]).get_json()["id"]
    assert client.post(f"/api/v1/ce/records/{rid}/approve", json={}, headers=ce["boss"]).status_code == 403
    assert client.post(f"/api/v1/ce/records/{rid}/approve", json={}, headers=ce["stranger"]).status_code == 404
    assert client.post(f"/api/v1/ce/records/{rid}/approve", json={}, headers=ce["boss2"]).status_code == 200


def test_reject_needs_a_reason(client, ce):
    rid = claim(client, ce["g1"]).get_json()["id"]
    assert client.post(f"/api/v1/ce/records/{rid}/reject", json={}, headers=ce["boss"]).status_code == 422
    done = client.post(f"/api/v1/ce/records/{rid}/reject", json={"reason": "材料不符"}, headers=ce["boss"])
    assert done.status_code == 200 and done.get_json()["status"] == "rejected"


def test_a_candidate_without_certificate_cannot_claim(client, ce):
    assert claim(client, ce["cand"]).status_code == 403


def test_summary_met_at_exactly_the_requirement(client, ce):
    for category, hours in (("专业科目", 60), ("公需科目", 30)):
        rid = claim(client, ce["g1"], hours=hours, category=category).get_json()["id"]
        assert (
            client.post(f"/api/v1/ce/records/{rid}/approve", json={"hours": hours}, headers=ce["boss"]).status_code
            == 200
        )
    summary = client.get(f"/api/v1/ce/summary?username=g1&year={year_now()}", headers=ce["boss"]).get_json()
    assert summary["total"] == 90 and summary["met"] is True and summary["shortfall"] == {"total": 0, "专业科目": 0}
    assert client.get("/api/v1/ce/summary?username=g1", headers=ce["stranger"]).status_code == 404
    assert client.get("/api/v1/ce/summary?username=g1", headers=ce["cand"]).status_code == 404


def test_evidence_must_be_ones_own_upload_and_the_center_admin_reads_it(client, ce):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    up = client.post(
        "/api/v1/uploads",
        data={"label": "听课证明", "file": (io.BytesIO(buffer.getvalue()), "a.png")},
        headers=ce["g1"],
        content_type="multipart/form-data",
    )
    assert up.status_code == 201, up.get_json()
    fid = up.get_json()["id"]
    assert claim(client, ce["boss"], evidence=[fid]).status_code == 422  # not the boss's file
    assert client.get(f"/api/v1/uploads/{fid}", headers=ce["boss"]).status_code == 404
    assert claim(client, ce["g1"], evidence=[fid]).status_code == 201
    assert client.get(f"/api/v1/uploads/{fid}", headers=ce["boss"]).status_code == 200


def test_attended_classes_become_platform_records(client, ce, make_user, token_for):
    from tests.test_training_api import beijing_today

    make_user("t9", role="grader", center=CENTER)
    today = beijing_today()
    body = {
        "name": "劳动保障协理员五级培训",
        "standard": "3-01-04-03",
        "level": "五级",
        "kind": "theory",
        "start": today.isoformat(),
        "end": today.isoformat(),
        "trainers": ["t9"],
    }
    tid = client.post("/api/v1/trainings", json=body, headers=ce["boss"]).get_json()["id"]
    client.post(f"/api/v1/trainings/{tid}/trainees", json={"username": "g1"}, headers=ce["boss"])
    cls = {"date": today.isoformat(), "start": "09:00", "end": "12:00", "hours": 3, "topic": "政策"}
    cid = client.post(f"/api/v1/trainings/{tid}/classes", json=cls, headers=ce["boss"]).get_json()["id"]
    url = f"/api/v1/trainings/{tid}/classes/{cid}/attendance"
    assert client.put(url, json={"present": ["g1"]}, headers=token_for("t9")).status_code == 200
    summary = client.get(f"/api/v1/ce/summary?year={today.year}", headers=ce["g1"]).get_json()
    assert summary["credited"]["专业科目"] == 3
    records = client.get("/api/v1/ce/records", headers=ce["g1"]).get_json()["records"]
    assert [(r["source"], r["status"], r["hours"]) for r in records] == [("platform", "approved", 3)]
    assert client.put(url, json={"present": []}, headers=token_for("t9")).status_code == 200
    assert client.get(f"/api/v1/ce/summary?year={today.year}", headers=ce["g1"]).get_json()["total"] == 0


def test_readiness_warns_about_a_grader_short_of_last_year(client, app, ce):
    from datetime import timedelta

    start = timeutil.utcnow() + timedelta(days=3)
    body = {
        "name": "批次",
        "standard": "3-01-01-04",
        "level": "四级",
        "theory_start": start.isoformat(),
        "theory_minutes": 90,
        "practical_minutes": 60,
    }
    sid = client.post("/api/v1/sessions", json=body, headers=ce["boss"]).get_json()["id"]
    staff = {"username": "g1", "role": "grader", "room": None, "panel": None}
    assert client.post(f"/api/v1/sessions/{sid}/staff", json=staff, headers=ce["boss"]).status_code == 201
    problems = client.get(f"/api/v1/sessions/{sid}/readiness", headers=ce["boss"]).get_json()["problems"]
    assert not [p for p in problems if p["code"] == "continuing_education"]  # the center runs no CE yet
    last = start.astimezone(timeutil.CHINA).year - 1
    short = claim(client, ce["g1"], hours=30, year=last, date=f"{last}-03-01").get_json()["id"]
    assert client.post(f"/api/v1/ce/records/{short}/approve", json={}, headers=ce["boss"]).status_code == 200
    problems = client.get(f"/api/v1/sessions/{sid}/readiness", headers=ce["boss"]).get_json()["problems"]
    warned = [p for p in problems if p["code"] == "continuing_education"]
    assert len(warned) == 1 and "g1" in warned[0]["message"]
    for category, hours in (("专业科目", 30), ("公需科目", 30)):
        row = claim(client, ce["g1"], hours=hours, category=category, year=last, date=f"{last}-06-01")
        assert (
            client.post(f"/api/v1/ce/records/{row.get_json()['id']}/approve", json={}, headers=ce["boss"]).status_code
            == 200
        )
    problems = client.get(f"/api/v1/sessions/{sid}/readiness", headers=ce["boss"]).get_json()["problems"]
    assert not [p for p in problems if p["code"] == "continuing_education"]
