"""Acceptance of the public integration API (/api/v1, README), black-box: HTTP only.

Endpoint by endpoint: paths, methods, field names and types, status codes, the error body,
all-or-nothing (a failed request changes nothing — read back), and the security rules: role and
ownership on every endpoint, center admins confined to their center (404), no answer key before
an attempt ends, CSRF on cookie-authenticated writes. Time is moved by monkeypatching
``app.timeutil.utcnow`` (the server's only clock, as the contract requires).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app import timeutil
from tests.conftest import csrf_from

STANDARD, LEVEL = "3-01-01-04", "四级"
# 4.1 理论知识权重表, 四级 of 3-01-01-04: a 20-point paper gets weight × 20 / 100 points per area.
WEIGHTS_4 = {"职业道德": 5, "基础知识": 20, "宣传讲解": 10, "会员发展": 15, "权益维护": 10, "履职监督": 10,
             "会籍管理": 15, "会员服务": 15}  # fmt: skip
POINTS_20 = {area: w * 20 // 100 for area, w in WEIGHTS_4.items()}
# 20 points: 10 judge × 1 + 6 single × 1 + 2 multiple × 2.
SECTIONS = [
    {"type": "judge", "count": 10},
    {"type": "single", "count": 6},
    {"type": "multiple", "count": 2, "points": 2},
]
LETTERS = "ABCD"
KEY_WORDS = ("answer", "key", "correct", "solution", "perm")


# ---------------------------------------------------------------- the world


def error_of(response, status: int) -> dict:
    """The contract's error body {"error": {"code", "message", "details"}} with ``status``."""
    assert response.status_code == status, (response.status_code, response.get_data(True)[:400])
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"] == error["code"].lower() and " " not in error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    return error


def bank(level_of=lambda area, n: LEVEL) -> list[dict]:
    """Items for every area of 四级: judge, single and 2-point multiple items with known keys.

    Option texts carry the item's id, so that a test can map a shown option back to its key."""
    items = []
    for area, points in POINTS_20.items():
        for n in range(points * 3):
            items.append({"external_id": f"J-{area}-{n}", "type": "judge", "stem": f"{area} 判断 {n}",
                          "answer": n % 2 == 0, "points": 1, "area": area, "level": level_of(area, n),
                          "difficulty": 0.6, "enemy_group": None})  # fmt: skip
        for n in range(points * 2):
            eid = f"S-{area}-{n}"
            items.append({"external_id": eid, "type": "single", "stem": f"{area} 单选 {n}",
                          "options": [f"{eid} 选项{x}" for x in LETTERS], "answer": LETTERS[n % 4], "points": 1,
                          "area": area, "level": level_of(area, n), "difficulty": 0.6, "enemy_group": None})  # fmt: skip
        if points >= 2:
            for n in range(2):
                eid = f"M-{area}-{n}"
                items.append({"external_id": eid, "type": "multiple", "stem": f"{area} 多选 {n}",
                              "options": [f"{eid} 选项{x}" for x in LETTERS], "answer": ["A", "C"], "points": 2,
                              "area": area, "level": level_of(area, n), "difficulty": 0.6,
                              "enemy_group": None})  # fmt: skip
    return items


KEYS = {item["stem"]: item for item in bank()}


def right_answer(question: dict):
    """The key in this candidate's letters (options are shuffled per candidate)."""
    item = KEYS[question["stem"]]
    if item["type"] == "judge":
        return item["answer"]
    shown = question["options"]
    if item["type"] == "single":
        return LETTERS[shown.index(item["options"][LETTERS.index(item["answer"])])]
    return sorted(LETTERS[shown.index(item["options"][LETTERS.index(a)])] for a in item["answer"])


def profile(years: int = 6) -> dict:
    """1.9.1 四级 (1): 累计从事本职业工作满 5 年 — met with ``years`` ≥ 5 of ongoing work."""
    since = date.today() - timedelta(days=years * 366 + 10)
    return {"birth_date": "1990-05-01",
            "work": [{"occupation": "社团会员管理员", "start": since.isoformat(), "end": None}]}  # fmt: skip


