"""The audit log records every score, decision, extension, revocation and bank change (issue 11,
item 10): each action one entry with its actor, the actor's role, the center whose record it is
and the values that matter; a failed request (422/409) leaves none; an entry is written in the
same transaction as its change (rolled back with it, committed with it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import login_user
from sqlalchemy import func, select

from app import timeutil
from app.audit.models import AuditEntry
from app.audit.operations import record
from app.auth.models import User
from app.banks import operations as bank_ops
from app.banks.models import Item
from app.extensions import db
from tests.audit_helpers import entries, one
from tests.conftest import csrf_from
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)
from tests.test_banks_api import item
from tests.test_certificates_api import _issued
from tests.test_decision_races import pending  # noqa: F401  (fixture)
from tests.test_eligibility_pages import PNG
from tests.test_exam_api import at, correct_letter, start, window
from tests.test_files import stored_files, upload_evidence
from tests.test_papers_api import admin, request_body  # noqa: F401  (fixture)
from tests.test_practical_api import finalize, put, sections_for, setup_fixture  # noqa: F401  (fixture)
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)
from tests.test_statistics_writeback import CANDIDATES, bank_session, difficulty, sit  # noqa: F401  (fixture)

STD = "3-01-01-04"


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


# ---------------------------------------------------------------- the transaction


def test_a_rolled_back_change_leaves_no_entry_and_a_committed_one_always_has_one(app, make_user):
    make_user("boss", "center_admin")
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        bank_ops.upsert_items(bank_ops.get_standard(STD), [item(1)], boss.center_id, boss)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1  # flushed, not committed
        db.session.rollback()
    assert count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Item)) == 0  # the change went with it
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        bank_ops.upsert_items(bank_ops.get_standard(STD), [item(1)], boss.center_id, boss)
        db.session.commit()
    entry = one(app, "bank.items_imported")
    assert entry["center"] == "测试评价中心" and entry["actor"] is None  # no request: the system (CLI)
    assert entry["details"]["created_ids"] == ["T-0001"]


def test_an_unknown_action_code_is_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        record("bank.item_deleted_quietly", None, subject_type="bank_items")


# ---------------------------------------------------------------- bank changes


def test_bank_import_one_entry_with_counts_and_changed_ids(app, client, make_user, token_for):
    make_user("boss", "center_admin")
    headers = token_for("boss")
    items = [item(1), item(2), item(3)]
    assert client.post(f"/api/v1/banks/{STD}/items", json={"items": items}, headers=headers).status_code == 201
    first = one(app, "bank.items_imported")
    assert first["actor"] == "boss" and first["role"] == "center_admin" and first["center"] == "测试评价中心"
    assert first["subject"] == ("bank_items", None)
    assert first["details"]["created"] == 3 and first["details"]["created_ids"] == ["T-0001", "T-0002", "T-0003"]
    assert first["ip"] == "127.0.0.1" and first["request_id"]
    # again: T-0001 unchanged, T-0002 with a new stem, T-0003 with a new answer key, T-0004 new
    again = [item(1), item(2, stem="改过的题干"), item(3, answer="C"), item(4)]
    r = client.post(f"/api/v1/banks/{STD}/items", json={"items": again}, headers=headers)
    assert r.status_code == 201
    second = entries(app, "bank.items_imported")[1]["details"]
    assert (second["created"], second["updated"], second["unchanged"]) == (1, 2, 1)
    assert second["created_ids"] == ["T-0004"] and second["updated_ids"] == ["T-0002", "T-0003"]
    assert second["answer_key_changed"] == ["T-0003"]
    # a bad import (422) is one failed request: no entry
    bad = [item(5), item(6, answer="Z")]
    assert client.post(f"/api/v1/banks/{STD}/items", json={"items": bad}, headers=headers).status_code == 422
    assert len(entries(app, "bank.items_imported")) == 2


def test_item_edit_with_its_answer_key_and_retire(app, make_user, login):
    make_user("boss", "center_admin")
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        bank_ops.upsert_items(bank_ops.get_standard(STD), [item(1)], boss.center_id, boss)
        db.session.commit()
        item_id = db.session.scalar(select(Item.id))
    with app.test_request_context():  # a page request signed in as the center admin
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        login_user(boss)
        found = bank_ops.get_item(item_id, boss)
        bank_ops.update_item(found, {"answer": "D", "difficulty": 0.5}, boss)
        bank_ops.update_item(found, {"answer": "D"}, boss)  # nothing changes: nothing recorded
        bank_ops.set_retired(found, True, boss)
        bank_ops.set_retired(found, True, boss)  # already retired: nothing recorded
        db.session.commit()
    edited = one(app, "bank.item_edited")
    assert edited["actor"] == "boss" and edited["subject"] == ("bank_items", item_id)
    assert edited["details"]["changes"] == {"answer": ["B", "D"], "difficulty": [0.65, 0.5]}
    assert one(app, "bank.item_retired")["details"] == {"external_id": "T-0001"}


def test_paper_assembly_one_entry_per_form(app, client, admin):  # noqa: F811
    r = client.post("/api/v1/papers/assemble", json=request_body(), headers=admin)
    assert r.status_code == 201, r.get_json()
    assembled = entries(app, "paper.assembled")
    assert [e["subject"][1] for e in assembled] == [p["id"] for p in r.get_json()["papers"]]
    assert {e["details"]["form"] for e in assembled} == {1, 2} and assembled[0]["details"]["seed"] == 7
    assert all(e["actor"] == "boss" and e["center"] == "测试评价中心" for e in assembled)
    bad = client.post("/api/v1/papers/assemble", json=request_body(forms=0), headers=admin)
    assert bad.status_code == 422
    assert len(entries(app, "paper.assembled")) == 2


# ---------------------------------------------------------------- decisions on applications


def test_approval_and_a_second_decision_409_leaves_one_entry(app, client, pending):  # noqa: F811
    url = f"/api/v1/applications/{pending['id']}"
    assert client.post(f"{url}/reject", json={}, headers=pending["boss"]).status_code == 422  # no reason
    assert entries(app, "application.") == []
    assert client.post(f"{url}/approve", json={"reason": "材料齐全"}, headers=pending["boss"]).status_code == 200
    assert client.post(f"{url}/reject", json={"reason": "复核"}, headers=pending["root"]).status_code == 409
    entry = one(app, "application.")
    assert entry["action"] == "application.approved" and entry["actor"] == "boss" and entry["center"] == "甲中心"
    assert entry["subject"] == ("applications", pending["id"]) and entry["details"]["reason"] == "材料齐全"


def test_rejection_by_the_platform_admin_is_the_candidates_centers_record(app, client, pending):  # noqa: F811
    url = f"/api/v1/applications/{pending['id']}/reject"
    assert client.post(url, json={"reason": "工作年限不足"}, headers=pending["root"]).status_code == 200
    entry = one(app, "application.rejected")
    assert (entry["actor"], entry["role"], entry["center"]) == ("root", "admin", "甲中心")


# ---------------------------------------------------------------- the machine exam


def test_submit_records_the_score_and_a_second_submit_none(app, client, token_for, exam_setup):
    body, headers = start(client, token_for, exam_setup["sid"])
    aid = body["attempt_id"]
    for q in body["questions"]:
        client.put(f"/api/v1/attempts/{aid}/answers/{q['qid']}", json={"answer": correct_letter(q)}, headers=headers)
    assert entries(app, "exam.") == []  # saves are not audited
    assert one(app, "session.papers_assigned")["center"] == "测试评价中心"  # attached by the fixture
    assert client.post(f"/api/v1/attempts/{aid}/submit", headers=headers).status_code == 200
    assert client.post(f"/api/v1/attempts/{aid}/submit", headers=headers).status_code == 409
    entry = one(app, "exam.")
    assert entry["action"] == "exam.submitted" and entry["actor"] == "stu1" and entry["role"] == "candidate"
    assert entry["subject"] == ("attempts", aid) and entry["center"] == "测试评价中心"
    assert entry["details"]["score"] == 100.0 and entry["details"]["reason"] == "candidate"


def test_extension_then_close_at_the_deadline_by_nobody(app, client, token_for, exam_setup, monkeypatch):
    sid = exam_setup["sid"]
    aid = start(client, token_for, sid)[0]["attempt_id"]
    url = f"/api/v1/sessions/{sid}/candidates/stu1/extension"
    assert client.post(url, json={"minutes": 0, "reason": "x"}, headers=token_for("proc1")).status_code == 422
    assert client.post(url, json={"minutes": 10, "reason": "电脑故障"}, headers=token_for("proc1")).status_code == 201
    granted = one(app, "exam.extension_granted")
    assert granted["actor"] == "proc1" and granted["role"] == "proctor" and granted["center"] == "测试评价中心"
    assert granted["details"] == {"minutes": 10, "reason": "电脑故障"}
    _, end = window(app, sid)
    at(monkeypatch, end + timedelta(minutes=11))
    # the candidate's own look at the attempt closes it: the deadline did, not the candidate
    assert client.get(f"/api/v1/attempts/{aid}", headers=token_for("stu1")).get_json()["status"] == "submitted"
    closed = one(app, "exam.closed_at_deadline")
    assert closed["actor"] is None and closed["role"] == "" and closed["details"]["score"] == 0.0


def test_force_close_and_incident_name_the_proctor(app, client, token_for, exam_setup):
    sid = exam_setup["sid"]
    start(client, token_for, sid)
    proctor = token_for("proc1")
    base = f"/api/v1/sessions/{sid}/candidates/stu1"
    assert client.post(f"{base}/incidents", json={"reason": "夹带"}, headers=proctor).status_code == 201
    assert client.post(f"{base}/force-close", json={"reason": "  "}, headers=proctor).status_code == 422
    assert client.post(f"{base}/force-close", json={"reason": "违纪收卷"}, headers=proctor).status_code == 200
    assert client.post(f"{base}/force-close", json={"reason": "再次"}, headers=proctor).status_code == 409
    assert one(app, "exam.incident_recorded")["details"] == {"reason": "夹带"}
    forced = one(app, "exam.force_closed")
    assert forced["actor"] == "proc1" and forced["details"]["reason"] == "forced"
    assert len(entries(app, "exam.")) == 2


# ---------------------------------------------------------------- panel scores


def test_sheets_corrections_marks_and_finalize(app, client, setup):
    s = setup()
    assert put(client, s, 1, "c1", {**sections_for(70), "宣传讲解": 99}).status_code == 422
    assert entries(app) == []
    assert put(client, s, 1, "c1", sections_for(70)).status_code == 200
    assert put(client, s, 1, "c1", sections_for(70)).status_code == 200  # the same again: no change, no entry
    assert put(client, s, 1, "c1", sections_for(72)).status_code == 200
    saved = entries(app, "practical.sheet_saved")
    assert [e["details"]["kind"] for e in saved] == ["entry", "correction"]
    assert saved[1]["details"]["old"]["total"] == 70 and saved[1]["details"]["new"]["total"] == 72
    assert saved[1]["actor"] == "g1" and saved[1]["role"] == "grader" and saved[1]["center"] == "测试评价中心"
    for n in (2, 3):
        put(client, s, n, "c1", sections_for(60 + n))
    assert finalize(client, s, "c1").status_code == 200
    assert finalize(client, s, "c1").status_code == 409
    done = one(app, "practical.finalized")
    assert done["actor"] == "admin1" and done["details"]["score"] == (72 + 62 + 63) / 3
    assert done["details"]["graders"] == 3 and done["details"]["status"] == "final"
    mark = f"/api/v1/sessions/{s['sid']}/practical/c2/mark"
    assert client.post(mark, json={"mark": "disqualified"}, headers=s["admin"]).status_code == 422  # no reason
    assert client.post(mark, json={"mark": "disqualified", "reason": "冒名"}, headers=s["admin"]).status_code == 200
    assert client.post(mark, json={"mark": None}, headers=s["admin"]).status_code == 200
    assert one(app, "practical.marked")["details"] == {"candidate": "c2", "mark": "disqualified", "reason": "冒名"}
    assert one(app, "practical.unmarked")["details"] == {"candidate": "c2", "old": "disqualified"}


def test_review_sheet_is_its_own_action(app, client, setup, token_for):
    s = setup(level="二级", graders=3, reviewers=3)
    r = client.put(f"/api/v1/sessions/{s['sid']}/review/c1", json={"score": 81}, headers=token_for("r1"))
    assert r.status_code == 200, r.get_json()
    entry = one(app, "review.sheet_saved")
    assert entry["actor"] == "r1" and entry["details"]["new"]["total"] == 81


# ---------------------------------------------------------------- results, certificates, tokens


def test_publication_certificates_and_revocation(app, flow):
    number = _issued(app, flow)
    published = one(app, "results.published")
    assert published["actor"] == "admin1" and published["details"] == {
        "candidates": 1,
        "passed": 1,
        "already_certified": 0,
    }
    issued = one(app, "certificate.issued")
    assert issued["details"]["number"] == number and issued["center"] == "测试评价中心"
    url = f"/api/v1/certificates/{number}/revoke"
    assert flow.client.post(url, json={"reason": ""}, headers=flow.admin).status_code == 422
    assert flow.client.post(url, json={"reason": "冒名顶替参加考试"}, headers=flow.admin).status_code == 200
    assert flow.client.post(url, json={"reason": "再次"}, headers=flow.admin).status_code == 409
    revoked = one(app, "certificate.revoked")
    assert revoked["actor"] == "admin1" and revoked["details"] == {"number": number, "reason": "冒名顶替参加考试"}
    assert one(app, "certificate.settings_changed")["actor"] is None  # saved outside a request


def test_token_revocation(app, client, make_user, token_for):
    make_user("g1", "grader")
    headers = token_for("g1")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code in (200, 204)
    entry = one(app, "token.revoked")
    assert entry["actor"] == "g1" and entry["center"] == "测试评价中心" and entry["details"] == {"user": "g1"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 401
    assert len(entries(app, "token.")) == 1


def test_entries_are_stamped_with_the_clock_of_the_app(app, client, make_user, token_for, monkeypatch):
    make_user("g1", "grader")
    headers = token_for("g1")
    moment = timeutil.utcnow() + timedelta(days=3)
    monkeypatch.setattr(timeutil, "utcnow", lambda: moment)
    client.delete("/api/v1/auth/token", headers=headers)
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.at)) == moment


# ---------------------------------------------------------------- the rest: settings, withdrawal, files, write-back


def test_spread_threshold_and_section_split(app, client, setup):
    s = setup()
    assert client.put("/api/v1/scoring/settings", json={"spread_threshold": 0}, headers=s["admin"]).status_code == 422
    assert client.put("/api/v1/scoring/settings", json={"spread_threshold": 12}, headers=s["admin"]).status_code == 200
    assert client.put("/api/v1/scoring/settings", json={"spread_threshold": 10}, headers=s["admin"]).status_code == 200
    changes = [e["details"] for e in entries(app, "practical.threshold_set")]
    assert changes == [{"old": None, "new": 12.0}, {"old": 12.0, "new": 10.0}]
    assert entries(app, "practical.threshold_set")[0]["center"] == "测试评价中心"
    url = f"/api/v1/sessions/{s['sid']}/practical/splits/宣传讲解"
    assert (
        client.put(url, json={"parts": [{"name": "不存在的工作内容", "max": 15}]}, headers=s["admin"]).status_code
        == 422
    )
    assert entries(app, "practical.split_set") == []


def test_withdrawal_by_the_candidate(app, client, pending, token_for):  # noqa: F811
    r = client.post(f"/api/v1/applications/{pending['id']}/withdraw", headers=token_for("cand"))
    assert r.status_code == 200
    entry = one(app, "application.withdrawn")
    assert (entry["actor"], entry["role"], entry["center"]) == ("cand", "candidate", "甲中心")
    assert entry["subject"] == ("applications", pending["id"])


def test_evidence_deletion(app, make_user, login):
    make_user("cand", center="甲中心")
    browser = login("cand")
    upload_evidence(browser, PNG, "证书.png")
    assert entries(app) == []  # an upload is not a decision
    file_id = stored_files(app)[0].id
    csrf = csrf_from(browser.get("/eligibility/profile").get_data(True))
    assert browser.post(f"/eligibility/evidence/{file_id}/delete", data={"csrf_token": csrf}).status_code == 302
    entry = one(app, "evidence.deleted")
    assert entry["actor"] == "cand" and entry["center"] == "甲中心" and entry["details"]["name"] == "证书.png"


def test_difficulty_write_back_names_the_item_and_its_values(app, client, token_for, bank_session):  # noqa: F811
    s = bank_session
    for n in range(1, CANDIDATES + 1):
        sit(client, token_for, s["sid"], n, s)
    assert len(entries(app, "exam.submitted")) == CANDIDATES  # one per attempt scored
    url = f"/api/v1/sessions/{s['sid']}/statistics"
    assert client.post(f"{url}/items/{s['platform']}/difficulty", headers=s["admin"]).status_code == 403
    r = client.post(f"{url}/items/{s['own']}/difficulty", headers=s["admin"])
    assert r.status_code == 200, r.get_json()
    entry = one(app, "bank.difficulty_written_back")
    assert (
        entry["actor"] == "sadmin"
        and entry["center"] == "测试评价中心"
        and entry["subject"] == ("bank_items", s["own"])
    )
    assert entry["details"]["old"] == 0.6 and entry["details"]["new"] == difficulty(app, s["own"])
    assert entry["details"]["responses"] == CANDIDATES and entry["details"]["session_id"] == s["sid"]
