"""Centers stay apart (issue 11 item 2): a center enrols only candidates whose application it approved, or
its own candidates; its errors do not tell it which usernames exist elsewhere; bank items have an owner."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import timeutil

STANDARD, LEVEL = "3-01-01-04", "四级"
SHE = "社团会员管理员"
# 四级 (1): 累计从事本职业工作满 5 年 — ten years up to any day the suite runs
ELIGIBLE = {"birth_date": "1990-05-01", "work": [{"occupation": SHE, "start": "2010-01-01", "end": None}]}


def _start_in(days: int) -> str:
    return (timeutil.utcnow() + timedelta(days=days)).astimezone(timeutil.CHINA).isoformat()


@pytest.fixture
def world(client, make_user, token_for):
    make_user("jia_cand", center="甲中心")
    make_user("yi_cand", center="乙中心")
    make_user("lone")  # a candidate of no center
    make_user("jia", role="center_admin", center="甲中心")
    make_user("yi", role="center_admin", center="乙中心")
    make_user("yi_proctor", role="proctor", center="乙中心")
    tokens = {name: token_for(name) for name in ("jia_cand", "yi_cand", "lone", "jia", "yi")}

    def apply_and_approve(candidate: str, admin: str) -> int:
        r = client.post(
            "/api/v1/applications",
            json={"standard": STANDARD, "level": LEVEL, "candidate": ELIGIBLE},
            headers=tokens[candidate],
        )
        assert r.status_code == 201 and r.get_json()["status"] == "eligible", r.get_json()
        app_id = r.get_json()["id"]
        assert client.post(f"/api/v1/applications/{app_id}/approve", json={}, headers=tokens[admin]).status_code == 200
        return app_id

    def session_of(admin: str) -> int:
        body = {"name": "批次", "standard": STANDARD, "level": LEVEL, "theory_start": _start_in(7),
                "theory_minutes": 90, "practical_minutes": 60}  # fmt: skip
        r = client.post("/api/v1/sessions", json=body, headers=tokens[admin])
        assert r.status_code == 201
        return r.get_json()["id"]

    return tokens, apply_and_approve, session_of


def _enrol(client, tokens, admin, sid, username):
    return client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": username}, headers=tokens[admin])


def test_a_center_cannot_enrol_a_candidate_another_center_approved(client, world):
    tokens, apply_and_approve, session_of = world
    apply_and_approve("jia_cand", "jia")
    yi_session, jia_session = session_of("yi"), session_of("jia")
    refused = _enrol(client, tokens, "yi", yi_session, "jia_cand")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_approved"
    detail = client.get(f"/api/v1/sessions/{yi_session}", headers=tokens["yi"]).get_json()
    assert detail["candidates"] == []
    assert _enrol(client, tokens, "jia", jia_session, "jia_cand").status_code == 201


def test_a_center_enrols_a_centerless_candidate_only_when_it_approved_them(client, world):
    tokens, apply_and_approve, session_of = world
    apply_and_approve("lone", "yi")
    jia_session, yi_session = session_of("jia"), session_of("yi")
    assert _enrol(client, tokens, "jia", jia_session, "lone").status_code == 409
    assert _enrol(client, tokens, "yi", yi_session, "lone").status_code == 201


def test_a_center_enrols_its_own_candidate_approved_by_a_platform_admin(client, world, make_user, token_for):
    tokens, _, session_of = world
    make_user("root", role="admin")
    r = client.post(
        "/api/v1/applications",
        json={"standard": STANDARD, "level": LEVEL, "candidate": ELIGIBLE},
        headers=tokens["yi_cand"],
    )
    approve = client.post(f"/api/v1/applications/{r.get_json()['id']}/approve", json={}, headers=token_for("root"))
    assert approve.status_code == 200
    assert _enrol(client, tokens, "yi", session_of("yi"), "yi_cand").status_code == 201
    assert _enrol(client, tokens, "jia", session_of("jia"), "yi_cand").status_code == 409


def test_errors_do_not_tell_which_usernames_exist_elsewhere(client, world):
    tokens, apply_and_approve, session_of = world
    apply_and_approve("yi_cand", "yi")
    sid = session_of("jia")
    unknown = _enrol(client, tokens, "jia", sid, "no_such_user")
    elsewhere = _enrol(client, tokens, "jia", sid, "yi_cand")
    other_staff = _enrol(client, tokens, "jia", sid, "yi_proctor")
    assert unknown.status_code == elsewhere.status_code == other_staff.status_code == 409

    def shape(response, name):
        error = response.get_json()["error"]
        return error["code"], error["message"].replace(name, "<name>")

    assert shape(unknown, "no_such_user") == shape(elsewhere, "yi_cand") == shape(other_staff, "yi_proctor")
    # staff: an unknown username and another center's proctor read alike too
    staff = [
        client.post(f"/api/v1/sessions/{sid}/staff", json={"username": name, "role": "proctor"}, headers=tokens["jia"])
        for name in ("no_such_user", "yi_proctor")
    ]
    assert [s.status_code for s in staff] == [422, 422]
    assert shape(staff[0], "no_such_user") == shape(staff[1], "yi_proctor")


# ---------------------------------------------------------------- bank owners


def _items(prefix: str) -> list[dict]:
    """The acceptance suite's 四级 bank (every area, judge/single/multiple) under other ids."""
    from tests.test_acceptance_api import bank

    return [dict(item, external_id=f"{prefix}{item['external_id']}") for item in bank()]


def _ids(client, headers) -> set[str]:
    return {
        i["external_id"] for i in client.get(f"/api/v1/banks/{STANDARD}/items", headers=headers).get_json()["items"]
    }