class World:
    """Users of two centers and helpers that drive the API as another system would."""

    def __init__(self, client, make_user, token_for) -> None:
        self.client = client
        make_user("boss", "center_admin", center="甲评价中心")
        make_user("rival", "center_admin", center="乙培训学校")
        make_user("root", "admin")
        make_user("p1", "proctor", center="甲评价中心")
        make_user("p2", "proctor", center="甲评价中心")
        make_user("px", "proctor", center="乙培训学校")
        make_user("g1", "grader", center="甲评价中心")
        for name in ("alice", "bob", "carol"):
            make_user(name)
        self.t = {name: token_for(name) for name in ("boss", "rival", "root", "p1", "p2", "px", "g1", "alice", "bob",
                                                     "carol")}  # fmt: skip

    def post(self, url: str, who: str, body=None):
        return self.client.post("/api/v1" + url, json=body, headers=self.t[who])

    def get(self, url: str, who: str):
        return self.client.get("/api/v1" + url, headers=self.t[who])

    def put(self, url: str, who: str, body=None):
        return self.client.put("/api/v1" + url, json=body, headers=self.t[who])

    def approve(self, candidate: str, level: str = LEVEL, years: int = 6) -> int:
        r = self.post("/applications", candidate, {"standard": STANDARD, "level": level, "candidate": profile(years)})
        assert r.status_code == 201, r.get_json()
        aid = r.get_json()["id"]
        decided = self.post(f"/applications/{aid}/approve", "boss", {"reason": "材料齐全"})
        assert decided.status_code == 200, decided.get_json()
        return aid

    def import_bank(self) -> None:
        r = self.post(f"/banks/{STANDARD}/items", "boss", {"items": bank()})
        assert r.status_code == 201, r.get_json()

    def session(self, start: datetime | None = None, who: str = "boss", **overrides) -> int:
        start = start or timeutil.utcnow() - timedelta(minutes=5)
        body = {"name": "十二月批次", "standard": STANDARD, "level": LEVEL, "theory_start": start.isoformat(),
                "theory_minutes": 60, "practical_minutes": 40, "review_minutes": None, **overrides}  # fmt: skip
        r = self.post("/sessions", who, body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    def exam(self, candidates=("alice", "bob"), start: datetime | None = None, forms: int = 2) -> dict:
        """A session in its theory window: room, proctor, approved candidates seated, papers assigned."""
        self.import_bank()
        sid = self.session(start)
        room = self.post(f"/sessions/{sid}/rooms", "boss", {"name": "一号考场", "capacity": 30, "kind": "theory",
                                                             "stations": None})  # fmt: skip
        assert room.status_code == 201
        rid = room.get_json()["id"]
        assert self.post(f"/sessions/{sid}/staff", "boss", {"username": "p1", "role": "proctor", "room": rid,
                                                            "panel": None}).status_code == 201  # fmt: skip
        for name in candidates:
            self.approve(name)
            r = self.post(f"/sessions/{sid}/candidates", "boss", {"username": name, "room": rid})
            assert r.status_code == 201, r.get_json()
        papers = self.post(f"/sessions/{sid}/papers", "boss", {"forms": forms, "max_overlap": 1.0, "seed": 5,
                                                               "sections": SECTIONS})  # fmt: skip
        assert papers.status_code == 201, papers.get_json()
        return {"sid": sid, "room": rid, "papers": papers.get_json()}


@pytest.fixture
def world(client, make_user, token_for) -> World:
    return World(client, make_user, token_for)


def at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(timeutil, "utcnow", lambda: moment)


def no_key_in(payload, *, allow_answers: bool = True) -> None:
    """No field anywhere in ``payload`` that names a key; ``answers`` (the candidate's own) allowed."""
    if isinstance(payload, dict):
        for name, value in payload.items():
            if name == "answers" and allow_answers:
                continue
            assert not any(word in name.lower() for word in KEY_WORDS), f"key-like field {name!r}"
            no_key_in(value, allow_answers=allow_answers)
    elif isinstance(payload, list):
        for value in payload:
            no_key_in(value, allow_answers=allow_answers)


# ---------------------------------------------------------------- auth, 401, 403, 400

# Every endpoint of the contract (issues 2–5), with the role that may call it.
ENDPOINTS = [
    ("GET", "/standards", "alice"),
    ("GET", f"/standards/{STANDARD}", "alice"),
    ("POST", "/eligibility", "alice"),
    ("POST", "/applications", "alice"),
    ("POST", "/applications/1/approve", "boss"),
    ("POST", "/applications/1/reject", "boss"),
    ("POST", f"/banks/{STANDARD}/items", "boss"),
    ("GET", f"/banks/{STANDARD}/items", "boss"),
    ("POST", "/papers/assemble", "boss"),
    ("POST", "/sessions", "boss"),
    ("POST", "/sessions/1/rooms", "boss"),
    ("POST", "/sessions/1/staff", "boss"),
    ("POST", "/sessions/1/candidates", "boss"),
    ("GET", "/sessions/1/readiness", "boss"),
    ("POST", "/sessions/1/papers", "boss"),
    ("POST", "/sessions/1/attempt", "alice"),
    ("PUT", "/attempts/1/answers/1", "alice"),
    ("POST", "/attempts/1/submit", "alice"),
    ("GET", "/attempts/1", "alice"),
]
JSON_BODY = {m_path for m_path in [(m, p) for m, p, _ in ENDPOINTS] if m_path[0] in {"POST", "PUT"}} - {
    ("POST", "/sessions/1/attempt"),
    ("POST", "/attempts/1/submit"),
}


def call(client, method: str, path: str, headers: dict | None = None, **kwargs):
    return client.open("/api/v1" + path, method=method, headers=headers or {}, **kwargs)


@pytest.mark.parametrize(("method", "path", "who"), ENDPOINTS)
def test_401_without_or_with_a_bad_token(client, method, path, who):
    error_of(call(client, method, path, json={}), 401)
    error_of(call(client, method, path, {"Authorization": "Bearer not-a-token"}, json={}), 401)
    error_of(call(client, method, path, {"Authorization": "Basic dXNlcjpwYXNz"}, json={}), 401)


def test_token_endpoint(client, make_user):
    make_user("zhang")
    r = client.post("/api/v1/auth/token", json={"username": "zhang", "password": "secret123"})
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) >= {"token", "role"} and isinstance(body["token"], str) and body["role"] == "candidate"
    error_of(client.post("/api/v1/auth/token", json={"username": "zhang", "password": "wrong"}), 401)
    error_of(client.post("/api/v1/auth/token", data="{", content_type="application/json"), 400)
    # the token authenticates
    me = client.get("/api/v1/standards", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200


ADMIN_ONLY = [
    ("POST", "/applications/1/approve"),
    ("POST", "/applications/1/reject"),
    ("POST", f"/banks/{STANDARD}/items"),
    ("GET", f"/banks/{STANDARD}/items"),
    ("POST", "/papers/assemble"),
    ("POST", "/sessions"),
    ("POST", "/sessions/1/rooms"),
    ("POST", "/sessions/1/staff"),
    ("POST", "/sessions/1/candidates"),
    ("GET", "/sessions/1/readiness"),
    ("POST", "/sessions/1/papers"),
    # the platform's own read endpoints (not in the contract) follow the same rule
    ("GET", "/sessions/1"),
    ("GET", "/sessions"),
    ("GET", "/papers/1"),
    ("GET", "/rooms/1/status"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ONLY)
def test_403_for_candidates_and_staff_on_admin_endpoints(world, method, path):
    for who in ("alice", "g1"):
        error_of(call(world.client, method, path, world.t[who], json={}), 403)


def test_403_wrong_role_on_candidate_endpoints(world):
    body = {"standard": STANDARD, "level": LEVEL, "candidate": profile()}
    for who in ("boss", "p1", "root"):
        error_of(world.post("/applications", who, body), 403)
    e = world.exam()
    for who in ("boss", "p1", "g1"):
        error_of(world.post(f"/sessions/{e['sid']}/attempt", who), 403)


def test_400_malformed_json_on_every_body_endpoint(world):
    e = world.exam()
    assert world.post(f"/sessions/{e['sid']}/attempt", "alice").status_code == 201  # attempt 1 exists
    for method, path in sorted(JSON_BODY):
        who = next(w for m, p, w in ENDPOINTS if (m, p) == (method, path))
        for raw in ("{", "[1, 2", "null", "[]", '"text"'):
            r = call(world.client, method, path, world.t[who], data=raw, content_type="application/json")
            assert error_of(r, 400)["code"], (method, path, raw)


# ---------------------------------------------------------------- standards


def test_standards_list_and_detail(world):
    listed = world.get("/standards", "alice").get_json()
    by_id = {s["id"]: s for s in listed}
    assert by_id[STANDARD] == {
        "id": STANDARD,
        "name": "社团会员管理员",
        "levels": ["五级", "四级", "三级", "二级", "一级"],
    }
    assert by_id["3-01-04-03"]["levels"] == ["五级", "四级", "三级"]
    assert by_id["590008"]["levels"] == ["初级", "中级", "高级"]
    detail = world.get(f"/standards/{STANDARD}", "alice").get_json()
    assert {"id", "name", "version", "levels", "assessment", "theory_weights", "skill_weights", "weights_source",
            "eligibility"} <= set(detail)  # fmt: skip
    assert detail["theory_weights"][LEVEL] == WEIGHTS_4
    assert detail["assessment"]["components"]["二级"] == ["theory", "practical", "review"]
    assert detail["assessment"]["min_minutes"] == {"theory": 60, "practical": 40, "review": 30}
    assert detail["eligibility"][LEVEL][0]["clause"] == 1 and detail["eligibility"][LEVEL][0]["text"]
    derived = world.get("/standards/590008", "alice").get_json()
    assert derived["weights_source"] == "derived" and derived["eligibility"] == {}
    error_of(world.get("/standards/9-99-99-99", "alice"), 404)


# ---------------------------------------------------------------- eligibility and applications


def test_eligibility_shape_and_422(world):
    r = world.post("/eligibility", "bob", {"standard": STANDARD, "level": LEVEL, "candidate": profile()})
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"eligible", "satisfied", "clauses", "earliest_date"} or {
        "eligible", "satisfied", "clauses", "earliest_date"} <= set(body)  # fmt: skip
    assert body["eligible"] is True and 1 in body["satisfied"] and body["satisfied"] == sorted(body["satisfied"])
    assert all(isinstance(c["clause"], int) and isinstance(c["met"], bool) and c["reason"] for c in body["clauses"])
    short = world.post("/eligibility", "bob", {"standard": STANDARD, "level": LEVEL, "as_of": "2026-11-22",
                                               "candidate": {"work": [{"occupation": "社团会员管理员",
                                                                       "start": "2022-11-23", "end": None}]}})  # fmt: skip
    body = short.get_json()
    assert body["eligible"] is False and 1 not in body["satisfied"]
    assert body["earliest_date"] is None or date.fromisoformat(body["earliest_date"]) > date(2026, 11, 22)
    for bad, field in (
        ({"standard": "nope", "level": LEVEL}, "standard"),
        ({"standard": STANDARD, "level": "六级"}, "level"),
        ({"standard": STANDARD, "level": LEVEL, "as_of": "2026-13-01"}, "as_of"),
    ):
        error = error_of(world.post("/eligibility", "bob", {**bad, "candidate": {}}), 422)
        assert error["details"]["field"] == field
    backwards = {"work": [{"occupation": "社团会员管理员", "start": "2017-01-01", "end": "2018-01-01"},
                          {"occupation": "社团会员管理员", "start": "2020-01-01", "end": "2019-01-01"}]}  # fmt: skip
    error = error_of(world.post("/eligibility", "bob", {"standard": STANDARD, "level": LEVEL,
                                                        "candidate": backwards}), 422)  # fmt: skip
    assert error["details"].get("index") == 1 and "work" in error["details"]["field"]


def test_applications_decisions_and_ownership(world):
    body = {"standard": STANDARD, "level": LEVEL, "candidate": profile()}
    created = world.post("/applications", "alice", body)
    assert created.status_code == 201
    app_body = created.get_json()
    assert {"id", "status", "eligibility"} <= set(app_body) and app_body["status"] == "eligible"
    assert app_body["eligibility"]["eligible"] is True
    aid = app_body["id"]
    # another candidate neither reads nor decides it; staff other than admins cannot decide
    error_of(world.get(f"/applications/{aid}", "bob"), 404)
    assert all(a["id"] != aid for a in world.get("/applications", "bob").get_json()["applications"])
    error_of(world.post(f"/applications/{aid}/approve", "alice", {"reason": "x"}), 403)
    error_of(world.post(f"/applications/{aid}/approve", "p1", {"reason": "x"}), 403)
    approved = world.post(f"/applications/{aid}/approve", "boss", {"reason": "材料齐全"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    error_of(world.post(f"/applications/{aid}/reject", "boss", {"reason": "改主意"}), 409)
    assert world.get(f"/applications/{aid}", "alice").get_json()["status"] == "approved"
    second = world.post("/applications", "bob", body).get_json()["id"]
    rejected = world.post(f"/applications/{second}/reject", "boss", {"reason": "证明材料不全"})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    ineligible = world.post("/applications", "carol", {**body, "candidate": profile(years=2)})
    assert ineligible.status_code == 201 and ineligible.get_json()["status"] == "ineligible"
    error_of(world.post("/applications/99999/approve", "boss", {"reason": "x"}), 404)


def test_application_422_stores_nothing(world):
    error = error_of(world.post("/applications", "alice", {"standard": STANDARD, "level": "六级",
                                                           "candidate": profile()}), 422)  # fmt: skip
    assert error["details"]["field"] == "level"
    error_of(world.post("/applications", "alice", {"standard": STANDARD, "level": LEVEL,
                                                   "candidate": {"birth_date": "1990-02-30"}}), 422)  # fmt: skip
    assert world.get("/applications", "alice").get_json()["applications"] == []


# ---------------------------------------------------------------- question banks


def test_bank_import_list_and_update(world):
    items = bank()
    r = world.post(f"/banks/{STANDARD}/items", "boss", {"items": items})
    assert r.status_code == 201 and r.get_json() == {"imported": len(items)}
    listed = world.get(f"/banks/{STANDARD}/items?level={LEVEL}&area=会籍管理", "boss")
    assert listed.status_code == 200
    got = listed.get_json()["items"]
    assert len(got) == sum(1 for i in items if i["area"] == "会籍管理")
    fields = {"external_id", "type", "stem", "options", "answer", "points", "area", "level", "difficulty",
              "enemy_group"}  # fmt: skip
    assert all(fields <= set(i) for i in got)
    one = next(i for i in got if i["external_id"] == "M-会籍管理-0")
    assert one["answer"] == ["A", "C"] and one["points"] == 2 and one["type"] == "multiple"
    # importing an existing external_id updates it
    changed = dict(items[0], stem="改过的题干")
    assert world.post(f"/banks/{STANDARD}/items", "root", {"items": [changed]}).get_json() == {"imported": 1}
    again = world.get(f"/banks/{STANDARD}/items", "boss").get_json()["items"]
    assert len(again) == len(items)
    assert next(i for i in again if i["external_id"] == items[0]["external_id"])["stem"] == "改过的题干"


def test_bank_item_serves_its_level_and_higher(world):
    def level_of(area, n):
        return "五级" if n == 0 else "三级"

    assert world.post(f"/banks/{STANDARD}/items", "boss", {"items": bank(level_of)}).status_code == 201
    four = world.get(f"/banks/{STANDARD}/items?level=四级", "boss").get_json()["items"]
    assert four and {i["level"] for i in four} == {"五级"}
    three = world.get(f"/banks/{STANDARD}/items?level=三级", "boss").get_json()["items"]
    assert {i["level"] for i in three} == {"五级", "三级"}
    five_ms = world.get(f"/banks/{STANDARD}/items?level=五级&area=会员服务", "boss").get_json()["items"]
    assert {i["area"] for i in five_ms} == {"会员服务"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "essay"}, "type"),
        ({"answer": "E"}, "answer"),  # not among four options
        ({"type": "multiple", "answer": ["A"]}, "answer"),  # multiple: two or more letters
        ({"type": "judge", "answer": True}, "options"),  # judge: no options
        ({"area": "不存在的领域"}, "area"),
        ({"level": "六级"}, "level"),
        ({"difficulty": 1.5}, "difficulty"),
        ({"points": 0}, "points"),
    ],
)
def test_bank_import_422_names_the_first_bad_item_and_imports_nothing(world, change, field):
    items = bank()[:30]
    singles = [k for k, i in enumerate(items) if i["type"] == "single"]
    bad = singles[1]
    items[bad] = {**items[bad], **change}
    error = error_of(world.post(f"/banks/{STANDARD}/items", "boss", {"items": items}), 422)
    assert error["details"]["index"] == bad and error["details"]["field"] == field
    assert world.get(f"/banks/{STANDARD}/items", "boss").get_json()["items"] == []


