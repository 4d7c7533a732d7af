"""The public contract end to end, as another system would drive it: a fresh database made with
the CLI, users made with the CLI, then only /api/v1 calls with bearer tokens (the integration API, README)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app import create_app
from app.timeutil import utcnow

PASSWORD = "pass-1234"

# 4.1 四级 of 3-01-01-04: a 20-point paper of 1-point judge items gets weight × 20 / 100 points per area.
WEIGHTS_4 = {
    "职业道德": 5,
    "基础知识": 20,
    "宣传讲解": 10,
    "会员发展": 15,
    "权益维护": 10,
    "履职监督": 10,
    "会籍管理": 15,
    "会员服务": 15,
}
POINTS_20 = {area: w * 20 // 100 for area, w in WEIGHTS_4.items()}


@pytest.fixture
def world(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'contract.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    people = [
        ("boss", "center_admin", "甲评价中心"),
        ("outsider", "center_admin", "乙培训学校"),
        ("p1", "proctor", "甲评价中心"),
        ("p2", "proctor", "甲评价中心"),
        ("alice", "candidate", None),
        ("bob", "candidate", None),
    ]
    for username, role, center in people:
        args = ["users", "create", "--username", username, "--password", PASSWORD, "--role", role]
        if center:
            args += ["--center", center]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    client = app.test_client()

    def token(username: str) -> dict:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200
        return {"Authorization": "Bearer " + response.get_json()["token"]}

    return client, {name: token(name) for name, _, _ in people}


def judge_bank() -> list[dict]:
    """Two true and two false statements per needed point, every area of 四级's table."""
    items = []
    for area, points in POINTS_20.items():
        for n in range(points * 4):
            items.append(
                {
                    "external_id": f"J-{area}-{n}",
                    "type": "judge",
                    "stem": f"{area} 判断题 {n}",
                    "answer": n % 2 == 0,
                    "points": 1,
                    "area": area,
                    "level": "四级",
                    "difficulty": 0.6,
                    "enemy_group": None,
                }
            )
    return items


