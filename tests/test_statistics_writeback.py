"""Difficulty write-back: the observed facility goes into the bank item's difficulty once the item has 30
responses in the session (29 is refused), by whom the item's owner allows (the platform's items: a
platform admin; a center's own items: its admins), recorded old → new in an append-only table, and
later assemblies read the new difficulty."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.auth.models import Center, User
from app.banks.models import Item
from app.extensions import db
from app.papers.models import Paper, PaperItem
from app.papers.operations import load_bank
from app.sessions import enrolment as session_ops
from app.sessions.models import ExamSession
from app.standards.registry import get_standard
from app.statistics.models import AppendOnlyError, DifficultyWriteback
from tests.conftest import csrf_from
from tests.test_sessions_fixtures import STANDARD, approved, session_body

CANDIDATES = 30


def right_on_center_item(n: int) -> bool:
    return n % 3 != 0  # 20 of 30 (20 of the first 29): facility 2/3


def right_on_platform_item(n: int) -> bool:
    return n > 6  # 24 of 30: facility 0.8


@pytest.fixture
def bank_session(app, client, make_user, token_for, monkeypatch):
    make_user("sadmin", "center_admin")
    make_user("root", "admin")
    admin = token_for("sadmin")
    sid = client.post("/api/v1/sessions", json=session_body(), headers=admin).get_json()["id"]
    room = client.post(
        f"/api/v1/sessions/{sid}/rooms", json={"name": "A101", "capacity": 40, "kind": "theory"}, headers=admin
    ).get_json()["id"]
    allowed = approved(monkeypatch)
    for n in range(1, CANDIDATES + 1):
        make_user(f"w{n}")
        with app.app_context():
            allowed.add((db.session.scalar(select(User.id).where(User.username == f"w{n}")), STANDARD, "四级"))
        assert (
            client.post(
                f"/api/v1/sessions/{sid}/candidates", json={"username": f"w{n}", "room": room}, headers=admin
            ).status_code
            == 201
        )
    with app.app_context():
        center_id = db.session.scalar(select(Center.id).where(Center.name == "测试评价中心"))
        platform = Item(standard_id=STANDARD, external_id="P-1", type="judge", stem="平台题：会员大会是最高权力机构。",
                        options=[], answer=True, points=1, area="会员发展", level="四级", difficulty=0.5)  # fmt: skip
        own = Item(standard_id=STANDARD, external_id="C-1", type="judge", stem="本机构题：会费可以挪作私用。",
                   options=[], answer=False, points=1, area="会员发展", level="四级", difficulty=0.6,
                   center_id=center_id)  # fmt: skip
        db.session.add_all([platform, own])
        db.session.flush()
        paper = Paper(standard_id=STANDARD, level="四级", batch="wb", form_no=1, forms=1, seed=1, max_overlap=1.0,
                      sections=[], difficulty_min=0, difficulty_max=1, total_points=2, area_points={"会员发展": 100},
                      mean_difficulty=0.55)  # fmt: skip
        paper.items.extend([PaperItem.snapshot_of(platform, 1), PaperItem.snapshot_of(own, 2)])
        db.session.add(paper)
        session_ops.attach_papers(db.session.get(ExamSession, sid), [paper])
        ids = {"platform": platform.id, "own": own.id, "center": center_id}
        db.session.commit()
    return {"sid": sid, "admin": admin, **ids}


def sit(client, token_for, sid: int, n: int, ids: dict) -> None:
    headers = token_for(f"w{n}")
    body = client.post(f"/api/v1/sessions/{sid}/attempt", headers=headers).get_json()
    answers = {ids["platform"]: right_on_platform_item(n), ids["own"]: not right_on_center_item(n)}
    for qid, answer in answers.items():
        r = client.put(f"/api/v1/attempts/{body['attempt_id']}/answers/{qid}", json={"answer": answer}, headers=headers)
        assert r.status_code == 200
    assert client.post(f"/api/v1/attempts/{body['attempt_id']}/submit", headers=headers).status_code == 200


def difficulty(app, item_id: int) -> float:
    with app.app_context():
        return db.session.get(Item, item_id).difficulty


def records(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(select(DifficultyWriteback).order_by(DifficultyWriteback.id))
        return [(r.item_id, r.old_difficulty, r.new_difficulty, r.responses, r.actor.username) for r in rows]


def test_29_responses_are_refused_and_30_written_and_recorded(app, client, token_for, bank_session):
    s = bank_session
    url = f"/api/v1/sessions/{s['sid']}/statistics"
    for n in range(1, CANDIDATES):
        sit(client, token_for, s["sid"], n, s)
    own = client.post(f"{url}/items/{s['own']}/difficulty", headers=s["admin"])
    assert own.status_code == 409, own.get_json()
    error = own.get_json()["error"]
    assert error["code"] == "too_few_responses" and error["details"] == {"responses": 29, "required": 30}
    assert "29" in error["message"] and "30" in error["message"]
    # A center admin never writes the platform's bank, whatever the responses.
    assert client.post(f"{url}/items/{s['platform']}/difficulty", headers=s["admin"]).status_code == 403
    assert client.post(f"{url}/difficulty", headers=s["admin"]).get_json()["written"] == []
    assert difficulty(app, s["own"]) == 0.6 and records(app) == []

    sit(client, token_for, s["sid"], CANDIDATES, s)
    written = client.post(f"{url}/items/{s['own']}/difficulty", headers=s["admin"])
    assert written.status_code == 200, written.get_json()
    body = written.get_json()
    assert (body["external_id"], body["old"], body["new"], body["responses"], body["by"]) == (
        "C-1",
        0.6,
        0.6667,
        30,
        "sadmin",
    )
    assert body["at"].endswith("+08:00")
    assert difficulty(app, s["own"]) == 0.6667  # 20 / 30, kept to 4 decimals
    again = client.post(f"{url}/items/{s['own']}/difficulty", headers=s["admin"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "unchanged"
    assert client.post(f"{url}/items/{s['platform']}/difficulty", headers=s["admin"]).status_code == 403

    # The platform admin writes back every eligible item it may write that still differs: the platform's one.
    root = token_for("root")
    all_written = client.post(f"{url}/difficulty", headers=root).get_json()["written"]
    assert [(w["external_id"], w["old"], w["new"]) for w in all_written] == [("P-1", 0.5, 0.8)]
    assert records(app) == [(s["own"], 0.6, 0.6667, 30, "sadmin"), (s["platform"], 0.5, 0.8, 30, "root")]
    listed = client.get(f"{url}/writebacks", headers=s["admin"]).get_json()["writebacks"]
    assert [w["external_id"] for w in listed] == ["C-1", "P-1"]

    # Later assemblies read the new difficulties (the bank as the assembler loads it).
    with app.app_context():
        bank = load_bank(get_standard(STANDARD), "四级", ["会员发展"], s["center"])
        observed = dict(zip(bank.id.tolist(), bank.difficulty.tolist(), strict=True))
    assert observed[s["own"]] == 0.6667 and observed[s["platform"]] == 0.8


def test_the_threshold_is_configurable(app, client, token_for, bank_session):
    s = bank_session
    for n in range(1, 3):
        sit(client, token_for, s["sid"], n, s)
    url = f"/api/v1/sessions/{s['sid']}/statistics/items/{s['own']}/difficulty"
    assert client.post(url, headers=s["admin"]).get_json()["error"]["details"] == {"responses": 2, "required": 30}
    app.config["DIFFICULTY_WRITEBACK_MIN_RESPONSES"] = 2
    r = client.post(url, headers=s["admin"])
    assert r.status_code == 200 and r.get_json()["new"] == 1.0  # w1 and w2 both right
    assert difficulty(app, s["own"]) == 1.0


def test_other_centers_and_candidates_cannot_write(app, client, token_for, make_user, bank_session):
    s = bank_session
    url = f"/api/v1/sessions/{s['sid']}/statistics/difficulty"
    make_user("other_admin", "center_admin", center="另一评价中心")
    assert client.post(url, headers=token_for("other_admin")).status_code == 404
    assert client.post(url, headers=token_for("w1")).status_code == 403
    assert client.post(url).status_code == 401


def test_the_record_is_append_only(app, client, token_for, bank_session):
    s = bank_session
    app.config["DIFFICULTY_WRITEBACK_MIN_RESPONSES"] = 1
    sit(client, token_for, s["sid"], 1, s)
    assert (
        client.post(f"/api/v1/sessions/{s['sid']}/statistics/difficulty", headers=token_for("root")).status_code == 200
    )
    with app.app_context():
        record = db.session.scalars(select(DifficultyWriteback)).first()
        record.new_difficulty = 0.1
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AppendOnlyError):
            db.session.execute(update(DifficultyWriteback).values(new_difficulty=0.1))
        db.session.rollback()
        record = db.session.scalars(select(DifficultyWriteback)).first()
        db.session.delete(record)
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()


def test_page_buttons_write_back_with_csrf(app, client, token_for, login, bank_session):
    s = bank_session
    app.config["DIFFICULTY_WRITEBACK_MIN_RESPONSES"] = 3
    for n in range(1, 4):
        sit(client, token_for, s["sid"], n, s)
    browser = login("sadmin")
    page = browser.get(f"/statistics/sessions/{s['sid']}").get_data(True)
    assert "回写全部符合条件的难度（1 题）" in page  # its own item only; the platform's is not its to write
    assert "平台题库，由平台管理员回写" in page
    target = f"/statistics/sessions/{s['sid']}/items/{s['own']}/writeback"
    assert browser.post(target).status_code == 400  # no CSRF token
    assert difficulty(app, s["own"]) == 0.6
    done = browser.post(target, data={"csrf_token": csrf_from(page)}, follow_redirects=True).get_data(True)
    assert "试题 C-1 的难度已由 0.6 改为 0.6667" in done  # w1, w2 right, w3 wrong: 2/3
    assert "难度回写记录" in done and "0.6667" in done
    root = login("root")
    page = root.get(f"/statistics/sessions/{s['sid']}").get_data(True)
    done = root.post(
        f"/statistics/sessions/{s['sid']}/writeback", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    ).get_data(True)
    assert "已回写 1 道试题的难度" in done
    assert difficulty(app, s["platform"]) == 0.0  # w1–w3 all wrong on the platform item (right only from w7)