def test_bank_unknown_standard_and_bad_filters(world):
    assert world.post("/banks/nope/items", "boss", {"items": bank()[:1]}).status_code == 404
    assert world.get("/banks/nope/items", "boss").status_code == 404
    assert error_of(world.get(f"/banks/{STANDARD}/items?level=六级", "boss"), 422)["details"]["field"] == "level"
    error_of(world.post(f"/banks/{STANDARD}/items", "boss", {"items": "x"}), 422)


# ---------------------------------------------------------------- paper assembly


def assemble(world, who="boss", **overrides):
    body = {"standard": STANDARD, "level": LEVEL, "forms": 2, "max_overlap": 0.5, "seed": 7, "sections": SECTIONS,
            "difficulty": {"min": 0.5, "max": 0.7}, **overrides}  # fmt: skip
    return world.post("/papers/assemble", who, body)


def test_assembly_meets_every_constraint(world):
    items = bank()
    # an enemy group: two single items that may never share a paper
    for item in items:
        if item["external_id"] in {"S-会员服务-0", "S-会员服务-1"}:
            item["enemy_group"] = "E1"
    assert world.post(f"/banks/{STANDARD}/items", "boss", {"items": items}).status_code == 201
    r = assemble(world)
    assert r.status_code == 201, r.get_json()
    papers = r.get_json()["papers"]
    assert len(papers) == 2
    for paper in papers:
        assert {"id", "total_points", "area_points", "mean_difficulty", "items"} <= set(paper)
        assert paper["total_points"] == 20 and paper["area_points"] == POINTS_20
        assert 0.5 <= paper["mean_difficulty"] <= 0.7
        ids = [i["item_id"] for i in paper["items"]]
        assert len(ids) == len(set(ids)) == 18
        assert all(set(i) >= {"item_id", "external_id", "type", "area", "points"} for i in paper["items"])
        assert sum(i["points"] for i in paper["items"]) == 20
        picked = {i["external_id"] for i in paper["items"]}
        assert len(picked & {"S-会员服务-0", "S-会员服务-1"}) <= 1
        no_key_in(paper)
    shared = {i["item_id"] for i in papers[0]["items"]} & {i["item_id"] for i in papers[1]["items"]}
    assert len(shared) <= 0.5 * 18
    same = assemble(world).get_json()["papers"]
    assert [[i["item_id"] for i in p["items"]] for p in same] == [[i["item_id"] for i in p["items"]] for p in papers]


