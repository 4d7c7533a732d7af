"""POST /api/v1/eligibility and the application lifecycle, to the letter of api-contract.md."""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from app.eligibility.models import Application
from app.eligibility.operations import has_approved_application, today
from app.extensions import db

SHE = "社团会员管理员"


def _years_ago(years: int, days: int = 0) -> str:
    return (today() - relativedelta(years=years, days=days)).isoformat()


GOOD = {"birth_date": "1990-05-01", "work": [{"occupation": SHE, "start": "2010-01-01", "end": None}]}


def short_profile() -> dict:
    """Two years in the occupation up to today (四级 asks for 5): ineligible on any day the suite runs."""
    start = today() - relativedelta(years=2)
    return {"birth_date": "1990-05-01", "work": [{"occupation": SHE, "start": start.isoformat(), "end": None}]}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Application))


@pytest.fixture
def people(make_user, token_for):
    make_user("cand", center="甲中心")
    make_user("lone")  # a candidate without a center
    make_user("boss", role="center_admin", center="甲中心")
    make_user("rival", role="center_admin", center="乙中心")
    make_user("root", role="admin")
    make_user("grader", role="grader", center="甲中心")
    return {name: token_for(name) for name in ("cand", "lone", "boss", "rival", "root", "grader")}


@pytest.fixture
def cand_token(make_user, token_for):
    make_user("solo")
    return token_for("solo")


def test_check_contract_example_shape(client, people):
    body = {
        "standard": "3-01-01-04",
        "level": "四级",
        "as_of": "2026-11-22",
        "candidate": {
            "birth_date": "1990-05-01",
            "work": [{"occupation": SHE, "start": "2022-09-01", "end": None}],
            "certificates": [{"occupation": SHE, "level": "五级", "issued": "2023-03-01"}],
            "education": [
                {
                    "school": "普通高等学校",
                    "program": "本科",
                    "major": "会计学",
                    "status": "graduated",
                    "graduated": "2012-07-01",
                    "assessed": False,
                }
            ],
            "titles": [{"rank": "初级", "matches_field": True, "obtained": "2020-01-01"}],
            "training": [{"level": "五级", "hours": 30, "completion_certificate": True, "completed": "2025-06-30"}],
        },
    }
    response = client.post("/api/v1/eligibility", json=body, headers=people["grader"])  # any signed-in user
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {"eligible", "satisfied", "clauses", "earliest_date"}
    assert data["eligible"] is True and data["satisfied"] == [2] and data["earliest_date"] is None
    assert [c["clause"] for c in data["clauses"]] == [1, 2, 3]
    assert all(set(c) == {"clause", "met", "reason"} for c in data["clauses"])
    assert "4年2个月" in data["clauses"][0]["reason"] and "不足5年" in data["clauses"][0]["reason"]


def test_check_earliest_date_and_default_as_of(client, cand_token):
    start = today() - relativedelta(years=4)
    body = {
        "standard": "3-01-01-04",
        "level": "四级",
        "candidate": {"work": [{"occupation": "公关员", "start": start.isoformat(), "end": None}]},
    }
    data = client.post("/api/v1/eligibility", json=body, headers=cand_token).get_json()
    assert data["eligible"] is False
    assert data["earliest_date"] == (start + relativedelta(years=5)).isoformat()


def test_check_needs_credentials(client):
    assert client.post("/api/v1/eligibility", json={"standard": "3-01-01-04", "level": "四级"}).status_code == 401