def test_contract_end_to_end(world):
    client, tokens = world
    worked_since = (date.today() - timedelta(days=5 * 366 + 10)).isoformat()
    profile = {
        "birth_date": "1990-05-01",
        "work": [{"occupation": "社团会员管理员", "start": worked_since, "end": None}],
    }

    # 申报: 1.9.1 四级 (1) 累计从事本职业工作满 5 年.
    check = client.post(
        "/api/v1/eligibility",
        json={"standard": "3-01-01-04", "level": "四级", "candidate": profile},
        headers=tokens["bob"],
    )
    assert check.status_code == 200
    body = check.get_json()
    assert body["eligible"] is True and 1 in body["satisfied"] and body["earliest_date"] is None
    assert {"clause", "met", "reason"} <= set(body["clauses"][0])

    application = client.post(
        "/api/v1/applications",
        json={"standard": "3-01-01-04", "level": "四级", "candidate": profile},
        headers=tokens["alice"],
    )
    assert application.status_code == 201
    app_id = application.get_json()["id"]
    assert application.get_json()["status"] == "eligible"
    assert (
        client.post(f"/api/v1/applications/{app_id}/approve", json={"reason": "x"}, headers=tokens["alice"]).status_code
        == 403
    )
    approved = client.post(
        f"/api/v1/applications/{app_id}/approve", json={"reason": "材料齐全"}, headers=tokens["boss"]
    )
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    again = client.post(f"/api/v1/applications/{app_id}/reject", json={"reason": "改主意"}, headers=tokens["boss"])
    assert again.status_code == 409

    # 题库 and 组卷.
    imported = client.post("/api/v1/banks/3-01-01-04/items", json={"items": judge_bank()}, headers=tokens["boss"])
    assert imported.status_code == 201 and imported.get_json() == {"imported": len(judge_bank())}
    listed = client.get("/api/v1/banks/3-01-01-04/items?level=四级&area=会籍管理", headers=tokens["boss"]).get_json()
    assert len(listed["items"]) == POINTS_20["会籍管理"] * 4
    sections = [{"type": "judge", "count": 20}]
    papers = client.post(
        "/api/v1/papers/assemble",
        json={
            "standard": "3-01-01-04",
            "level": "四级",
            "forms": 2,
            "max_overlap": 0.5,
            "seed": 7,
            "sections": sections,
            "difficulty": {"min": 0.5, "max": 0.7},
        },
        headers=tokens["boss"],
    )
    assert papers.status_code == 201, papers.get_json()
    forms = papers.get_json()["papers"]
    assert len(forms) == 2
    for paper in forms:
        assert paper["total_points"] == 20 and paper["area_points"] == POINTS_20
        assert len({i["item_id"] for i in paper["items"]}) == 20
    shared = {i["item_id"] for i in forms[0]["items"]} & {i["item_id"] for i in forms[1]["items"]}
    assert len(shared) <= 10

    # 考试批次.
    start = utcnow() - timedelta(minutes=5)
    too_short = client.post(
        "/api/v1/sessions",
        json={
            "name": "短",
            "standard": "3-01-01-04",
            "level": "四级",
            "theory_start": start.isoformat(),
            "theory_minutes": 59,
            "practical_minutes": 40,
            "review_minutes": None,
        },
        headers=tokens["boss"],
    )
    assert too_short.status_code == 422  # 1.9.4 理论知识考试时长不少于 60min
    created = client.post(
        "/api/v1/sessions",
        json={
            "name": "十一月批次",
            "standard": "3-01-01-04",
            "level": "四级",
            "theory_start": start.isoformat(),
            "theory_minutes": 60,
            "practical_minutes": 40,
            "review_minutes": None,
        },
        headers=tokens["boss"],
    )
    assert created.status_code == 201
    sid = created.get_json()["id"]
    assert client.get(f"/api/v1/sessions/{sid}/readiness", headers=tokens["outsider"]).status_code == 404
    room = client.post(
        f"/api/v1/sessions/{sid}/rooms",
        json={"name": "一号考场", "capacity": 30, "kind": "theory", "stations": None},
        headers=tokens["boss"],
    )
    assert room.status_code == 201
    room_id = room.get_json()["id"]
    staff = client.post(
        f"/api/v1/sessions/{sid}/staff",
        json={"username": "p1", "role": "proctor", "room": room_id, "panel": None},
        headers=tokens["boss"],
    )
    assert staff.status_code == 201
    assert (
        client.post(
            f"/api/v1/sessions/{sid}/candidates", json={"username": "alice", "room": room_id}, headers=tokens["boss"]
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/sessions/{sid}/candidates", json={"username": "bob", "room": room_id}, headers=tokens["boss"]
        ).status_code
        == 409
    )  # no approved application
    readiness = client.get(f"/api/v1/sessions/{sid}/readiness", headers=tokens["boss"]).get_json()
    assert readiness["ready"] is False
    assert readiness["problems"] and all({"code", "message"} <= set(p) for p in readiness["problems"])
    assigned = client.post(
        f"/api/v1/sessions/{sid}/papers",
        json={"forms": 1, "max_overlap": 0.2, "seed": 3, "sections": sections},
        headers=tokens["boss"],
    )
    assert assigned.status_code == 201, assigned.get_json()

    # 机考.
    attempt = client.post(f"/api/v1/sessions/{sid}/attempt", headers=tokens["alice"])
    assert attempt.status_code == 201, attempt.get_json()
    exam = attempt.get_json()
    assert len(exam["questions"]) == 20
    # Datetimes carry an offset, written in Beijing time like the contract's examples.
    assert exam["deadline"].endswith("+08:00")
    assert datetime.fromisoformat(exam["deadline"]) == start + timedelta(minutes=60)
    assert exam["answers"] in ({}, None) or not any(exam["answers"].values())
    assert not any({"answer", "key", "correct"} & set(q) for q in exam["questions"])
    keys = {item["stem"]: item["answer"] for item in judge_bank()}
    aid = exam["attempt_id"]
    for number, question in enumerate(exam["questions"]):
        assert set(question) >= {"qid", "type", "stem", "options", "points"}
        answer = keys[question["stem"]] if number < 15 else not keys[question["stem"]]
        saved = client.put(
            f"/api/v1/attempts/{aid}/answers/{question['qid']}", json={"answer": answer}, headers=tokens["alice"]
        )
        assert saved.status_code == 200 and "saved_at" in saved.get_json()
    assert client.get(f"/api/v1/attempts/{aid}", headers=tokens["bob"]).status_code == 404
    again = client.post(f"/api/v1/sessions/{sid}/attempt", headers=tokens["alice"]).get_json()
    assert again["attempt_id"] == aid
    status = client.get(f"/api/v1/attempts/{aid}", headers=tokens["alice"]).get_json()
    assert status["status"] == "in_progress" and status["score"] is None and len(status["answers"]) == 20
    assert client.post(f"/api/v1/attempts/{aid}/submit", headers=tokens["alice"]).get_json()["status"] == "submitted"
    late = client.put(
        f"/api/v1/attempts/{aid}/answers/{exam['questions'][0]['qid']}", json={"answer": True}, headers=tokens["alice"]
    )
    assert late.status_code == 409
    final = client.get(f"/api/v1/attempts/{aid}", headers=tokens["alice"]).get_json()
    assert final["status"] == "submitted" and final["score"] == pytest.approx(75.0)