def test_assembly_infeasible_names_the_area(world):
    items = [i for i in bank() if not (i["area"] == "会籍管理" and i["type"] != "judge")]
    items = [i for i in items if not (i["area"] == "会籍管理" and int(i["external_id"].rsplit("-", 1)[1]) >= 1)]
    assert world.post(f"/banks/{STANDARD}/items", "boss", {"items": items}).status_code == 201
    error = error_of(assemble(world, forms=1), 422)
    assert error["code"] == "infeasible" and "会籍管理" in error["message"]
    # a band no paper of this bank can reach
    assert world.post(f"/banks/{STANDARD}/items", "boss", {"items": bank()}).status_code == 201
    error = error_of(assemble(world, difficulty={"min": 0.9, "max": 1.0}), 422)
    assert error["code"] == "infeasible"
    # the standard's default paper (100 points) from a 60-item bank
    error = error_of(assemble(world, sections=None, difficulty=None), 422)
    assert error["code"] == "infeasible"


def test_assembly_fractional_weights_are_infeasible(world):
    """10 judge points: 职业道德's 5 % would be half a point — the weight table cannot be met."""
    world.import_bank()
    error = error_of(assemble(world, sections=[{"type": "judge", "count": 10}], forms=1), 422)
    assert error["code"] == "infeasible" and "职业道德" in error["message"]


def test_assembly_422_on_bad_fields(world):
    world.import_bank()
    for change, field in (({"standard": "nope"}, "standard"), ({"level": "六级"}, "level"), ({"forms": 0}, "forms"),
                          ({"max_overlap": 2}, "max_overlap")):  # fmt: skip
        assert error_of(assemble(world, **change), 422)["details"]["field"] == field
    error = error_of(assemble(world, sections=[{"type": "judge", "count": 10}, {"type": "essay", "count": 2}]), 422)
    assert error["details"]["field"] == "sections" and error["details"]["index"] == 1


# ---------------------------------------------------------------- sessions