def test_each_center_reads_the_platform_bank_and_its_own_items_only(client, world, make_user, token_for):
    tokens, _, _ = world
    make_user("root", role="admin")
    root = token_for("root")
    assert (
        client.post(f"/api/v1/banks/{STANDARD}/items", json={"items": _items("P")[:3]}, headers=root).status_code == 201
    )
    assert (
        client.post(
            f"/api/v1/banks/{STANDARD}/items", json={"items": _items("J")[:2]}, headers=tokens["jia"]
        ).status_code
        == 201
    )
    platform = {i["external_id"] for i in _items("P")[:3]}
    jia_own = {i["external_id"] for i in _items("J")[:2]}
    assert _ids(client, tokens["jia"]) == platform | jia_own
    assert _ids(client, tokens["yi"]) == platform
    assert _ids(client, root) == platform | jia_own


def test_a_center_cannot_overwrite_the_platform_bank_or_another_centers_items(client, world, make_user, token_for):
    tokens, _, _ = world
    make_user("root", role="admin")
    root = token_for("root")
    platform_item = _items("P")[0]
    assert (
        client.post(f"/api/v1/banks/{STANDARD}/items", json={"items": [platform_item]}, headers=root).status_code == 201
    )
    jia_item = _items("J")[0]
    assert (
        client.post(f"/api/v1/banks/{STANDARD}/items", json={"items": [jia_item]}, headers=tokens["jia"]).status_code
        == 201
    )
    for owned in (platform_item, jia_item):
        forged = dict(owned, answer=not owned["answer"], stem="改过的题干")
        batch = [_items("Y")[1], forged]  # the bad one second: the whole batch is refused
        r = client.post(f"/api/v1/banks/{STANDARD}/items", json={"items": batch}, headers=tokens["yi"])
        assert r.status_code == 422, r.get_json()
        error = r.get_json()["error"]
        assert error["details"]["field"] == "external_id" and error["details"]["index"] == 1
    listed = client.get(f"/api/v1/banks/{STANDARD}/items", headers=root).get_json()["items"]
    by_id = {i["external_id"]: i for i in listed}
    assert by_id[platform_item["external_id"]]["stem"] == platform_item["stem"]
    assert by_id[jia_item["external_id"]]["answer"] == jia_item["answer"]
    assert _items("Y")[1]["external_id"] not in by_id  # nothing of the refused batch stored
    # a platform admin may correct a center's item (importing an existing external_id updates it)
    fixed = dict(jia_item, stem="平台更正")
    assert client.post(f"/api/v1/banks/{STANDARD}/items", json={"items": [fixed]}, headers=root).status_code == 201
    assert {
        i["external_id"]: i["stem"]
        for i in client.get(f"/api/v1/banks/{STANDARD}/items", headers=tokens["jia"]).get_json()["items"]
    }[jia_item["external_id"]] == "平台更正"


def test_bank_pages_let_a_center_write_only_its_own_items(app, client, world, make_user, token_for, login):
    from sqlalchemy import select

    from app.banks.models import Item
    from app.extensions import db
    from tests.conftest import csrf_from

    tokens, _, _ = world
    make_user("root", role="admin")
    client.post(f"/api/v1/banks/{STANDARD}/items", json={"items": _items("P")[:1]}, headers=token_for("root"))
    client.post(f"/api/v1/banks/{STANDARD}/items", json={"items": _items("J")[:1]}, headers=tokens["jia"])
    with app.app_context():
        ids = dict(db.session.execute(select(Item.external_id, Item.id)).all())
    yi = login("yi")
    token = csrf_from(yi.get(f"/banks/?standard={STANDARD}").get_data(True))
    assert yi.post(f"/banks/items/{ids['JJ-职业道德-0']}/retire", data={"csrf_token": token}).status_code == 404
    assert yi.get(f"/banks/items/{ids['JJ-职业道德-0']}/preview").status_code == 404
    assert yi.post(f"/banks/items/{ids['PJ-职业道德-0']}/retire", data={"csrf_token": token}).status_code == 403
    jia = login("jia")
    page = jia.get(f"/banks/?standard={STANDARD}").get_data(True)
    assert "平台题库" in page and "本机构" in page
    assert (
        jia.post(f"/banks/items/{ids['JJ-职业道德-0']}/retire", data={"csrf_token": token_of(jia)}).status_code == 302
    )
    with app.app_context():
        assert db.session.get(Item, ids["JJ-职业道德-0"]).retired is True
        assert db.session.get(Item, ids["PJ-职业道德-0"]).retired is False


def token_of(browser) -> str:
    from tests.conftest import csrf_from

    return csrf_from(browser.get(f"/banks/?standard={STANDARD}").get_data(True))


def test_a_center_assembles_from_the_platform_bank_and_its_own_items(client, world):
    from tests.test_acceptance_api import SECTIONS

    tokens, _, _ = world
    assert (
        client.post(f"/api/v1/banks/{STANDARD}/items", json={"items": _items("J")}, headers=tokens["jia"]).status_code
        == 201
    )
    body = {"standard": STANDARD, "level": LEVEL, "forms": 1, "seed": 1, "sections": SECTIONS,
            "difficulty": {"min": 0, "max": 1}}  # fmt: skip
    mine = client.post("/api/v1/papers/assemble", json=body, headers=tokens["jia"])
    assert mine.status_code == 201, mine.get_json()
    assert all(i["external_id"].startswith("J") for i in mine.get_json()["papers"][0]["items"])
    theirs = client.post("/api/v1/papers/assemble", json=body, headers=tokens["yi"])  # 乙 sees none of 甲's items
    assert theirs.status_code == 422 and theirs.get_json()["error"]["code"] == "infeasible"
