"""Who may open a session's panel scoring, which candidates a member sees, and the panel that
scores each candidate — for every panel component alike, through its traits (``traits.py``).
"""

from __future__ import annotations

from app import assessment
from app.auth.models import User
from app.auth.roles import is_admin
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.sessions.models import Enrollment, ExamSession
from app.sessions.planning import components_of, get_session, standard_of
from scoring.panel import PanelProblem

from .panels import in_roster_order
from .traits import traits_of


def session_for_member(session_id: int, user: User, component: str) -> ExamSession:
    """The session for a grader/reviewer entering marks: 404 if it does not exist; 403 for a user
    of another role or not on this session's staff in that role (api-contract)."""
    traits = traits_of(component)
    session = db.session.get(ExamSession, session_id)
    if session is None:
        raise NotFound("考试批次不存在")
    if user.role != traits.account_role or not any(
        s.user_id == user.id and s.role == traits.staff_role for s in session.staff
    ):
        raise Forbidden(f"您不是本考试批次的{traits.member_noun}", code="not_on_session")
    return session


def session_for_viewer(session_id: int, user: User, component: str) -> ExamSession:
    """Center admins (of the session's center; 404 otherwise), platform admins, or a panel member."""
    if is_admin(user):
        return get_session(session_id, user)
    return session_for_member(session_id, user, component)


def enrollment_named(session: ExamSession, username: str) -> Enrollment:
    enrollment = next((e for e in session.enrollments if e.user.username == username), None)
    if enrollment is None:
        raise NotFound(f"考生 {username} 不在本考试批次")
    return enrollment


def check_component(session: ExamSession, component: str) -> None:
    if component not in components_of(session):
        raise NotFound(f"本考试批次的等级没有{assessment.get(component).label}")


def roster(session: ExamSession, component: str | None = None) -> list[Enrollment]:
    """Candidates in seat order; with ``component``, only those who sit it (成绩保留: a carried
    component is not scored again)."""
    return [e for e in in_roster_order(session) if component is None or assessment.sits(e, component)]


def panel_members(session: ExamSession, component: str, enrollment: Enrollment) -> list[User]:
    """Who scores this candidate (the component's ``scoring_panel``)."""
    return traits_of(component).members(session, enrollment)


def panel_name(session: ExamSession, component: str, enrollment: Enrollment) -> str | None:
    return traits_of(component).panel_name(session, enrollment)


def panel_problem(session: ExamSession, component: str, enrollment: Enrollment) -> PanelProblem | None:
    """Why the panel that scores this candidate may not score, or None — the same check readiness
    runs on the planned panels (``PanelTraits.check_panel``), here on the staff as they stand."""
    traits = traits_of(component)
    name, assigned = traits.scoring_panel(session, enrollment)
    rules = standard_of(session).assessment
    return traits.check_panel(name, [a.panel for a in assigned], rules)


def panels(session: ExamSession, component: str) -> dict[str | None, list[Enrollment]]:
    """Candidates by panel name (None: the unnamed panel, or the one reviewer panel)."""
    grouped: dict[str | None, list[Enrollment]] = {}
    for e in roster(session, component):
        grouped.setdefault(panel_name(session, component, e), []).append(e)
    return grouped


def candidates_for(session: ExamSession, component: str, user: User) -> list[Enrollment]:
    """A member sees only the candidates of their own panel; admins see everyone."""
    if is_admin(user):
        return roster(session, component)
    return [e for e in roster(session, component) if any(m.id == user.id for m in panel_members(session, component, e))]


def ensure_in_panel(session: ExamSession, component: str, user: User, enrollment: Enrollment) -> None:
    if not any(m.id == user.id for m in panel_members(session, component, enrollment)):
        raise Forbidden(f"考生 {enrollment.user.username} 不由您所在的小组评分", code="not_in_panel")