@pytest.mark.parametrize(
    ("body", "field", "index"),
    [
        ({"standard": "9-99", "level": "四级"}, "standard", None),
        ({"standard": "3-01-01-04", "level": "六级"}, "level", None),
        ({"standard": "3-01-04-03", "level": "二级"}, "level", None),
        ({"standard": "3-01-01-04", "level": "四级", "as_of": "2026-13-01"}, "as_of", None),
        (
            {
                "standard": "3-01-01-04",
                "level": "四级",
                "as_of": "2026-11-22",
                "candidate": {"birth_date": "1990/05/01"},
            },
            "candidate.birth_date",
            None,
        ),
        (
            {
                "standard": "3-01-01-04",
                "level": "四级",
                "as_of": "2026-11-22",
                "candidate": {
                    "work": [
                        {"occupation": SHE, "start": "2020-01-01", "end": None},
                        {"occupation": SHE, "start": "2021-01-01", "end": "2020-12-31"},
                    ]
                },
            },
            "candidate.work.1.end",
            1,
        ),
        (
            {
                "standard": "3-01-01-04",
                "level": "四级",
                "as_of": "2026-11-22",
                "candidate": {"work": [{"occupation": SHE, "start": "2026-11-23", "end": None}]},
            },
            "candidate.work.0.start",
            0,
        ),
        (
            {
                "standard": "3-01-01-04",
                "level": "四级",
                "as_of": "2026-11-22",
                "candidate": {"certificates": [{"occupation": SHE, "level": "五级", "issued": "2027-01-01"}]},
            },
            "candidate.certificates.0.issued",
            0,
        ),
        (
            {
                "standard": "3-01-01-04",
                "level": "四级",
                "as_of": "2026-11-22",
                "candidate": {
                    "education": [
                        {"school": "大学", "program": "本科", "status": "graduated", "graduated": "2010-07-01"}
                    ]
                },
            },
            "candidate.education.0.school",
            0,
        ),
        (
            {
                "standard": "3-01-01-04",
                "level": "四级",
                "as_of": "2026-11-22",
                "candidate": {"education": [{"school": "普通高等学校", "program": "本科", "status": "graduated"}]},
            },
            "candidate.education.0.graduated",
            0,
        ),
        (
            {
                "standard": "3-01-01-04",
                "level": "四级",
                "as_of": "2026-11-22",
                "candidate": {"titles": [{"rank": "初级", "matches_field": "yes", "obtained": "2020-01-01"}]},
            },
            "candidate.titles.0.matches_field",
            0,
        ),
        (
            {
                "standard": "3-01-01-04",
                "level": "四级",
                "as_of": "2026-11-22",
                "candidate": {"training": [{"level": "五级", "hours": "30", "completion_certificate": True}]},
            },
            "candidate.training.0.hours",
            0,
        ),
        (
            {"standard": "3-01-01-04", "level": "四级", "candidate": {"work": {"occupation": SHE}}},
            "candidate.work",
            None,
        ),
        ({"standard": 3, "level": "四级"}, "standard", None),
    ],
)
def test_check_refuses_bad_input_naming_the_field(client, cand_token, body, field, index):
    response = client.post("/api/v1/eligibility", json=body, headers=cand_token)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["details"]["field"] == field
    assert error["details"].get("index") == index
    assert error["message"]


def test_malformed_json_is_400(client, cand_token):
    response = client.post("/api/v1/eligibility", data="{", headers={**cand_token, "Content-Type": "application/json"})
    assert response.status_code == 400


def test_application_lifecycle(app, client, people):
    response = client.post(
        "/api/v1/applications",
        json={"standard": "3-01-01-04", "level": "四级", "candidate": GOOD},
        headers=people["cand"],
    )
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "eligible" and data["eligibility"]["satisfied"] == [1]
    app_id = data["id"]
    with app.app_context():
        cand_id = db.session.scalar(select(Application.user_id).where(Application.id == app_id))
        assert not has_approved_application(cand_id, "3-01-01-04", "四级")

    # the candidate cannot decide; another center's admin does not see it
    assert client.post(f"/api/v1/applications/{app_id}/approve", json={}, headers=people["cand"]).status_code == 403
    assert client.post(f"/api/v1/applications/{app_id}/approve", json={}, headers=people["rival"]).status_code == 404
    assert client.get(f"/api/v1/applications/{app_id}", headers=people["rival"]).status_code == 404

    response = client.post(
        f"/api/v1/applications/{app_id}/approve", json={"reason": "材料齐全"}, headers=people["boss"]
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "approved"
    assert body["decision"]["by"] == "boss" and body["decision"]["reason"] == "材料齐全" and body["decision"]["at"]
    with app.app_context():
        assert has_approved_application(cand_id, "3-01-01-04", "四级")
        assert not has_approved_application(cand_id, "3-01-01-04", "三级")

    # decided once: both decisions now 409
    assert (
        client.post(f"/api/v1/applications/{app_id}/reject", json={"reason": "x"}, headers=people["boss"]).status_code
        == 409
    )
    assert client.post(f"/api/v1/applications/{app_id}/approve", headers=people["root"]).status_code == 409
    # the candidate sees the decision
    seen = client.get(f"/api/v1/applications/{app_id}", headers=people["cand"]).get_json()
    assert seen["status"] == "approved"


def test_ineligible_cannot_be_approved_but_can_be_rejected(client, people):
    response = client.post(
        "/api/v1/applications",
        json={"standard": "3-01-01-04", "level": "四级", "candidate": short_profile()},
        headers=people["cand"],
    )
    assert response.status_code == 201 and response.get_json()["status"] == "ineligible"
    app_id = response.get_json()["id"]
    assert client.post(f"/api/v1/applications/{app_id}/approve", json={}, headers=people["boss"]).status_code == 409
    response = client.post(f"/api/v1/applications/{app_id}/reject", json={}, headers=people["boss"])
    assert response.status_code == 422 and response.get_json()["error"]["details"]["field"] == "reason"
    response = client.post(
        f"/api/v1/applications/{app_id}/reject", json={"reason": "工作年限不足"}, headers=people["boss"]
    )
    assert response.status_code == 200 and response.get_json()["status"] == "rejected"


def test_only_candidates_apply_and_bad_input_stores_nothing(app, client, people):
    body = {"standard": "3-01-01-04", "level": "四级", "candidate": GOOD}
    assert client.post("/api/v1/applications", json=body).status_code == 401
    assert client.post("/api/v1/applications", json=body, headers=people["boss"]).status_code == 403
    bad = {
        "standard": "3-01-01-04",
        "level": "四级",
        "candidate": {"work": [GOOD["work"][0], {"occupation": SHE, "start": "2020-01-01", "end": "2019-01-01"}]},
    }
    response = client.post("/api/v1/applications", json=bad, headers=people["cand"])
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"field": "candidate.work.1.end", "index": 1}
    for wrong in ({"standard": "nope", "level": "四级", "candidate": GOOD}, {"standard": "590008", "level": "四级"}):
        assert client.post("/api/v1/applications", json=wrong, headers=people["cand"]).status_code == 422
    with app.app_context():
        assert _count() == 0