def session_body(**overrides) -> dict:
    start = timeutil.utcnow() + timedelta(days=3)
    return {"name": "批次", "standard": STANDARD, "level": LEVEL, "theory_start": start.isoformat(),
            "theory_minutes": 60, "practical_minutes": 40, "review_minutes": None, **overrides}  # fmt: skip


def test_create_session_and_durations(world):
    r = world.post("/sessions", "boss", session_body())
    assert r.status_code == 201 and set(r.get_json()) >= {"id", "status"} and isinstance(r.get_json()["id"], int)
    # 1.9.4: 理论知识考试时长不少于 60min, 操作技能考核不少于 40min, 综合评审不少于 30min
    for overrides, field in (
        ({"theory_minutes": 59}, "theory_minutes"),
        ({"practical_minutes": 39}, "practical_minutes"),
        ({"level": "二级", "review_minutes": 29}, "review_minutes"),
        ({"standard": "3-01-04-03", "theory_minutes": 89}, "theory_minutes"),  # 劳动保障协理员: 不少于 90min
        ({"theory_start": "2026-12-01 nine o'clock"}, "theory_start"),
        ({"level": "六级"}, "level"),
        ({"standard": "nope"}, "standard"),
    ):
        error = error_of(world.post("/sessions", "boss", session_body(**overrides)), 422)
        assert error["details"]["field"] == field, overrides
    # the minimum itself is enough; a component the level lacks (四级 has no 综合评审) is ignored
    assert world.post("/sessions", "boss", session_body(review_minutes=5)).status_code == 201
    assert world.post("/sessions", "boss", session_body(level="二级", review_minutes=30)).status_code == 201
    assert world.post("/sessions", "boss", session_body(standard="3-01-04-03", theory_minutes=90,
                                                        practical_minutes=90)).status_code == 201  # fmt: skip
    # the seven refused creations stored nothing: four sessions
    assert len(world.get("/sessions", "boss").get_json()["sessions"]) == 4
    error_of(world.post("/sessions", "p1", session_body()), 403)


def test_rooms_staff_candidates_and_readiness(world):
    sid = world.post("/sessions", "boss", session_body()).get_json()["id"]
    room = world.post(f"/sessions/{sid}/rooms", "boss", {"name": "一号", "capacity": 2, "kind": "theory",
                                                         "stations": None})  # fmt: skip
    assert room.status_code == 201 and isinstance(room.get_json()["id"], int)
    rid = room.get_json()["id"]
    practical = world.post(f"/sessions/{sid}/rooms", "boss", {"name": "实操", "capacity": 10, "kind": "practical",
                                                              "stations": 1})  # fmt: skip
    assert practical.status_code == 201
    error = error_of(world.post(f"/sessions/{sid}/rooms", "boss", {"name": "x", "capacity": 5, "kind": "hall"}), 422)
    assert error["details"]["field"] == "kind"
    assert error_of(world.post(f"/sessions/{sid}/rooms", "boss", {"name": "y", "capacity": 0, "kind": "theory"}),
                    422)["details"]["field"] == "capacity"  # fmt: skip
    staff = world.post(f"/sessions/{sid}/staff", "boss", {"username": "p1", "role": "proctor", "room": rid,
                                                          "panel": None})  # fmt: skip
    assert staff.status_code == 201
    assert world.post(f"/sessions/{sid}/staff", "boss", {"username": "g1", "role": "grader", "room": None,
                                                         "panel": "甲组"}).status_code == 201  # fmt: skip
    for body, field in (({"username": "nobody", "role": "proctor"}, "username"),
                        ({"username": "p2", "role": "janitor"}, "role"),
                        ({"username": "px", "role": "proctor"}, "username"),  # another center's proctor
                        ({"username": "p2", "role": "proctor", "room": 99999}, "room")):  # fmt: skip
        assert error_of(world.post(f"/sessions/{sid}/staff", "boss", body), 422)["details"]["field"] == field
    # enrolment: 409 without an approved application (none, pending, rejected, other level)
    error_of(world.post(f"/sessions/{sid}/candidates", "boss", {"username": "alice", "room": rid}), 409)
    pending = world.post("/applications", "alice", {"standard": STANDARD, "level": LEVEL, "candidate": profile()})
    error_of(world.post(f"/sessions/{sid}/candidates", "boss", {"username": "alice", "room": rid}), 409)
    world.post(f"/applications/{pending.get_json()['id']}/reject", "boss", {"reason": "材料不全"})
    error_of(world.post(f"/sessions/{sid}/candidates", "boss", {"username": "alice", "room": rid}), 409)
    world.approve("bob", level="五级")
    error_of(world.post(f"/sessions/{sid}/candidates", "boss", {"username": "bob", "room": rid}), 409)
    world.approve("alice")
    r = world.post(f"/sessions/{sid}/candidates", "boss", {"username": "alice", "room": rid})
    assert r.status_code == 201
    error_of(world.post(f"/sessions/{sid}/candidates", "boss", {"username": "alice", "room": rid}), 409)
    # an unknown username answers like a candidate without an approval this center may use (no leak)
    error_of(world.post(f"/sessions/{sid}/candidates", "boss", {"username": "nobody", "room": rid}), 409)
    detail = world.get(f"/sessions/{sid}", "boss").get_json()
    assert [c["username"] for c in detail["candidates"]] == ["alice"]
    ready = world.get(f"/sessions/{sid}/readiness", "boss")
    assert ready.status_code == 200
    body = ready.get_json()
    assert body["ready"] is False and isinstance(body["problems"], list) and body["problems"]
    assert all(isinstance(p["code"], str) and isinstance(p["message"], str) for p in body["problems"])
    codes = " ".join(p["code"] + p["message"] for p in body["problems"])
    assert "paper" in codes or "试卷" in codes  # no papers yet


def test_enrolment_409_once_the_session_is_closed(world, monkeypatch):
    world.approve("alice")
    past = timeutil.utcnow() - timedelta(hours=3)
    sid = world.session(start=past)  # its theory window ended two hours ago
    error_of(world.post(f"/sessions/{sid}/candidates", "boss", {"username": "alice", "room": None}), 409)
    future = world.session(start=timeutil.utcnow() + timedelta(hours=1))
    at(monkeypatch, timeutil.utcnow() + timedelta(hours=2, minutes=1))
    error_of(world.post(f"/sessions/{future}/candidates", "boss", {"username": "alice", "room": None}), 409)
    monkeypatch.undo()
    assert world.get(f"/sessions/{future}", "boss").get_json()["candidates"] == []


