"""The theory component (理论知识考试) as an entry of the assessment registry.

Readiness (1.9.3 监考人员配比, papers assigned), the session hooks scoped to one session (close the
attempts past their deadline, has anyone started, who is still sitting), and the final scores that
results read: the attempt's score once it is closed; 缺考 when the window is over and no attempt
was started.
"""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from markupsafe import Markup
from sqlalchemy import func, select

from app import assessment, timeutil
from app.assessment import PENDING, FinalScore, Status
from app.extensions import db
from app.sessions.models import ExamSession
from app.sessions.readiness import SessionPlan, clause_of, required_proctors
from app.standards.schema import Assessment
from scoring.paper_entries import EntryState

from . import paper_scores
from .attempts import close_if_expired, deadline_of
from .models import Attempt, AttemptStatus, PaperScoreEntry


class TheoryComponent(assessment.Component):
    key = "theory"
    label = "理论知识考试"
    minutes_key = "theory_minutes"
    duration_required = True  # the theory window (theory_start + minutes) needs its length

    def readiness(self, plan: SessionPlan, rules: Assessment) -> list[dict]:
        problems: list[dict] = []

        def add(code: str, message: str) -> None:
            problems.append({"code": code, "message": message})

        # 1.9.3 proctors in every theory room that has candidates.
        if rules.proctors is not None:
            ratio = rules.proctors
            if not any(r.kind == "theory" for r in plan.rooms) and plan.sitting_in(self.key):
                add("theory_room_missing", "尚未设置理论考场")
            for room in plan.rooms:
                if room.kind != "theory" or room.candidates == 0:
                    continue
                need = required_proctors(room.candidates, ratio.candidates_per_proctor, ratio.min_per_room)
                if room.proctors < need:
                    add(
                        "proctors_insufficient",
                        f"考场「{room.name}」有 {room.candidates} 名考生，需监考人员至少 {need} 名"
                        f"（配比 1:{ratio.candidates_per_proctor}，且每考场不少于 {ratio.min_per_room} 名，"
                        f"{clause_of(plan, 'proctors', '1.9.3')}），现有 {room.proctors} 名",
                    )
        # 3-01-01-04 1.9.5 理论知识考试在标准教室或计算机机房进行; a machine sitting needs the computers
        # (3-01-04-03 1.9.5: 实行机考时需配备相应的网上考试系统): a 标准教室 cannot hold it.
        if plan.theory_mode == "machine":
            for room in plan.rooms:
                if room.kind == "theory" and room.room_type == "classroom":
                    add(
                        "room_not_computer_lab",
                        f"考场「{room.name}」是标准教室，机考须在计算机机房进行"
                        f"（{clause_of(plan, 'rooms', '1.9.5')}：理论知识考试在标准教室或计算机机房进行）",
                    )
        if plan.papers == 0:
            add("papers_missing", "尚未组卷：请先为本批次组卷并分配试卷")
        elif plan.without_paper:
            add("papers_unassigned", f"{plan.without_paper} 名考生尚未分配试卷")
        return problems

    def has_started(self, session: ExamSession) -> bool:
        if session.on_paper:  # 书面笔答: a score typed means the papers were sat
            entries = select(func.count()).select_from(PaperScoreEntry).where(PaperScoreEntry.session_id == session.id)
            return bool(db.session.scalar(entries))
        count = db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.session_id == session.id))
        return bool(count)

    def _open_attempts(self, session: ExamSession) -> list[Attempt]:
        return list(
            db.session.scalars(
                select(Attempt).where(Attempt.session_id == session.id, Attempt.status == AttemptStatus.in_progress)
            )
        )

    def close_expired(self, session: ExamSession, now: datetime) -> int:
        return sum(close_if_expired(attempt, now) for attempt in self._open_attempts(session))

    def still_open(self, session: ExamSession, now: datetime) -> int:
        return len(self._open_attempts(session))

    def handed_in(self, session: ExamSession) -> int:
        if session.on_paper:  # scripts are collected in the room; nobody sits on line
            return 0
        return db.session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.session_id == session.id, Attempt.status != AttemptStatus.in_progress)
        )

    def final_scores(self, session: ExamSession) -> dict[int, FinalScore]:
        if session.on_paper:
            return self._paper_scores(session)
        now = timeutil.utcnow()
        self.close_expired(session, now)
        attempts = {
            a.enrollment_id: a for a in db.session.scalars(select(Attempt).where(Attempt.session_id == session.id))
        }
        scores: dict[int, FinalScore] = {}
        for enrollment in session.enrollments:
            attempt = attempts.get(enrollment.id)
            if attempt is None:
                # Never started: 缺考 once their deadline (the window plus any extension) is over.
                over = now >= deadline_of(session, enrollment.id)
                scores[enrollment.id] = FinalScore(None, Status.absent) if over else PENDING
            elif attempt.is_open:
                scores[enrollment.id] = PENDING
            else:
                scores[enrollment.id] = FinalScore(attempt.score, Status.final)
        return scores

    def _paper_scores(self, session: ExamSession) -> dict[int, FinalScore]:
        """书面笔答 (3-01-04-03 1.9.2): final once two entries by two people agree, or a third decides."""
        entries = paper_scores.entries_of(session)
        scores: dict[int, FinalScore] = {}
        for enrollment in session.enrollments:
            decision = paper_scores.decision_of(entries.get(enrollment.id, []))
            if not decision.state.is_final:
                scores[enrollment.id] = PENDING
            else:  # a final 缺考 fails, as an absent machine candidate does
                scores[enrollment.id] = (
                    FinalScore(None, Status.absent) if decision.absent else FinalScore(decision.score, Status.final)
                )
        return scores

    def session_section(self, session: ExamSession) -> str | None:
        if not session.on_paper:
            return None
        counts = paper_scores.progress(session)
        return Markup(  # noqa: S704 - a rendered, autoescaped template
            render_template("exams/_paper_progress.html", exam_session=session, counts=counts, states=EntryState)
        )


assessment.register(TheoryComponent())