def test_unknown_application_is_404(client, people):
    assert client.post("/api/v1/applications/999/approve", json={}, headers=people["root"]).status_code == 404


def test_centerless_candidate_goes_to_the_deciding_center(client, people):
    response = client.post(
        "/api/v1/applications",
        json={
            "standard": "3-01-04-03",
            "level": "五级",
            "candidate": {"work": [{"occupation": "劳动保障协理员", "start": "2020-01-01", "end": None}]},
        },
        headers=people["lone"],
    )
    app_id = response.get_json()["id"]
    assert response.get_json()["status"] == "eligible"
    # both centers' admins may see it while it is open; the one that decides keeps it
    assert client.get(f"/api/v1/applications/{app_id}", headers=people["rival"]).status_code == 200
    response = client.post(f"/api/v1/applications/{app_id}/approve", json={}, headers=people["rival"])
    assert response.status_code == 200 and response.get_json()["decision"]["center"] == "乙中心"
    assert client.get(f"/api/v1/applications/{app_id}", headers=people["boss"]).status_code == 404
    listed = client.get("/api/v1/applications", headers=people["rival"]).get_json()["applications"]
    assert [a["id"] for a in listed] == [app_id]
    assert client.get("/api/v1/applications", headers=people["boss"]).get_json()["applications"] == []


def test_candidates_see_only_their_own(client, people):
    response = client.post(
        "/api/v1/applications",
        json={"standard": "3-01-01-04", "level": "五级", "candidate": {"birth_date": "2000-01-01"}},
        headers=people["cand"],
    )
    app_id = response.get_json()["id"]
    assert client.get(f"/api/v1/applications/{app_id}", headers=people["lone"]).status_code == 404
    assert client.get("/api/v1/applications", headers=people["lone"]).get_json()["applications"] == []


def test_application_snapshot_is_as_of_today(app, client, people):
    response = client.post(
        "/api/v1/applications",
        json={"standard": "3-01-01-04", "level": "五级", "candidate": {"birth_date": _years_ago(16)}},
        headers=people["cand"],
    )
    assert response.get_json()["status"] == "eligible"
    # one open application per level: the candidate withdraws the pending one before applying again
    first = response.get_json()["id"]
    assert client.post(f"/api/v1/applications/{first}/withdraw", headers=people["cand"]).status_code == 200
    response = client.post(
        "/api/v1/applications",
        json={"standard": "3-01-01-04", "level": "五级", "candidate": {"birth_date": _years_ago(16, -1)}},
        headers=people["cand"],
    )
    data = response.get_json()
    assert data["status"] == "ineligible"
    assert data["eligibility"]["earliest_date"] == (today() + relativedelta(days=1)).isoformat()
    with app.app_context():
        stored = db.session.get(Application, data["id"])
        assert stored.as_of == today() and isinstance(stored.as_of, date)
        assert stored.profile["birth_date"] == _years_ago(16, -1)
