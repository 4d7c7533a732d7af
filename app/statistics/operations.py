"""Statistics operations shared by the pages and the API: a session's item and test analysis, the
difficulty write-back, the center dashboard. Operations only flush; the request boundary commits.

Definitions (contract v1.1 "Test statistics"): over the session's closed attempts; an item's score in
an attempt is points earned ÷ its points (unanswered 0; multiple choice scores only when exactly
right, as the attempt was scored); per form (paper) mean, SD (n − 1) and Cronbach's alpha; pass rates
per component over the candidates with a final score in it, read through ``app.assessment``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import numpy as np
from sqlalchemy import select

from app import assessment, timeutil
from app.audit.operations import record as audit
from app.auth.models import User
from app.banks import operations as bank_ops
from app.banks.models import Item
from app.errors import Conflict, NotFound
from app.exams import grading
from app.exams.models import Answer, Attempt, AttemptStatus
from app.extensions import db
from app.papers.models import PaperItem
from app.sessions.models import ExamSession, SessionStatus, form_label
from app.sessions.planning import list_sessions
from app.standards.registry import get_standard
from scoring import item_statistics as stats
from scoring.trends import pass_rate_series

from .models import DifficultyWriteback

JUDGE_LABELS = ["对", "错"]  # a judge item's two choices, counted as letters A (true) and B (false)
DECIMALS = 4  # a written-back difficulty keeps 4 decimals (the bank's difficulty is a proportion 0–1)
DASHBOARD_STATES = (SessionStatus.scoring, SessionStatus.published)


# ---------------------------------------------------------------- the session's analysis


def _closed_attempts(session: ExamSession, now: datetime) -> list[Attempt]:
    """Closed attempts only; attempts past their deadline are closed first (with what was saved)."""
    for component in assessment.session_components(session):
        component.close_expired(session, now)
    query = (
        select(Attempt)
        .where(Attempt.session_id == session.id, Attempt.status == AttemptStatus.submitted)
        .order_by(Attempt.id)
    )
    return list(db.session.scalars(query))


def _paper_items(paper_ids: list[int]) -> dict[int, list[PaperItem]]:
    by_paper: dict[int, list[PaperItem]] = {pid: [] for pid in paper_ids}
    query = select(PaperItem).where(PaperItem.paper_id.in_(paper_ids)).order_by(PaperItem.paper_id, PaperItem.position)
    for pi in db.session.scalars(query):
        by_paper[pi.paper_id].append(pi)
    return by_paper


def _answers(session: ExamSession) -> dict[int, dict[int, object]]:
    """{attempt id: {qid: saved answer in the candidate's letters}} of the session's closed attempts."""
    rows = db.session.execute(
        select(Answer.attempt_id, Answer.qid, Answer.value)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.session_id == session.id, Attempt.status == AttemptStatus.submitted)
    )
    saved: dict[int, dict[int, object]] = {}
    for attempt_id, qid, value in rows:
        if value is not None:
            saved.setdefault(attempt_id, {})[qid] = value
    return saved


def _choice(pi: PaperItem, original):
    """The choice as option letters of the bank item (a judge answer as A = 对, B = 错)."""
    if original is None:
        return None
    if pi.type == "judge":
        return "A" if original else "B"
    return original


def session_statistics(session: ExamSession, now: datetime | None = None) -> dict:
    """{"forms": [...], "items": [...], "pass_rates": {...}, "scores": {...}, "attempts": n}.

    forms: {"paper_id", "form", "attempts", "mean", "sd", "alpha", "alpha_band"} per session form
    (and any other paper an attempt sat); items: {"item_id", "external_id", "type", "stem", "points",
    "responses", "facility", "discrimination", "options", "option_rates", "flags"} in the order of
    first appearance; scores: {component: [final score or None for 缺考/违纪]} for the histograms."""
    now = now or timeutil.utcnow()
    attempts = _closed_attempts(session, now)
    paper_ids = [f.paper_id for f in session.forms]
    paper_ids += sorted({a.paper_id for a in attempts} - set(paper_ids))
    labels = {f.paper_id: form_label(f.form) for f in session.forms}
    items_of = _paper_items(paper_ids)
    saved = _answers(session)

    forms, blocks = [], []
    choices: dict[int, list] = {}
    snapshot: dict[int, PaperItem] = {}
    for paper_id in paper_ids:
        items = items_of[paper_id]
        sat = [a for a in attempts if a.paper_id == paper_id]
        earned = np.zeros((len(sat), len(items)))
        for row, attempt in enumerate(sat):
            perms = {entry["qid"]: entry["perm"] for entry in attempt.layout}
            answers = saved.get(attempt.id, {})
            for col, pi in enumerate(items):
                answer = answers.get(pi.item_id)
                original = (
                    grading.to_original(pi.type, answer, perms.get(pi.item_id, [])) if answer is not None else None
                )
                if grading.is_correct(pi.type, pi.answer, original):
                    earned[row, col] = pi.points
                choices.setdefault(pi.item_id, []).append(_choice(pi, original))
        for pi in items:
            snapshot.setdefault(pi.item_id, pi)
            choices.setdefault(pi.item_id, [])
        points = [pi.points for pi in items]
        if items:
            form = stats.form_statistics(earned, points)
            blocks.append(([pi.item_id for pi in items], earned, points))
        else:
            form = {"attempts": len(sat), "mean": None, "sd": None, "alpha": None}
        forms.append(
            {
                "paper_id": paper_id,
                "form": labels.get(paper_id, ""),
                **form,
                "alpha_band": stats.alpha_band(form["alpha"]),
            }
        )

    items = []
    for item_id, figures in stats.item_statistics(blocks).items():
        pi = snapshot[item_id]
        options = JUDGE_LABELS if pi.type == "judge" else list(pi.options or [])
        items.append(
            {
                "item_id": item_id,
                "external_id": pi.external_id,
                "type": pi.type,
                "stem": pi.stem,
                "points": pi.points,
                **figures,
                "options": options,
                "option_rates": stats.option_rates(choices[item_id], len(options)),
                "flags": stats.item_flags(figures["facility"], figures["discrimination"]),
            }
        )
    pass_rates, scores = component_outcomes(session)
    return {"forms": forms, "items": items, "pass_rates": pass_rates, "scores": scores, "attempts": len(attempts)}


def component_outcomes(session: ExamSession) -> tuple[dict[str, float | None], dict[str, list[float | None]]]:
    """Per component of the session, through the registry: the pass rate over the candidates with a
    final score in it (缺考 and 违纪 count and fail, 1.9.2), and those final scores (None: 缺考/违纪)."""
    standard = get_standard(session.standard_id)
    rates: dict[str, float | None] = {}
    scores: dict[str, list[float | None]] = {}
    for component in assessment.session_components(session):
        finals = [f for f in component.final_scores(session).values() if f.is_final]
        rates[component.key] = sum(component.passed(f, standard) for f in finals) / len(finals) if finals else None
        scores[component.key] = [f.score for f in finals]
    return rates, scores


# ---------------------------------------------------------------- difficulty write-back


def _eligible(entry: dict, min_responses: int) -> bool:
    return entry["responses"] >= min_responses and entry["facility"] is not None


def writeback_state(figures: dict, user: User, min_responses: int) -> dict[int, dict]:
    """Per item of the analysis: {"difficulty" (the bank's now), "eligible", "writable", "new"}."""
    ids = [entry["item_id"] for entry in figures["items"]]
    bank = {item.id: item for item in db.session.scalars(select(Item).where(Item.id.in_(ids)))} if ids else {}
    state = {}
    for entry in figures["items"]:
        item = bank.get(entry["item_id"])
        new = round(entry["facility"], DECIMALS) if entry["facility"] is not None else None
        state[entry["item_id"]] = {
            "difficulty": item.difficulty if item else None,
            "eligible": _eligible(entry, min_responses),
            "writable": item is not None and bank_ops.can_write(item, user),
            "new": new,
            "changed": item is not None and new is not None and item.difficulty != new,
        }
    return state


def _write(session: ExamSession, item: Item, entry: dict, user: User, now: datetime) -> DifficultyWriteback:
    record = DifficultyWriteback(
        item_id=item.id,
        session_id=session.id,
        old_difficulty=item.difficulty,
        new_difficulty=round(entry["facility"], DECIMALS),
        responses=entry["responses"],
        actor_id=user.id,
        created_at=now,
    )
    item.difficulty = record.new_difficulty
    db.session.add(record)
    details = {
        "external_id": item.external_id,
        "old": record.old_difficulty,
        "new": record.new_difficulty,
        "responses": record.responses,
    }
    audit("bank.difficulty_written_back", item, {**details, "session_id": session.id}, actor=user)
    return record


def write_back_item(
    session: ExamSession, item_id: int, user: User, min_responses: int, now: datetime | None = None
) -> DifficultyWriteback:
    """Write one item's observed facility in this session into its difficulty, once it has at least
    ``min_responses`` responses; the platform's items only by a platform admin, a center's own items
    by that center's admins (``banks.operations.check_writable``: 403 / 404)."""
    now = now or timeutil.utcnow()
    figures = session_statistics(session, now)
    entry = next((e for e in figures["items"] if e["item_id"] == item_id), None)
    if entry is None:
        raise NotFound("本批次试卷中没有该试题")
    item = bank_ops.get_item(item_id, user)
    bank_ops.check_writable(item, user)
    if not _eligible(entry, min_responses):
        raise Conflict(
            f"试题 {entry['external_id']} 在本批次只有 {entry['responses']} 份作答，"
            f"至少需要 {min_responses} 份才能回写难度",
            code="too_few_responses",
            details={"responses": entry["responses"], "required": min_responses},
        )
    if item.difficulty == round(entry["facility"], DECIMALS):
        raise Conflict(f"试题 {entry['external_id']} 的难度已是本批次的观测值", code="unchanged")
    record = _write(session, item, entry, user, now)
    db.session.flush()
    return record


def write_back_all(
    session: ExamSession, user: User, min_responses: int, now: datetime | None = None
) -> list[DifficultyWriteback]:
    """Every item of the session with enough responses that ``user`` may write and whose difficulty
    differs from the observed facility; the others are left as they are."""
    now = now or timeutil.utcnow()
    figures = session_statistics(session, now)
    state = writeback_state(figures, user, min_responses)
    records = []
    for entry in figures["items"]:
        s = state[entry["item_id"]]
        if s["eligible"] and s["writable"] and s["changed"]:
            records.append(_write(session, db.session.get(Item, entry["item_id"]), entry, user, now))
    db.session.flush()
    return records


def writebacks_of(session: ExamSession) -> list[DifficultyWriteback]:
    query = select(DifficultyWriteback).where(DifficultyWriteback.session_id == session.id)
    return list(db.session.scalars(query.order_by(DifficultyWriteback.id)))


# ---------------------------------------------------------------- the center dashboard


def _month(session: ExamSession) -> str:
    return session.theory_start.astimezone(timeutil.CHINA).strftime("%Y-%m")


def session_outcome(session: ExamSession) -> dict:
    """How many candidates have every component final (through the registry) and how many of them
    passed the level (1.9.2: every component of the level passed)."""
    standard = get_standard(session.standard_id)
    components = assessment.session_components(session)
    finals = {c.key: c.final_scores(session) for c in components}
    decided = passed = 0
    for enrollment in session.enrollments:
        entries = [(c, finals[c.key].get(enrollment.id, assessment.PENDING)) for c in components]
        if all(f.is_final for _, f in entries):
            decided += 1
            passed += all(c.passed(f, standard) for c, f in entries)
    return {
        "session": session,
        "standard": session.standard_id,
        "level": session.level,
        "period": _month(session),
        "candidates": len(session.enrollments),
        "decided": decided,
        "passed": passed,
        "rate": passed / decided if decided else None,
        "provisional": session.status != SessionStatus.published,
    }


def dashboard(user: User) -> dict:
    """The center's (a platform admin: every center's) sessions by state, candidates, and pass rates
    per standard and level by month over the sessions 评分中 (provisional) and 成绩已发布."""
    sessions = list_sessions(user)  # each brought up to the clock
    states = Counter(session.status for session in sessions)
    candidates = {e.user_id for session in sessions for e in session.enrollments}
    outcomes = [session_outcome(s) for s in sessions if s.status in DASHBOARD_STATES]
    outcomes.sort(key=lambda o: (o["period"], o["session"].id))
    return {
        "sessions": len(sessions),
        "by_state": {status: states.get(status, 0) for status in SessionStatus},
        "enrollments": sum(len(session.enrollments) for session in sessions),
        "candidates": len(candidates),
        "outcomes": outcomes,
        "series": pass_rate_series(outcomes),
    }
