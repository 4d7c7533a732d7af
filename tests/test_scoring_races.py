"""Races on scoring (issue 11), with real threads against a file-backed SQLite (and PostgreSQL under
``make test-postgres``), released together by a barrier, each widened by a slow step between its
check and its write (helpers of tests/test_decision_races.py).

- A grader's correction racing the finalize of the candidate: either the correction is in the final
  score, or it arrives after the finalize and is refused with 409 — never a final score that differs
  from the stored sheets.
- Two saves of one grader's sheet at once: the second records the first's value as its old one
  (the append-only record stays one chain).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.practical import marking
from app.practical import sheets as sheet_ops
from app.practical.models import ComponentResult, RecordAction, ScoreRecord, ScoreSheet
from tests.test_decision_races import slowed, together
from tests.test_practical_api import (
    finalize,
    put,
    sections_for,
    setup_fixture,  # noqa: F401  (fixture)
)


@pytest.fixture
def graded(app, client, setup) -> dict:
    s = setup(graders=3, candidates=1)
    for grader in (1, 2, 3):
        assert put(client, s, grader, "c1", sections_for(90)).status_code == 200
    return s


def test_a_correction_racing_the_finalize_is_in_the_score_or_refused(app, graded, monkeypatch):
    """Before the fix both answered 200: final 90 while the stored sheets were 75/90/90."""
    s = graded
    slowed(monkeypatch, marking, "spread_threshold", 0.4)  # finalize: after reading the sheets, before writing
    responses = together(
        lambda: put(app.test_client(), s, 1, "c1", sections_for(75)),
        lambda: finalize(app.test_client(), s, "c1"),
    )
    saved, fixed = responses
    assert fixed.status_code == 200, fixed.get_json()
    assert saved.status_code in (200, 409), saved.get_json()
    with app.app_context():
        totals = sorted(db.session.scalars(select(ScoreSheet.total)))
        result = db.session.scalar(select(ComponentResult))
        actions = list(db.session.scalars(select(ScoreRecord.action).order_by(ScoreRecord.id)))
    if saved.status_code == 200:
        assert totals == [75, 90, 90]
        assert actions[-2:] == [RecordAction.correction, RecordAction.finalize]
    else:
        assert saved.get_json()["error"]["code"] == "finalized"
        assert totals == [90, 90, 90]
        assert actions[-1] == RecordAction.finalize and RecordAction.correction not in actions
    assert result.score == pytest.approx(sum(totals) / 3)
    assert fixed.get_json()["score"] == pytest.approx(sum(totals) / 3)


def test_two_saves_of_one_grader_at_once_chain_old_to_new(app, graded, monkeypatch):
    """Before the fix both corrections recorded old=90 (the record forked)."""
    s = graded
    slowed(monkeypatch, sheet_ops, "_sheet_state")  # after the sheet was read, before it is written
    responses = together(
        lambda: put(app.test_client(), s, 1, "c1", sections_for(80)),
        lambda: put(app.test_client(), s, 1, "c1", sections_for(70)),
    )
    assert [r.status_code for r in responses] == [200, 200], [r.get_json() for r in responses]
    with app.app_context():
        grader = db.session.scalar(select(ScoreSheet.grader_id).where(ScoreSheet.total.not_in([90])))
        chain = list(
            db.session.scalars(
                select(ScoreRecord)
                .where(ScoreRecord.actor_id == grader, ScoreRecord.action == RecordAction.correction)
                .order_by(ScoreRecord.id)
            )
        )
        stored = db.session.scalar(select(ScoreSheet.total).where(ScoreSheet.grader_id == grader))
    assert [c.old["total"] for c in chain][0] == 90
    assert len(chain) == 2
    assert chain[1].old["total"] == chain[0].new["total"]
    assert stored == chain[1].new["total"]
