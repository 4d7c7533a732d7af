"""Rooms have a type: 3-01-01-04 1.9.5 理论知识考试在标准教室或计算机机房进行 (and 3-01-04-03 1.9.5
实行机考时需配备相应的网上考试系统). A machine sitting in a 标准教室 is a readiness problem citing
1.9.5; a paper sitting sits in a 标准教室; the type is optional and defaults to what the sitting needs."""

from __future__ import annotations

from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)


def _room(flow, sid, **extra):
    return flow.client.post(
        f"/api/v1/sessions/{sid}/rooms",
        json={"name": "B201", "capacity": 30, "kind": "theory", **extra},
        headers=flow.admin,
    )


def _codes(flow, sid) -> dict:
    body = flow.client.get(f"/api/v1/sessions/{sid}/readiness", headers=flow.admin).get_json()
    return {p["code"]: p["message"] for p in body["problems"]}


def test_machine_sitting_in_a_classroom_is_a_readiness_problem(flow):
    sid = flow.session(["c1"])
    assert "room_not_computer_lab" not in _codes(flow, sid)  # A101, unsaid: a 计算机机房 for a machine sitting
    r = _room(flow, sid, room_type="classroom")
    assert r.status_code == 201 and r.get_json()["room_type"] == "classroom"
    message = _codes(flow, sid)["room_not_computer_lab"]
    assert "B201" in message and "1.9.5" in message and "计算机机房" in message


def test_computer_lab_and_paper_sittings_raise_no_room_problem(flow):
    sid = flow.session(["c1"])
    assert _room(flow, sid, room_type="computer_lab").get_json()["room_type"] == "computer_lab"
    assert "room_not_computer_lab" not in _codes(flow, sid)
    paper = flow.session(["c2"], standard="3-01-04-03", level="四级", theory_mode="paper", practical_minutes=90)
    r = _room(flow, paper)
    assert r.get_json()["room_type"] == "classroom"  # 书面笔答 sits in a 标准教室 by default
    assert "room_not_computer_lab" not in _codes(flow, paper)


def test_room_type_is_validated(flow):
    sid = flow.session(["c1"])
    r = _room(flow, sid, room_type="gym")
    assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == "room_type"
    practical = flow.client.post(
        f"/api/v1/sessions/{sid}/rooms",
        json={"name": "实操1", "capacity": 10, "kind": "practical", "stations": 3},
        headers=flow.admin,
    )
    assert practical.status_code == 201 and practical.get_json()["room_type"] is None