def test_another_centers_session_is_404_and_unchanged(world):
    e = world.exam()
    sid = e["sid"]
    before = world.get(f"/sessions/{sid}", "boss").get_json()
    world.approve("carol")
    for method, path, body in (
        ("GET", f"/sessions/{sid}", None),
        ("GET", f"/sessions/{sid}/readiness", None),
        ("POST", f"/sessions/{sid}/rooms", {"name": "二号", "capacity": 5, "kind": "theory", "stations": None}),
        ("POST", f"/sessions/{sid}/staff", {"username": "px", "role": "proctor", "room": None, "panel": None}),
        ("POST", f"/sessions/{sid}/candidates", {"username": "carol", "room": None}),
        ("POST", f"/sessions/{sid}/papers", {"forms": 1, "max_overlap": 1.0, "seed": 1, "sections": SECTIONS}),
        ("GET", f"/rooms/{e['room']}/status", None),
        ("POST", f"/sessions/{sid}/candidates/alice/extension", {"minutes": 10, "reason": "x"}),
        ("GET", f"/papers/{e['papers']['papers'][0]['id']}", None),
    ):
        error_of(call(world.client, method, path, world.t["rival"], json=body), 404)
    assert all(s["id"] != sid for s in world.get("/sessions", "rival").get_json()["sessions"])
    assert world.get(f"/sessions/{sid}", "boss").get_json() == before
    # a proctor of another center neither
    error_of(world.get(f"/rooms/{e['room']}/status", "px"), 404)
    # and the platform admin sees everything
    assert world.get(f"/sessions/{sid}", "root").status_code == 200


def test_papers_for_a_session_assign_every_candidate(world):
    e = world.exam(candidates=("alice", "bob", "carol"))
    body = e["papers"]
    assert len(body["papers"]) == 2
    seats = sorted((c["seat"], c["paper_id"]) for c in body["candidates"])
    assert all(paper is not None for _, paper in seats)
    assert all(a[1] != b[1] for a, b in zip(seats, seats[1:], strict=False))  # neighbours differ
    readiness = world.get(f"/sessions/{e['sid']}/readiness", "boss").get_json()
    assert not any("paper" in p["code"] for p in readiness["problems"])


def test_session_papers_infeasible_changes_nothing(world):
    world.approve("alice")
    sid = world.session()
    assert world.post(f"/sessions/{sid}/candidates", "boss", {"username": "alice", "room": None}).status_code == 201
    error = error_of(world.post(f"/sessions/{sid}/papers", "boss", {"forms": 1, "max_overlap": 1, "seed": 1,
                                                                    "sections": SECTIONS}), 422)  # fmt: skip
    assert error["code"] == "infeasible"  # empty bank
    detail = world.get(f"/sessions/{sid}", "boss").get_json()
    assert detail["status"] == "draft" and detail["papers"] == []
    assert detail["candidates"][0]["paper_id"] is None
    error_of(world.post(f"/sessions/{sid}/attempt", "alice"), 409)  # no paper: not yet scheduled


# ---------------------------------------------------------------- machine exam


def start(world, sid: int, who: str = "alice") -> dict:
    r = world.post(f"/sessions/{sid}/attempt", who)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def answer_url(body: dict, question: dict) -> str:
    return f"/attempts/{body['attempt_id']}/answers/{question['qid']}"


def test_attempt_shape_order_and_resume(world):
    e = world.exam()
    body = start(world, e["sid"])
    assert {"attempt_id", "deadline", "questions"} <= set(body)
    assert datetime.fromisoformat(body["deadline"]).utcoffset() is not None
    assert len(body["questions"]) == 18
    for q in body["questions"]:
        assert set(q) >= {"qid", "type", "stem", "options", "points"}
        item = KEYS[q["stem"]]
        assert q["type"] == item["type"] and q["points"] == item["points"]
        assert sorted(q["options"]) == sorted(item.get("options", []))  # option texts, in the candidate's order
    no_key_in(body)
    assert not body.get("answers")
    # answers name options by letter in the candidate's own order, and are saved
    saved = {}
    for q in body["questions"][:5]:
        r = world.put(answer_url(body, q), "alice", {"answer": right_answer(q)})
        assert r.status_code == 200 and datetime.fromisoformat(r.get_json()["saved_at"]).utcoffset() is not None
        saved[str(q["qid"])] = right_answer(q)
    # calling it again returns the same attempt with the saved answers, in the same order
    again = start(world, e["sid"])
    assert again["attempt_id"] == body["attempt_id"]
    assert [(q["qid"], q["options"]) for q in again["questions"]] == [
        (q["qid"], q["options"]) for q in body["questions"]
    ]
    status = world.get(f"/attempts/{body['attempt_id']}", "alice").get_json()
    assert status["status"] == "in_progress" and status["score"] is None and status["answers"] == saved
    assert set(status) >= {"status", "deadline", "answers", "score"}
    if "answers" in again:
        assert again["answers"] == saved


def test_answers_422_and_unknown_question(world):
    e = world.exam()
    body = start(world, e["sid"])
    by_type = {q["type"]: q for q in body["questions"]}
    for kind, bad in (("single", "E"), ("single", ["A"]), ("multiple", "A"), ("multiple", ["A", "Z"]),
                      ("judge", "yes")):  # fmt: skip
        error = error_of(world.put(answer_url(body, by_type[kind]), "alice", {"answer": bad}), 422)
        assert error["details"]["field"] == "answer"
    error_of(world.put(answer_url(body, by_type["single"]), "alice", {}), 422)
    assert world.put(f"/attempts/{body['attempt_id']}/answers/999999", "alice", {"answer": True}).status_code in {
        404, 422}  # fmt: skip
    assert world.get(f"/attempts/{body['attempt_id']}", "alice").get_json()["answers"] == {}


