"""Organization rating through the API (contract v1.2 "Organization rating"): rounds and their panel
rule, self-assessment with formula leaves, the experts, finalize, 公示/复核/announce with time moved,
the certificate."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine

from app import timeutil
from scoring.rating import certificate_validity
from tests.rating_fixtures import CENTER, FRAMEWORK, LEAVES, RatingWorld


def world(client, make_user, token_for, **kwargs) -> RatingWorld:
    return RatingWorld(client, make_user, token_for, **kwargs)


def test_frameworks_are_listed_and_read_back(client, make_user, token_for):
    w = world(client, make_user, token_for)
    listed = client.get("/api/v1/rating/frameworks", headers=w.ca).get_json()
    assert {"id": "changzhou-vocational", "name": FRAMEWORK.name, "total": 1000} in listed
    body = client.get("/api/v1/rating/frameworks/changzhou-vocational", headers=w.ca).get_json()
    assert body["total"] == 1000
    assert [(n["code"], n["title"], n["points"]) for n in body["nodes"]] == [
        ("1", "基础条件", 80),
        ("2", "内部治理", 380),
        ("3", "工作绩效", 440),
        ("4", "社会评价", 100),
    ]
    assert body["grades"][0] == {"grade": "5A", "min": 951}
    assert client.get("/api/v1/rating/frameworks/nope", headers=w.ca).status_code == 404


def test_round_needs_an_odd_panel_of_at_least_three(client, make_user, token_for):
    w = world(client, make_user, token_for, experts=4)
    for experts in (w.experts[:2], w.experts[:4], w.experts[:1]):
        response = w.create_round(experts=experts)
        assert response.status_code == 422, experts
        assert response.get_json()["error"]["details"]["field"] == "experts"
    assert w.create_round(experts=["rca", *w.experts[:2]]).status_code == 422  # not an expert account
    assert w.create_round(experts=w.experts[:3]).status_code == 201
    assert client.post("/api/v1/rating/rounds", json={}, headers=w.ca).status_code == 403


def test_enrolment_by_center_name(client, make_user, token_for):
    w = world(client, make_user, token_for).setup()
    again = client.post(f"/api/v1/rating/rounds/{w.rid}/organizations", json={"center": CENTER}, headers=w.admin)
    assert again.status_code == 409
    unknown = client.post(f"/api/v1/rating/rounds/{w.rid}/organizations", json={"center": "无此机构"}, headers=w.admin)
    assert unknown.status_code == 422


def test_self_assessment_rules(client, make_user, token_for):
    w = world(client, make_user, token_for).setup()
    put = lambda code, body, who=w.ca: client.put(f"{w.org}/self/{code}", json=body, headers=who)  # noqa: E731
    assert put("1.1.1.1", {"score": 4, "note": "章程第十条"}).get_json() == {"code": "1.1.1.1", "score": 4}
    assert put("1.1.1.1", {"score": 4.5}).status_code == 422  # above the leaf's 4 points
    assert put("1.1.1.1", {"score": -1}).status_code == 422
    assert put("9.9.9.9", {"score": 1}).status_code == 422
    assert put("1.1.1", {"score": 1}).status_code == 422  # not a leaf
    assert put("2.3.2.3", {"score": 1}).status_code == 422  # the text has no 2.3.2.3
    assert put("2.3.2.5", {"score": 5}).status_code == 200
    # a formula leaf: computed from its inputs, a sent score ignored
    body = put("2.2.2.2", {"score": 0, "inputs": {"members": 300, "council": 100}}).get_json()
    assert body["score"] == 5
    assert put("2.2.2.2", {"score": 5, "inputs": {"members": 300, "council": 101}}).get_json()["score"] == 0
    missing = put("2.2.2.2", {"inputs": {"members": 300}})
    assert missing.status_code == 422 and missing.get_json()["error"]["details"]["field"] == "inputs.council"
    # evidence: one's own uploads only
    assert put("1.1.1.2", {"score": 3, "evidence": [999]}).status_code == 422
    # another center's admin: 404; an expert: 403
    assert put("1.1.1.1", {"score": 1}, w.other_ca).status_code == 404
    assert put("1.1.1.1", {"score": 1}, w.tokens["ex1"]).status_code == 403
    # experts may not score before submission or the due date
    assert w.score("ex1", "1.1.1.1", 4).status_code == 409
    w.submit()
    assert put("1.1.1.1", {"score": 3}).status_code == 409
    assert client.post(f"{w.org}/self/submit", headers=w.ca).status_code == 409
    assert w.score("ex1", "1.1.1.1", 4).status_code == 200
    status = client.get(w.org, headers=w.ca).get_json()
    assert status["status"] == "submitted"
    assert status["leaves"]["1.1.1.1"] == {"score": None, "spread": None, "self_score": 4.0}


def test_experts_may_score_once_the_due_date_has_passed(client, make_user, token_for):
    w = world(client, make_user, token_for, due_days=1).setup()
    assert w.score("ex1", "1.1.1.1", 4).status_code == 409
    # the due day is the last day of self-assessment (Beijing); the day after, the experts score
    after = datetime.combine(w.due + timedelta(days=1), datetime.min.time(), tzinfo=timeutil.CHINA)
    with time_machine.travel(after + timedelta(minutes=1), tick=False):
        assert w.score("ex1", "1.1.1.1", 4).status_code == 200
        assert client.put(f"{w.org}/self/1.1.1.1", json={"score": 4}, headers=w.ca).status_code == 409


def test_expert_scores_and_recusal(client, make_user, token_for):
    w = world(client, make_user, token_for)
    make_user("ex4", "expert")
    w.tokens["ex4"] = token_for("ex4")
    w.setup(experts=["ex1", "ex2", "ex3", "ex_own", "ex4"])  # five experts, one of the rated center
    w.submit()
    recused = w.score("ex_own", "1.1.1.1", 4)
    assert recused.status_code == 403 and recused.get_json()["error"]["code"] == "recused"
    assert w.score("ex1", "1.1.1.1", 5).status_code == 422
    assert w.score("ex1", "1.1.1.1", 3.5, "签名不全").get_json()["score"] == 3.5
    # an expert never sees another's scores before finalization
    seen = client.get(w.org, headers=w.tokens["ex2"]).get_json()
    assert "mine" not in seen["leaves"]["1.1.1.1"] and seen["leaves"]["1.1.1.1"]["score"] is None
    # 回避 leaves 4 of 5: the four who may score finalize; the even panel is reported, not hidden
    w.experts = ["ex1", "ex2", "ex3", "ex4"]
    w.score_all({"1.1.1.1": [4, 4, 3, 2]})
    body = w.finalize().get_json()
    assert body["leaves"]["1.1.1.1"] == {"score": 3.25, "spread": 2}
    assert body["panel"]["experts"] == ["ex1", "ex2", "ex3", "ex4"] and "单数" in body["panel"]["problem"]


def test_finalize_needs_every_leaf_and_gives_mean_total_grade(client, make_user, token_for):
    w = world(client, make_user, token_for).setup()
    w.submit()
    w.score("ex1", "1.1.1.1", 4)
    incomplete = w.finalize()
    assert incomplete.status_code == 422
    assert set(incomplete.get_json()["error"]["details"]["missing"]) == {"ex1", "ex2", "ex3"}
    # full marks but 3.6.1.1 (50 points): 49, 49, 48 → mean 48.6667; total 998.6667 → 5A
    w.score_all({"3.6.1.1": [49, 49, 48], "1.1.1.1": [4, 4, 3]})
    body = w.finalize().get_json()
    assert body["leaves"]["3.6.1.1"]["spread"] == 1
    assert abs(body["leaves"]["3.6.1.1"]["score"] - 146 / 3) < 1e-9
    assert abs(body["total"] - (1000 - 4 / 3 - 1 / 3)) < 1e-9
    assert body["grade"] == "5A"
    assert set(body["leaves"]) == {leaf.code for leaf in LEAVES}
    assert w.finalize().status_code == 409
    assert w.score("ex1", "1.1.1.1", 4).status_code == 409


def test_a_third_of_a_point_under_a_grades_minimum(client, make_user, token_for):
    """950.6667 is not 5A (min 951): the comparison is not rounded."""
    w = world(client, make_user, token_for).setup()
    w.submit()
    # 3.6.1.1 (50 points): 1, 1, 0 → 2/3; every other leaf full: 950 + 2/3
    w.score_all({"3.6.1.1": [1, 1, 0]})
    body = w.finalize().get_json()
    assert abs(body["total"] - (950 + 2 / 3)) < 1e-9
    assert body["grade"] == "4A"


def test_publicity_appeal_decide_announce_with_time_moved(client, make_user, token_for):
    w = world(client, make_user, token_for).setup()
    w.submit()
    w.score_all({"3.6.1.1": [0, 0, 0], "3.4.1.2": [40, 40, 39]})  # 950 − 1/3 → 4A
    assert w.finalize().get_json()["grade"] == "4A"
    appeal = {"reason": "3.4.1.2 公益活动记录已补充", "codes": ["3.4.1.2"]}
    assert client.post(f"{w.org}/appeal", json=appeal, headers=w.ca).status_code == 409  # not yet published
    start = timeutil.utcnow()
    published = client.post(f"/api/v1/rating/rounds/{w.rid}/publish", headers=w.admin)
    assert published.status_code == 200
    ends = datetime.fromisoformat(published.get_json()["publicity_ends"])
    assert timedelta(days=7) <= ends - start < timedelta(days=7, minutes=1)
    assert client.post(f"/api/v1/rating/rounds/{w.rid}/publish", headers=w.admin).status_code == 409
    assert client.get(w.org, headers=w.ca).get_json()["status"] == "publicity"
    assert client.post(f"/api/v1/rating/rounds/{w.rid}/announce", headers=w.admin).status_code == 409
    assert client.post(f"{w.org}/appeal", json=appeal, headers=w.other_ca).status_code == 404
    assert client.post(f"{w.org}/appeal", json=appeal, headers=w.ca).status_code == 201
    assert client.post(f"{w.org}/appeal", json=appeal, headers=w.ca).status_code == 409  # one per organization
    assert client.get(w.org, headers=w.ca).get_json()["status"] == "appealed"
    with time_machine.travel(ends + timedelta(seconds=1), tick=False):
        # 公示 is over, but an appeal is open
        assert client.post(f"/api/v1/rating/rounds/{w.rid}/announce", headers=w.admin).status_code == 409
        decided = client.post(
            f"{w.org}/appeal/decide", json={"decision": "changed", "scores": {"3.4.1.2": 40}}, headers=w.admin
        )
        assert decided.status_code == 200, decided.get_json()
        assert decided.get_json()["total"] == 950 and decided.get_json()["grade"] == "4A"
        assert client.post(f"{w.org}/appeal/decide", json={"decision": "upheld"}, headers=w.admin).status_code == 409
        announced = client.post(f"/api/v1/rating/rounds/{w.rid}/announce", headers=w.admin)
        assert announced.status_code == 200
        (cert,) = announced.get_json()["certificates"]
        year = ends.astimezone(timeutil.CHINA).year
        assert cert["grade"] == "4A" and cert["center_id"] == w.cid
        assert (cert["valid_from"], cert["valid_to"]) == (
            date(year + 1, 1, 1).isoformat(),
            date(year + 5, 12, 31).isoformat(),
        )
        status = client.get(w.org, headers=w.ca).get_json()
        assert status["status"] == "announced" and status["certificate"]["no"] == cert["no"]
        public = client.get(f"/api/v1/rating/certificates/{cert['no']}")
        assert public.status_code == 200
        assert public.get_json() == {
            "valid": True,
            "organization": CENTER,
            "grade": "4A",
            "valid_from": cert["valid_from"],
            "valid_to": cert["valid_to"],
        }
        page = client.get(f"/rating/certificates/{cert['no']}")
        assert page.status_code == 200 and "<svg" in page.get_data(True) and CENTER in page.get_data(True)
    assert client.get("/api/v1/rating/certificates/PJ0000000000").status_code == 404


def test_appeal_after_publicity_is_refused_and_no_certificate_below_3a(client, make_user, token_for):
    w = world(client, make_user, token_for).setup()
    w.submit()
    w.score_all(default=lambda leaf: 0 if leaf.code.startswith("3") else leaf.points)  # 560 → no grade
    assert w.finalize().get_json()["grade"] is None
    ends = datetime.fromisoformat(
        client.post(f"/api/v1/rating/rounds/{w.rid}/publish", headers=w.admin).get_json()["publicity_ends"]
    )
    with time_machine.travel(ends, tick=False):
        late = client.post(f"{w.org}/appeal", json={"reason": "迟到", "codes": []}, headers=w.ca)
        assert late.status_code == 409
        assert client.post(f"/api/v1/rating/rounds/{w.rid}/announce", headers=w.admin).get_json() == {
            "certificates": []
        }


def test_certificate_dates_for_an_announcement_in_2026():
    assert certificate_validity(date(2026, 12, 31)) == (date(2027, 1, 1), date(2031, 12, 31))
    assert certificate_validity(date(2026, 1, 1)) == (date(2027, 1, 1), date(2031, 12, 31))


def test_platform_evidence(client, make_user, token_for):
    w = world(client, make_user, token_for).setup()
    facts = client.get(f"{w.org}/platform-evidence", headers=w.ca).get_json()
    assert "3.3.1.2" in facts and facts["3.3.1.3"][0]["url"].startswith("http")
    assert client.get(f"{w.org}/platform-evidence", headers=w.other_ca).status_code == 404
    attached = client.put(f"{w.org}/self/3.3.1.3", json={"score": 10, "platform_evidence": True}, headers=w.ca)
    assert attached.status_code == 200
    cited = client.get(w.org, headers=w.ca).get_json()["self_assessment"]["3.3.1.3"]["evidence"]
    assert cited[0]["source"] == "platform" and "职业技能评价平台" in cited[0]["facts"][0]
