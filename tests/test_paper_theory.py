"""Theory on paper (书面笔答): 3-01-04-03 1.9.2 理论知识考试为书面笔答闭卷考试 (api-contract v1.2
"Theory on paper"). A paper sitting's score is typed twice by two different people and is final when
the two agree; a disagreement waits for a third, deciding entry by a third person; results,
publication and certificates read it through the theory component as they read machine scores."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.append_only import AppendOnlyError
from app.audit.models import AuditEntry
from app.exams.models import PaperScoreEntry
from app.extensions import db
from scoring.paper_entries import EntryState, decide, refusal
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)

STANDARD, LEVEL = "3-01-04-03", "四级"


def put(flow, sid, username, score, headers):
    return flow.client.put(f"/api/v1/sessions/{sid}/theory/{username}", json={"score": score}, headers=headers)


@pytest.fixture
def paper(flow):
    flow.p1 = flow.token_for("p1")
    flow.p2 = flow.token_for("p2")
    flow.make_user("p9", "proctor")  # of this center, not on the session
    flow.p9 = flow.token_for("p9")
    return flow


def paper_session(flow, candidates):
    # 1.9.4 of 3-01-04-03: 技能考核时间不少于 90min
    return flow.session(candidates, standard=STANDARD, level=LEVEL, theory_mode="paper", practical_minutes=90)


# ---------------------------------------------------------------- the pure rule


def test_two_agreeing_entries_are_final_a_third_decides_a_disagreement():
    assert decide([]).state == EntryState.none
    assert decide([72]).state == EntryState.first and decide([72]).score is None
    assert decide([72, 72.0]).state == EntryState.agreed and decide([72, 72]).score == 72
    assert decide([59.99, 60]).state == EntryState.disagreed and decide([59.99, 60]).score is None
    assert decide([59.99, 60, 60]).score == 60 and decide([59.99, 60, 60]).state == EntryState.decided
    assert decide([50, 70, 65]).score == 65  # the third person's reading is the score of record
    assert refusal([(1, 72)], 1) == "same_person"
    assert refusal([(1, 72), (2, 73)], 2) == "same_person"
    assert refusal([(1, 72), (2, 73)], 3) is None
    assert refusal([(1, 72), (2, 72)], 3) == "final"


# ---------------------------------------------------------------- the API


def test_session_records_its_mode_and_defaults_to_machine(paper):
    sid = paper_session(paper, ["c1"])
    body = paper.client.get(f"/api/v1/sessions/{sid}", headers=paper.admin).get_json()
    assert body["theory_mode"] == "paper"
    machine = paper.session(["c2"])
    assert paper.client.get(f"/api/v1/sessions/{machine}", headers=paper.admin).get_json()["theory_mode"] == "machine"
    bad = paper.client.post("/api/v1/sessions", json={**_body(), "theory_mode": "oral"}, headers=paper.admin)
    assert bad.status_code == 422 and bad.get_json()["error"]["details"]["field"] == "theory_mode"


def _body():
    from tests.test_sessions_fixtures import session_body

    return session_body(standard=STANDARD, level=LEVEL, practical_minutes=90)


def test_agreeing_entries_make_the_theory_score_and_results_read_it(paper):
    sid = paper_session(paper, ["c1", "c2"])
    first = put(paper, sid, "c1", 59.99, paper.admin)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["state"] == "first" and first.get_json()["final"] is False
    assert paper.results(sid)["c1"]["theory"] is None  # one entry is not a score
    second = put(paper, sid, "c1", 59.99, paper.p1)
    assert second.get_json()["state"] == "agreed" and second.get_json()["score"] == 59.99
    assert put(paper, sid, "c2", 60, paper.p1).status_code == 200
    assert put(paper, sid, "c2", 60, paper.p2).get_json()["final"] is True
    for username in ("c1", "c2"):
        paper.practical(sid, username, 80)
    paper.end_theory(sid)
    r = paper.publish(sid)
    assert r.status_code == 200, r.get_json()
    rows = paper.results(sid)
    # 1.9.2 百分制，60分（含）以上为合格: 59.99 typed twice fails, 60 passes
    assert rows["c1"]["theory"] == 59.99 and rows["c1"]["passed"] is False and rows["c1"]["certificate_no"] is None
    assert rows["c2"]["theory"] == 60 and rows["c2"]["passed"] is True and rows["c2"]["certificate_no"]
    # once published nothing more is typed
    assert put(paper, sid, "c1", 70, paper.p2).status_code == 409


def test_a_disagreement_waits_for_a_third_person(paper):
    sid = paper_session(paper, ["c1"])
    put(paper, sid, "c1", 58, paper.admin)
    r = put(paper, sid, "c1", 85, paper.p1)
    assert r.get_json()["state"] == "disagreed" and r.get_json()["needs_third"] is True
    # neither of the two may decide their own disagreement
    again = put(paper, sid, "c1", 85, paper.p1)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "same_person"
    assert put(paper, sid, "c1", 85, paper.admin).status_code == 409
    third = put(paper, sid, "c1", 85, paper.p2)
    assert third.status_code == 200 and third.get_json()["state"] == "decided" and third.get_json()["score"] == 85
    assert paper.results(sid)["c1"]["theory"] == 85
    final = put(paper, sid, "c1", 90, paper.token_for("admin1"))
    assert final.status_code == 409 and final.get_json()["error"]["code"] == "score_final"
    state = paper.client.get(f"/api/v1/sessions/{sid}/theory", headers=paper.p1).get_json()
    assert state["candidates"][0]["state"] == "decided" and state["candidates"][0]["entries"] == 3


def test_same_person_twice_is_409_and_changes_nothing(app, paper):
    sid = paper_session(paper, ["c1"])
    assert put(paper, sid, "c1", 70, paper.p1).status_code == 200
    r = put(paper, sid, "c1", 70, paper.p1)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "same_person"
    with app.app_context():
        assert db.session.scalar(select(PaperScoreEntry.id).where(PaperScoreEntry.score == 70)) is not None
        assert len(db.session.scalars(select(PaperScoreEntry)).all()) == 1


@pytest.mark.parametrize("score", [-0.01, 100.01, "80", None, True])
def test_score_outside_0_to_100_is_422(paper, score):
    sid = paper_session(paper, ["c1"])
    r = put(paper, sid, "c1", score, paper.admin)
    assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == "score"


def test_bounds_0_and_100_are_scores(paper):
    sid = paper_session(paper, ["c1", "c2"])
    assert put(paper, sid, "c1", 0, paper.admin).status_code == 200
    assert put(paper, sid, "c2", 100, paper.admin).status_code == 200


def test_unknown_candidate_other_center_and_outsiders(paper):
    sid = paper_session(paper, ["c1"])
    assert put(paper, sid, "nobody", 70, paper.admin).status_code == 404
    paper.make_user("other_admin", "center_admin", center="另一机构")
    assert put(paper, sid, "c1", 70, paper.token_for("other_admin")).status_code == 404
    assert put(paper, sid, "c1", 70, paper.p9).status_code == 403  # a proctor not on this session
    assert put(paper, sid, "c1", 70, paper.graders[1]).status_code == 403  # a grader's role
    assert put(paper, 999_999, "c1", 70, paper.admin).status_code == 404


def test_machine_sitting_refuses_entries_and_paper_sitting_refuses_machine_starts(paper):
    machine = paper.session(["c1"])
    r = put(paper, machine, "c1", 70, paper.admin)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "machine_sitting"
    sid = paper_session(paper, ["c2"])
    start = paper.client.post(f"/api/v1/sessions/{sid}/attempt", headers=paper.token_for("c2"))
    assert start.status_code == 409 and start.get_json()["error"]["code"] == "paper_sitting"


def test_entries_are_append_only_and_audited(app, paper):
    sid = paper_session(paper, ["c1"])
    put(paper, sid, "c1", 70, paper.admin)
    put(paper, sid, "c1", 71, paper.p1)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "exam.paper_score_entered").order_by(AuditEntry.id)
        ).all()
        assert [(a.details["score"], a.details["state"]) for a in actions] == [(70, "first"), (71, "disagreed")]
        with pytest.raises(AppendOnlyError):
            db.session.execute(update(PaperScoreEntry).values(score=71))
        db.session.rollback()


def test_absent_typed_twice_is_absent_and_fails(paper):
    # 1.9.2: a component passes at 60 or more; 缺考 has no score and fails, as for the machine exam
    assert decide([None, None]).absent is True and decide([None, 70]).state == EntryState.disagreed
    sid = paper_session(paper, ["c1"])
    r = paper.client.put(f"/api/v1/sessions/{sid}/theory/c1", json={"absent": True}, headers=paper.admin)
    assert r.status_code == 200 and r.get_json()["state"] == "first"
    r = paper.client.put(f"/api/v1/sessions/{sid}/theory/c1", json={"absent": True}, headers=paper.p1)
    assert r.get_json()["state"] == "agreed" and r.get_json()["absent"] is True
    paper.practical(sid, "c1", 90)
    paper.end_theory(sid)
    assert paper.publish(sid).status_code == 200
    row = paper.results(sid)["c1"]
    assert row["theory"] is None and row["status"]["theory"] == "absent" and row["passed"] is False
