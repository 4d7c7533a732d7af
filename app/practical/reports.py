"""Reading panel scoring: final scores for results (through the registry), each candidate's row
with progress, the progress counts the pages show (a member's sessions, per panel, per session),
the record of changes, and agreement per panel (contract v1.1).
"""

from __future__ import annotations

from sqlalchemy import select

from app import assessment
from app.auth.models import User
from app.auth.roles import is_admin
from app.extensions import db
from app.sessions.models import ExamSession, StaffAssignment
from app.sessions.planning import components_of
from scoring import agreement as agreement_stats

from .access import candidates_for, check_component, panel_members, panel_name, panels
from .marking import preview
from .models import ComponentResult, ResultStatus, ScoreRecord
from .sheets import existing_result, own_sheet, sheets_of
from .traits import for_account


def final_scores(session: ExamSession, component: str) -> dict[int, assessment.FinalScore]:
    results = {
        r.enrollment_id: r
        for r in db.session.scalars(
            select(ComponentResult).where(
                ComponentResult.session_id == session.id, ComponentResult.component == component
            )
        )
    }
    scores = {}
    for e in session.enrollments:
        r = results.get(e.id)
        if r is None or r.status == ResultStatus.pending:
            scores[e.id] = assessment.PENDING
        else:
            scores[e.id] = assessment.FinalScore(r.score, assessment.Status(r.status.value))
    return scores


def summary(session: ExamSession, component: str, user: User) -> list[dict]:
    """One row per candidate the user may see: panel, progress, and (admins only) totals and spread."""
    rows = []
    admin = is_admin(user)
    for e in candidates_for(session, component, user):
        result = existing_result(component, e)
        view = preview(session, component, e)
        row = {
            "enrollment": e,
            "username": e.user.username,
            "name": e.user.display_name,
            "ticket_no": e.ticket_no,
            "seat": e.seat,
            "panel": panel_name(session, component, e),
            "members": view["members"],
            "member_labels": view["member_labels"],
            "scored": len(view["totals"]),
            "missing": view["missing"],
            "status": result.status if result else ResultStatus.pending,
            "mark": result.mark if result else None,
            "mine": own_sheet(session, component, user, e) if not admin else None,
            "result": result,
        }
        locked = result is not None and result.locked
        if admin or locked:
            row.update(totals=view["totals"], score=view["score"], spread=view["spread"], flagged=view["flagged"])
            row["panel_problem"] = view["panel_problem"]
        rows.append(row)
    return rows


def records(session: ExamSession, component: str | None = None) -> list[ScoreRecord]:
    query = select(ScoreRecord).where(ScoreRecord.session_id == session.id).order_by(ScoreRecord.id)
    if component:
        query = query.where(ScoreRecord.component == component)
    return list(db.session.scalars(query))


def agreement(session: ExamSession, component: str) -> list[dict]:
    """Per panel (contract v1.1): over the panel's candidates with a sheet from every member, on the
    members' totals: ICC(A,1), Kendall's W (tie-corrected), each member's severity and consistency,
    and the flag for a member far from the panel (scoring.agreement.RULE)."""
    check_component(session, component)
    out = []
    for name, enrollments in panels(session, component).items():
        members = panel_members(session, component, enrollments[0]) if enrollments else []
        rows = []
        for e in enrollments:
            sheets = {s.grader_id: s.total for s in sheets_of(component, e)}
            if members and all(m.id in sheets for m in members):
                rows.append([sheets[m.id] for m in members])
        stats = agreement_stats.panel_agreement(rows, graders=len(members))
        out.append(
            {
                "panel": name,
                "graders": [m.username for m in members],
                "candidates": stats["candidates"],
                "icc": stats["icc"],
                "kendall_w": stats["kendall_w"],
                "grader_stats": [
                    {"username": m.username, "severity": sev, "consistency": con, "flagged": flag}
                    for m, sev, con, flag in zip(
                        members, stats["severity"], stats["consistency"], stats["flagged"], strict=True
                    )
                ],
                "rule": stats["rule"],
            }
        )
    return out


# ---------------------------------------------------------------- progress, as the pages count it


def member_sessions(user: User) -> tuple[assessment.Component | None, list[dict]]:
    """A grader's / reviewer's sessions (newest first) with their own progress: the component their
    account role scores, and [{"s", "total", "done"}] for each session that has it."""
    traits = for_account(user.role)
    if traits is None:
        return None, []
    assignments = db.session.scalars(
        select(StaffAssignment)
        .where(StaffAssignment.user_id == user.id, StaffAssignment.role == traits.staff_role)
        .order_by(StaffAssignment.session_id.desc())
    )
    rows = []
    for a in assignments:
        if traits.key not in components_of(a.session):
            continue
        mine = summary(a.session, traits.key, user)
        rows.append({"s": a.session, "total": len(mine), "done": sum(1 for r in mine if r["mine"])})
    return traits, rows


def to_score(rows: list[dict], after: str | None = None) -> list[dict]:
    """The member's candidates still to score (no sheet of theirs, not finalized), in roster order;
    with ``after`` (a username), starting from the one after it and wrapping round."""
    if after is not None:
        position = next((i for i, r in enumerate(rows) if r["username"] == after), -1)
        rows = rows[position + 1 :] + rows[: position + 1]
    return [r for r in rows if not r["mine"] and r["status"] == ResultStatus.pending and r["username"] != after]


def panel_progress(rows: list[dict]) -> dict[str | None, dict]:
    """Per panel: its members, candidates, sheets entered and candidates finalized (or marked)."""
    progress: dict[str | None, dict] = {}
    for row in rows:
        entry = progress.setdefault(
            row["panel"],
            {"members": [row["member_labels"][m] for m in row["members"]], "candidates": 0, "sheets": 0, "final": 0},
        )
        entry["candidates"] += 1
        entry["sheets"] += row["scored"]
        entry["final"] += row["status"] != ResultStatus.pending
    return progress


def lock_counts(rows: list[dict]) -> dict:
    """What 全部定分 / 本组全部定分 over ``rows`` (an admin's ``summary`` rows) would do, for the button's
    confirmation (issue 27 item 4, "将锁定 18 份评分表"): the candidates it finalizes, the sheets it locks
    and the candidates it skips. A pending candidate is finalized when marked (缺考/违纪) or when every
    panel member has scored, the panel is valid and the spread needs no note (``marking.finalize_panel``
    sends none); the others are skipped with their reason."""
    counts = {"candidates": 0, "sheets": 0, "skipped": 0}
    for row in rows:
        if row["status"] != ResultStatus.pending:
            continue
        ready = row["mark"] is not None or not (row["missing"] or row.get("panel_problem") or row.get("flagged"))
        counts["candidates" if ready else "skipped"] += 1
        counts["sheets"] += row["scored"] if ready else 0
    return counts


def session_progress(session: ExamSession, component: str) -> dict:
    """The session page's counts: candidates, sheets in and needed, finalized, flagged."""
    rows = [(preview(session, component, e), existing_result(component, e)) for e in session.enrollments]
    return {
        "candidates": len(rows),
        "sheets": sum(len(view["totals"]) for view, _ in rows),
        "needed": sum(len(view["members"]) for view, _ in rows),
        "final": sum(1 for _, result in rows if result is not None and result.locked),
        "flagged": sum(1 for view, _ in rows if view["flagged"]),
    }