def test_scoring_out_of_100_multiple_only_when_exactly_right(world):
    e = world.exam()
    body = start(world, e["sid"])
    total = sum(q["points"] for q in body["questions"])
    assert total == 20
    earned = 0
    multiples = [q for q in body["questions"] if q["type"] == "multiple"]
    wrong_single = next(q for q in body["questions"] if q["type"] == "single")
    assert len(multiples) == 2
    for q in body["questions"]:
        answer = right_answer(q)
        if q is multiples[0]:
            answer = answer[:1] + [next(x for x in LETTERS if x not in answer)]  # one right, one wrong letter
        elif q is multiples[1]:
            answer = sorted(answer + [next(x for x in LETTERS if x not in answer)])  # a superset
        elif q is wrong_single:
            answer = next(x for x in LETTERS if x != answer)
        else:
            earned += q["points"]
        assert world.put(answer_url(body, q), "alice", {"answer": answer}).status_code == 200
    submitted = world.post(f"/attempts/{body['attempt_id']}/submit", "alice")
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    final = world.get(f"/attempts/{body['attempt_id']}", "alice").get_json()
    assert final["status"] == "submitted"
    assert final["score"] == pytest.approx(earned / total * 100) and earned == 15  # 15 / 20 × 100 = 75
    # exactly right scores: bob answers both multiple items exactly, nothing else
    other = start(world, e["sid"], "bob")
    for q in other["questions"]:
        if q["type"] == "multiple":
            assert (
                world.put(answer_url(other, q), "bob", {"answer": list(reversed(right_answer(q)))}).status_code == 200
            )
    world.post(f"/attempts/{other['attempt_id']}/submit", "bob")
    assert world.get(f"/attempts/{other['attempt_id']}", "bob").get_json()["score"] == pytest.approx(20.0)


def test_409_after_submit_and_404_for_others(world):
    e = world.exam()
    body = start(world, e["sid"])
    aid, q = body["attempt_id"], body["questions"][0]
    assert world.put(answer_url(body, q), "alice", {"answer": right_answer(q)}).status_code == 200
    for who in ("bob", "boss", "p1", "root"):
        error_of(world.get(f"/attempts/{aid}", who), 404)
        error_of(world.put(answer_url(body, q), who, {"answer": right_answer(q)}), 404)
        error_of(world.post(f"/attempts/{aid}/submit", who), 404)
    assert world.get(f"/attempts/{aid}", "alice").get_json()["status"] == "in_progress"  # bob's submit did nothing
    assert world.post(f"/attempts/{aid}/submit", "alice").get_json()["status"] == "submitted"
    error_of(world.put(answer_url(body, body["questions"][1]), "alice", {"answer": right_answer(q)}), 409)
    error_of(world.post(f"/attempts/{aid}/submit", "alice"), 409)
    assert world.get(f"/attempts/{aid}", "alice").get_json()["answers"] == {str(q["qid"]): right_answer(q)}
    error_of(world.get("/attempts/99999", "alice"), 404)


def test_deadline_409_and_closing_with_what_was_saved(world, monkeypatch):
    e = world.exam()
    body = start(world, e["sid"])
    deadline = datetime.fromisoformat(body["deadline"])
    q1, q2 = body["questions"][0], body["questions"][1]
    at(monkeypatch, deadline - timedelta(seconds=1))
    assert world.put(answer_url(body, q1), "alice", {"answer": right_answer(q1)}).status_code == 200
    at(monkeypatch, deadline)
    error = error_of(world.put(answer_url(body, q2), "alice", {"answer": right_answer(q2)}), 409)
    assert error["code"]
    late = world.get(f"/attempts/{body['attempt_id']}", "alice").get_json()
    assert late["status"] == "submitted" and late["answers"] == {str(q1["qid"]): right_answer(q1)}
    assert late["score"] == pytest.approx(q1["points"] / 20 * 100)
    # bob never started: after the window no attempt is opened
    error_of(world.post(f"/sessions/{e['sid']}/attempt", "bob"), 409)


def test_attempt_outside_the_window_and_without_enrolment(world, monkeypatch):
    e = world.exam(start=timeutil.utcnow() + timedelta(minutes=30))
    error_of(world.post(f"/sessions/{e['sid']}/attempt", "alice"), 409)  # not yet open
    at(monkeypatch, timeutil.utcnow() + timedelta(minutes=31))
    assert world.post(f"/sessions/{e['sid']}/attempt", "alice").status_code == 201
    error = error_of(world.post(f"/sessions/{e['sid']}/attempt", "carol"), 403)  # not enrolled
    assert error["code"]
    error_of(world.post("/sessions/99999/attempt", "carol"), 404)


def test_extension_moves_one_candidates_deadline(world, monkeypatch):
    e = world.exam()
    body = start(world, e["sid"])
    end = datetime.fromisoformat(body["deadline"])
    error_of(world.post(f"/sessions/{e['sid']}/candidates/alice/extension", "p1", {"minutes": 10}), 422)  # no reason
    error_of(world.post(f"/sessions/{e['sid']}/candidates/alice/extension", "alice",
                        {"minutes": 10, "reason": "我想多写"}), 403)  # fmt: skip
    r = world.post(f"/sessions/{e['sid']}/candidates/alice/extension", "p1", {"minutes": 10, "reason": "电脑故障"})
    assert r.status_code == 201
    at(monkeypatch, end + timedelta(minutes=5))
    q = body["questions"][0]
    assert world.put(answer_url(body, q), "alice", {"answer": right_answer(q)}).status_code == 200
    status = world.get(f"/attempts/{body['attempt_id']}", "alice").get_json()
    assert datetime.fromisoformat(status["deadline"]) == end + timedelta(minutes=10)
    bob = world.post(f"/sessions/{e['sid']}/attempt", "bob")
    assert bob.status_code == 409  # bob's own deadline has passed
    at(monkeypatch, end + timedelta(minutes=10))
    error_of(world.put(answer_url(body, q), "alice", {"answer": right_answer(q)}), 409)


def test_no_candidate_reachable_response_reveals_a_key(world, login):
    """Every endpoint a candidate can reach while the attempt runs, API and pages."""
    e = world.exam()
    body = start(world, e["sid"])
    sid, aid = e["sid"], body["attempt_id"]
    responses = [world.post(f"/sessions/{sid}/attempt", "alice")]
    for q in body["questions"]:
        responses.append(world.put(answer_url(body, q), "alice", {"answer": right_answer(q)}))
    responses.append(world.get(f"/attempts/{aid}", "alice"))
    for r in responses:
        assert r.status_code in {200, 201}
        no_key_in(r.get_json())
    assert responses[-1].get_json()["score"] is None
    # the staff-side reads that hold keys or papers are closed to candidates
    paper_id = e["papers"]["papers"][0]["id"]
    for path in (f"/sessions/{sid}", f"/papers/{paper_id}", f"/rooms/{e['room']}/status", f"/banks/{STANDARD}/items",
                 "/sessions"):  # fmt: skip
        error_of(world.get(path, "alice"), 403)
    # the candidate's pages: no key field, no stem (questions come through the API only)
    browser = login("alice")
    for page in ("/exams/", f"/exams/{sid}/take", f"/papers/{paper_id}/print", f"/papers/{paper_id}",
                 "/banks/", "/banks/export.json"):  # fmt: skip
        r = browser.get(page)
        text = r.get_data(True)
        if r.status_code == 200:
            assert '"answer"' not in text and "答案：" not in text and "参考答案" not in text, page
        else:
            assert r.status_code in {403, 404}, page


