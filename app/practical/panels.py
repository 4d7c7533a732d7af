"""Who scores which candidate: the session's staff of one role, grouped into panels by
``scoring.panel.panels_of`` (the one notion of a panel, shared with readiness), and the candidates
dealt to the named panels in roster order.

api-contract (Sessions): members without a panel name form one panel that scores every candidate;
named panels split the candidates between them. Only graders take panel names today (reviewers are
always one panel); the functions take the staff role so that any panel component reads the same way.
"""

from __future__ import annotations

from app.auth.models import User
from app.sessions.models import Enrollment, ExamSession, StaffAssignment, StaffRole, roster_order
from scoring.panel import panels_of


def in_roster_order(session: ExamSession) -> list[Enrollment]:
    """Candidates in seat order (``app.sessions.models.roster_order``): every roster and sheet list."""
    return sorted(session.enrollments, key=roster_order)


def staff_panels(session: ExamSession, role: StaffRole = StaffRole.grader) -> dict[str | None, list[StaffAssignment]]:
    """The panels of ``role``'s staff: {name: assignments}, unnamed members joined to each named panel."""
    return panels_of([(s.panel, s) for s in session.staff if s.role == role])


def panel_for(session: ExamSession, enrollment: Enrollment, role: StaffRole = StaffRole.grader) -> str | None:
    """The named panel that scores this candidate, or None when there are no named panels.

    Named panels split the candidates between them (api-contract: Sessions): in roster order
    (room, seat) the candidates are dealt to the panels, sorted by name, in contiguous blocks whose
    sizes differ by at most one, so that each panel scores one stretch of seats.
    """
    named = sorted(p for p in staff_panels(session, role) if p)
    if not named:
        return None
    roster = in_roster_order(session)
    return named[roster.index(enrollment) * len(named) // len(roster)]


def scoring_panel(
    session: ExamSession, enrollment: Enrollment, role: StaffRole = StaffRole.grader
) -> tuple[str | None, list[StaffAssignment]]:
    """(panel name, its members' assignments) for the panel that scores this candidate ([] if none)."""
    name = panel_for(session, enrollment, role)
    return name, staff_panels(session, role).get(name, [])


def graders_for(session: ExamSession, enrollment: Enrollment, role: StaffRole = StaffRole.grader) -> list[User]:
    """Who scores this candidate: the unnamed members (they score everyone) plus their named panel, if any."""
    return [a.user for a in scoring_panel(session, enrollment, role)[1]]
