"""/api/v1 machine exam (机考): attempt, answers, submit, status; proctors' room actions.

Every handler reads the clock first (``timeutil.utcnow()``): a write is judged by when it arrived.
A 200 to an answer save is sent only after it is committed (app/exams/group_commit.py).
"""

from __future__ import annotations

import json

from flask import Response, jsonify

from app import timeutil
from app.auth.roles import PROCTORS
from app.exams import attempts, paper_scores, proctoring
from app.exams.score_visibility import score_fields

from . import bp
from .common import api_auth, api_user, fields, parse_body, trusts_token_cache
from .schemas import AnswerRequest, Extension, PaperScore, Reason


def attempt_response(attempt, now, status: int) -> Response:
    """The attempt with its questions; the questions' JSON text is joined from the paper's cache."""
    head = {
        "attempt_id": attempt.id,
        "status": attempt.status.value,
        "deadline": timeutil.iso(attempt.deadline),
        "server_time": timeutil.iso(now),
        "answers": {} if getattr(attempt, "fresh", False) else attempts.answers_of(attempt),
    }
    body = json.dumps(head, ensure_ascii=False)[:-1] + ', "questions": ' + attempts.questions_json(attempt) + "}"
    return Response(body, status=status, mimetype="application/json")


@bp.post("/sessions/<int:session_id>/attempt")
@trusts_token_cache  # the start checks the token again (in its write, or before re-entering)
@api_auth("candidate")
def start_attempt(session_id: int):
    now = timeutil.utcnow()
    user = api_user()
    attempt = attempts.start_attempt(session_id, user, now, token_digest=getattr(user, "digest", None))
    return attempt_response(attempt, now, 201)


@bp.get("/attempts/<int:attempt_id>")
@api_auth()
def get_attempt(attempt_id: int):
    now = timeutil.utcnow()
    attempt = attempts.own_attempt(attempt_id, api_user())
    return jsonify(attempts.attempt_view(attempt, now))


@bp.put("/attempts/<int:attempt_id>/answers/<int:qid>")
@trusts_token_cache  # the write checks the token again (revoked anywhere: 401 at once)
@api_auth()
def save_answer(attempt_id: int, qid: int):
    now = timeutil.utcnow()
    body = parse_body(AnswerRequest)
    # The attempt is checked (owner: 404; status, deadline: 409) inside the write, under its lock,
    # and so is the bearer token (its digest; None when a page session cookie signed in).
    user = api_user()
    attempt = attempts.AttemptRef(attempt_id, user.id, getattr(user, "digest", None))
    saved = attempts.save_answer(attempt, qid, body.answer, now)
    return jsonify(
        {
            "saved_at": timeutil.iso(saved.saved_at),
            "server_time": timeutil.iso(now),
            "deadline": timeutil.iso(saved.deadline),
        }
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@api_auth()
def submit(attempt_id: int):
    now = timeutil.utcnow()
    attempt = attempts.submit(attempts.own_attempt(attempt_id, api_user()), now)
    return jsonify({"status": attempt.status.value, **score_fields(attempt)})  # the center's score rule


# ---------------------------------------------------------------- proctors


def _row_json(row: dict) -> dict:
    return {
        "username": row["username"],
        "name": row["name"],
        "seat": row["seat"],
        "ticket_no": row["ticket_no"],
        "form": row["form"] or None,
        "state": row["state"],
        "answered": row["answered"],
        "questions": row["questions"],
        "last_contact": timeutil.iso(row["last_contact"]),
        "deadline": timeutil.iso(row["deadline"]),
        "actions": [
            {
                "kind": a.kind.value,
                "minutes": a.minutes,
                "reason": a.reason,
                "by": a.actor.username,
                "at": timeutil.iso(a.created_at),
            }
            for a in row["actions"]
        ],
    }


@bp.get("/rooms/<int:room_id>/status")
@api_auth(*PROCTORS)
def room_status(room_id: int):
    now = timeutil.utcnow()
    room = proctoring.get_room(room_id, api_user())
    return jsonify(
        {
            "room": room.id,
            "name": room.name,
            "server_time": timeutil.iso(now),
            "candidates": [_row_json(r) for r in proctoring.room_status(room, now)],
        }
    )


def _action_json(action) -> dict:
    return {
        "id": action.id,
        "kind": action.kind.value,
        "minutes": action.minutes,
        "reason": action.reason,
        "by": action.actor.username,
        "at": timeutil.iso(action.created_at),
    }


@bp.post("/sessions/<int:session_id>/candidates/<username>/extension")
@api_auth(*PROCTORS)
def grant_extension(session_id: int, username: str):
    now = timeutil.utcnow()
    enrollment = proctoring.candidate_in_session(session_id, username, api_user())
    body = parse_body(Extension)
    action = proctoring.grant_extension(enrollment, body.minutes, body.reason, api_user(), now)
    body = _action_json(action)
    body["deadline"] = timeutil.iso(attempts.deadline_of(enrollment.session, enrollment.id))
    return jsonify(body), 201


@bp.post("/sessions/<int:session_id>/candidates/<username>/incidents")
@api_auth(*PROCTORS)
def record_incident(session_id: int, username: str):
    now = timeutil.utcnow()
    enrollment = proctoring.candidate_in_session(session_id, username, api_user())
    action = proctoring.record_incident(enrollment, parse_body(Reason).reason, api_user(), now)
    return jsonify(_action_json(action)), 201


@bp.post("/sessions/<int:session_id>/candidates/<username>/force-close")
@api_auth(*PROCTORS)
def force_close(session_id: int, username: str):
    now = timeutil.utcnow()
    enrollment = proctoring.candidate_in_session(session_id, username, api_user())
    attempt = proctoring.force_close(enrollment, parse_body(Reason).reason, api_user(), now)
    return jsonify({"status": attempt.status.value, "score": attempt.score})


# ---------------------------------------------------------------- 书面笔答 (3-01-04-03 1.9.2)


@bp.put("/sessions/<int:session_id>/theory/<username>")
@api_auth(*PROCTORS)
def enter_paper_score(session_id: int, username: str):
    """One entry of a paper sitting's theory score; final once two people's entries agree (or a third decides)."""
    user = api_user()
    body = parse_body(PaperScore)
    exam_session = paper_scores.session_for_entry(session_id, user)
    decision, count = paper_scores.record_entry(exam_session, username, fields(body), user)
    return jsonify({"username": username, **paper_scores.state_json(decision, count)})


@bp.get("/sessions/<int:session_id>/theory")
@api_auth(*PROCTORS)
def paper_scores_state(session_id: int):
    """Every candidate's entry state of a paper sitting (first / agreed / disagreed / decided)."""
    exam_session = paper_scores.session_for_entry(session_id, api_user())
    return jsonify({"theory_mode": exam_session.theory_mode.value, "candidates": paper_scores.states(exam_session)})