# ---------------------------------------------------------------- CSRF


def test_cookie_authenticated_api_writes_need_the_csrf_header(world, login):
    browser = login("boss")
    token = csrf_from(browser.get("/").get_data(True))
    body = session_body()
    refused = browser.post("/api/v1/sessions", json=body)
    assert refused.status_code in {400, 401, 403}
    assert browser.post("/api/v1/sessions", json=body, headers={"X-CSRFToken": "forged"}).status_code in {400, 401,
                                                                                                           403}  # fmt: skip
    assert world.get("/sessions", "boss").get_json()["sessions"] == []
    assert browser.get("/api/v1/sessions").status_code == 200  # reads need no token
    accepted = browser.post("/api/v1/sessions", json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    # a candidate's answer save through the cookie is refused in the same way
    e = world.exam()
    cand = login("alice")
    started = cand.post(f"/api/v1/sessions/{e['sid']}/attempt")
    assert started.status_code in {400, 401, 403}
    cand_token = csrf_from(cand.get(f"/exams/{e['sid']}/take").get_data(True))
    exam = cand.post(f"/api/v1/sessions/{e['sid']}/attempt", headers={"X-CSRFToken": cand_token}).get_json()
    q = exam["questions"][0]
    url = f"/api/v1/attempts/{exam['attempt_id']}/answers/{q['qid']}"
    assert cand.put(url, json={"answer": right_answer(q)}).status_code in {400, 401, 403}
    assert world.get(f"/attempts/{exam['attempt_id']}", "alice").get_json()["answers"] == {}
    assert cand.put(url, json={"answer": right_answer(q)}, headers={"X-CSRFToken": cand_token}).status_code == 200


def test_page_forms_carry_and_need_csrf_tokens(world, login):
    e = world.exam()
    browser = login("boss")
    for page in ("/sessions/new", f"/sessions/{e['sid']}", "/papers/", "/banks/import", "/banks/",
                 f"/exams/rooms/{e['room']}"):  # fmt: skip
        html = browser.get(page).get_data(True)
        forms = html.count("<form")
        posts = html.lower().count('method="post"')
        assert posts <= html.count('name="csrf_token"'), page  # every posting form has its token
        assert forms >= 1, page
    before = world.get(f"/sessions/{e['sid']}", "boss").get_json()
    r = browser.post(f"/sessions/{e['sid']}/rooms", data={"name": "偷偷加的", "capacity": "5", "kind": "theory"})
    assert r.status_code == 400
    assert browser.post("/sessions/new", data={"name": "x"}).status_code == 400
    assert world.get(f"/sessions/{e['sid']}", "boss").get_json() == before
    assert len(world.get("/sessions", "boss").get_json()["sessions"]) == 1
    cand = login("alice")
    for page in ("/eligibility/profile", "/eligibility/check"):
        html = cand.get(page).get_data(True)
        assert html.lower().count('method="post"') <= html.count('name="csrf_token"'), page
    assert cand.post("/eligibility/apply", data={"standard": STANDARD, "level": LEVEL}).status_code == 400


def test_bank_update_in_a_failing_batch_changes_nothing(world):
    world.import_bank()
    items = bank()[:10]
    items[0] = {**items[0], "stem": "不应保存的题干"}
    items[7] = {**items[7], "points": -1}
    error = error_of(world.post(f"/banks/{STANDARD}/items", "boss", {"items": items}), 422)
    assert error["details"] == {"index": 7, "field": "points"}
    stored = world.get(f"/banks/{STANDARD}/items", "boss").get_json()["items"]
    assert next(i for i in stored if i["external_id"] == items[0]["external_id"])["stem"] == bank()[0]["stem"]


def test_papers_a_platform_admin_assembles_for_a_session_belong_to_its_center(world):
    world.import_bank()
    sid = world.session()
    r = world.post(f"/sessions/{sid}/papers", "root", {"forms": 1, "max_overlap": 1.0, "seed": 2, "sections": SECTIONS})
    assert r.status_code == 201, r.get_json()
    paper_id = r.get_json()["papers"][0]["id"]
    assert world.get(f"/papers/{paper_id}", "boss").status_code == 200  # the session's own center sees its paper
    error_of(world.get(f"/papers/{paper_id}", "rival"), 404)


def test_readiness_of_a_complete_plan_and_of_each_gap(world, make_user):
    """1.9.3 ratios, 1.9.5 stations, papers: ready only when all hold; each gap is one problem."""
    e = world.exam(candidates=("alice",))
    sid = e["sid"]

    def problems() -> set[str]:
        body = world.get(f"/sessions/{sid}/readiness", "boss").get_json()
        assert body["ready"] is (not body["problems"])
        return {p["code"] for p in body["problems"]}

    gaps = problems()
    assert gaps and not any("paper" in code for code in gaps)
    world.post(
        f"/sessions/{sid}/staff", "boss", {"username": "p2", "role": "proctor", "room": e["room"], "panel": None}
    )
    for name in ("g2", "g3"):
        make_user(name, "grader", center="甲评价中心")
    for name in ("g1", "g2"):
        world.post(f"/sessions/{sid}/staff", "boss", {"username": name, "role": "grader", "room": None, "panel": None})
    gaps = problems()
    assert gaps and all("proctor" not in code for code in gaps)  # 2 proctors for 1 candidate (每考场不少于 2 名)
    assert any("practical" in code or "station" in code for code in gaps)  # no practical venue yet
    assert any("grader" in code for code in gaps)  # a panel of 2 is even and below 3
    world.post(f"/sessions/{sid}/staff", "boss", {"username": "g3", "role": "grader", "room": None, "panel": None})
    world.post(f"/sessions/{sid}/rooms", "boss", {"name": "实操室", "capacity": 10, "kind": "practical", "stations": 3})
    assert world.get(f"/sessions/{sid}/readiness", "boss").get_json() == {"ready": True, "problems": []}
    world.post(f"/sessions/{sid}/rooms", "boss", {"name": "实操二", "capacity": 10, "kind": "practical", "stations": 2})
    assert {code for code in problems() if "station" in code}  # 1.9.5 各考核场所考核工位不少于 3 个
