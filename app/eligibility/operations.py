"""Operations of 申报: checks, applications and their decisions, the candidate's profile.

Operations only flush; the request boundary commits. Pages and API call the same functions.
"""

from __future__ import annotations

import difflib
from datetime import date

from sqlalchemy import Select, and_, or_, select

from app import timeutil
from app.audit.operations import record
from app.auth.models import Role, User
from app.auth.roles import is_admin
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.locking import lock_row
from app.standards.registry import all_standards, get_level, get_standard
from app.standards.schema import Standard
from app.uploads import EvidenceFile
from scoring.eligibility import evaluate
from scoring.eligibility.profile import Profile, ProfileError, parse_date, parse_profile, profile_to_json

from . import feeds
from .labels import humanize
from .models import Application, ApplicationStatus, CandidateProfile

CHINA = timeutil.CHINA
REASON_MAX = 1000  # 审核意见 of a decision (the page's DecisionForm has the same bound)


def today() -> date:
    """Today's Beijing date (contract v1.2, whatever the server's time zone), through
    ``timeutil.utcnow`` so that tests can move time: the default ``as_of`` and every application's."""
    return timeutil.beijing_today()


# ---------------------------------------------------------------- checking


def resolve_level(standard_id: object, level: object) -> Standard:
    """The standard of a request body, 422 naming ``standard`` or ``level`` when unknown."""
    if not isinstance(standard_id, str):
        raise Invalid("职业标准：必须选择职业标准", field="standard")
    standard = get_standard(standard_id, field="standard")
    if not isinstance(level, str):
        raise Invalid("等级：必须选择等级", field="level")
    get_level(standard, level, field="level")
    return standard


def parse_as_of(value: object) -> date:
    if value is None:
        return today()
    try:
        return parse_date(value, "as_of")
    except ProfileError as exc:
        raise Invalid(humanize(exc.message, "as_of"), field="as_of") from None


def parse_candidate(candidate: object, as_of: date) -> Profile:
    """The profile, or 422 naming the field ("candidate.work[1].end") and the list index."""
    try:
        return parse_profile(candidate, as_of)
    except ProfileError as exc:
        raise Invalid(humanize(exc.message, exc.field), field=exc.field, index=exc.index) from None


def run_engine(standard: Standard, level: str, profile: Profile, as_of: date) -> dict:
    return evaluate(
        [c.model_dump() for c in standard.eligibility.get(level, [])],
        profile,
        as_of,
        occupation=standard.name,
        related_occupations=standard.related_occupations,
        related_majors=[m.model_dump() for m in standard.related_majors],
        training_hours={lv.id: lv.training_hours for lv in standard.levels},
    )


def check_eligibility(body: dict, user: User | None = None) -> dict:
    """POST /eligibility: the engine's verdict for any standard, level, profile and date."""
    standard = resolve_level(body.get("standard"), body.get("level"))
    as_of = parse_as_of(body.get("as_of"))
    profile = parse_candidate(body.get("candidate"), as_of)
    profile, added = feeds.gather(user, standard.id, profile)  # completed platform trainings
    return feeds.cite(run_engine(standard, body["level"], profile, as_of), added)


# ---------------------------------------------------------------- applications


def create_application(user: User, standard_id: object, level: object, candidate: object) -> Application:
    """Snapshot the profile, the engine's result (as of today) and the evidence list; pending review."""
    standard = resolve_level(standard_id, level)
    as_of = today()
    profile = parse_candidate(candidate, as_of)
    refuse_duplicate(user, standard, level)
    profile, added = feeds.gather(user, standard.id, profile)  # completed platform trainings
    result = feeds.cite(run_engine(standard, level, profile, as_of), added)
    evidence = db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.user_id == user.id).order_by(EvidenceFile.id)
    ).all()
    application = Application(
        user_id=user.id,
        center_id=user.center_id,
        standard_id=standard.id,
        level=level,
        status=ApplicationStatus.eligible if result["eligible"] else ApplicationStatus.ineligible,
        eligible=result["eligible"],
        as_of=as_of,
        profile=feeds.snapshot(profile_to_json(profile), added),
        result=result,
        evidence=[{"id": f.id, "label": f.label, "name": f.original_name} for f in evidence],
    )
    db.session.add(application)
    db.session.flush()
    return application


def open_application(user: User, standard_id: str, level: str) -> Application | None:
    """The candidate's pending or approved application for this standard and level, if any."""
    return db.session.scalar(
        select(Application)
        .where(
            Application.user_id == user.id,
            Application.standard_id == standard_id,
            Application.level == level,
            Application.status != ApplicationStatus.rejected,
        )
        .order_by(Application.id)
        .limit(1)
    )


def refuse_duplicate(user: User, standard: Standard, level: str) -> None:
    """One open application per standard and level: a second while one is pending or approved is a
    409 naming the existing one (a rejected one may be followed by a new application)."""
    existing = open_application(user, standard.id, level)
    if existing is None:
        return
    if existing.status == ApplicationStatus.approved:
        hint = "已批准，无需再次申报"
    else:
        hint = "尚在审核中；如需按新资料重新申报，请先撤回该申报"
    raise Conflict(
        f"您已有一份{standard.name}{level}的申报（#{existing.id}，{existing.status.label}），{hint}",
        code="duplicate_application",
        details={"application_id": existing.id, "url": f"/eligibility/applications/{existing.id}"},
    )


def withdraw(user: User, application_id: int) -> int:
    """撤回: the candidate removes their own application while it is pending (409 once decided).

    Nothing was decided on it, so it is deleted; the evidence files stay in the candidate's profile."""
    application = get_application(user, application_id)
    if application.user_id != user.id:
        raise NotFound("申报记录不存在")
    if application.status.decided:
        raise Conflict(f"该申报已{application.status.label[1:]}，不能撤回", code="already_decided")
    record("application.withdrawn", application, {"standard": application.standard_id, "level": application.level})
    db.session.delete(application)
    db.session.flush()
    return application_id


def next_pending(user: User, after: Application | None = None) -> Application | None:
    """The next application awaiting this reviewer's decision (oldest first), other than ``after``."""
    query = visible_applications(user).where(
        Application.status.in_([ApplicationStatus.eligible, ApplicationStatus.ineligible])
    )
    if after is not None:
        query = query.where(Application.id != after.id)
    return db.session.scalar(query.order_by(None).order_by(Application.created_at, Application.id).limit(1))


def unrecognised_occupations(standard: Standard, profile: Profile) -> list[dict]:
    """Work entries whose occupation is neither this standard's nor a related one it lists: they
    count as 0 days, so the candidate is told, with the closest known names as suggestions."""
    known = [standard.name, *standard.related_occupations]
    notes = []
    for index, job in enumerate(profile.work):
        if job.occupation in known:
            continue
        close = difflib.get_close_matches(job.occupation, known, n=3, cutoff=0.5)
        notes.append({"index": index, "occupation": job.occupation, "suggestions": close, "known": known})
    return notes


def occupation_names() -> list[str]:
    """Every occupation the standards name (their own and their related ones), for suggestions."""
    names: list[str] = []
    for standard in all_standards().values():
        for name in (standard.name, *standard.related_occupations):
            if name not in names:
                names.append(name)
    return names


def _reviewable(user: User):
    """Where a center admin may look: their center's candidates, and candidates without a center
    unless another center has already decided on them."""
    if user.center_id is None:
        mine = Application.center_id.is_(None) & Application.decided_center_id.is_(None)
        return mine
    return or_(
        Application.center_id == user.center_id,
        and_(
            Application.center_id.is_(None),
            or_(Application.decided_center_id.is_(None), Application.decided_center_id == user.center_id),
        ),
    )


def visible_applications(user: User) -> Select:
    """Applications this user may see, newest first: a candidate their own; a center admin their
    center's (see ``_reviewable``); an admin all; anyone else none."""
    query = select(Application).order_by(Application.created_at.desc(), Application.id.desc())
    if user.role == Role.admin:
        return query
    if user.role == Role.center_admin:
        return query.where(_reviewable(user))
    if user.role == Role.candidate:
        return query.where(Application.user_id == user.id)
    return query.where(False)


def list_applications(user: User) -> list[Application]:
    return list(db.session.scalars(visible_applications(user)))


def get_application(user: User, application_id: int) -> Application:
    """The application, or 404 when it does not exist or is not this user's to see."""
    application = db.session.scalar(visible_applications(user).where(Application.id == application_id))
    if application is None:
        raise NotFound("申报记录不存在")
    return application


def decide(user: User, application_id: int, *, approve: bool, reason: object) -> Application:
    """Approve or reject once (409 after); an ineligible application cannot be approved (409)."""
    if not is_admin(user):
        raise NotFound("申报记录不存在")
    application = get_application(user, application_id)
    if reason is not None and not isinstance(reason, str):
        raise Invalid("审核意见：应为文本", field="reason")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:  # free text is bounded (issue 27 item 14)
        raise Invalid(f"审核意见：不能超过 {REASON_MAX} 个字（现为 {len(reason)} 个字）", field="reason")
    # Two decisions at once (issue 11): the second waits for the first and then finds it decided (409).
    lock_row(application, key_share=True)
    if application.status.decided:
        raise Conflict(f"该申报已{application.status.label}，不能再次审核")
    if approve and not application.eligible:
        raise Conflict("该申报不符合申报条件，不能批准")
    if not approve and not reason:
        raise Invalid("审核意见：驳回须填写理由", field="reason")
    application.transition(ApplicationStatus.approved if approve else ApplicationStatus.rejected)
    application.decided_at = timeutil.utcnow()
    application.decided_by_id = user.id
    application.decided_center_id = user.center_id
    application.decision_reason = reason
    center = application.center_id or user.center_id  # a center-less candidate: the deciding center
    record(f"application.{application.status.value}", application, {"reason": reason}, actor=user, center_id=center)
    db.session.flush()
    return application


def has_approved_application(user_id: int, standard_id: str, level: str, for_center_id: int | None = None) -> bool:
    """Whether the candidate holds an approved application for this standard and level (enrolment gate).

    ``for_center_id``: only an application decided by that center counts, or any approved application of
    a candidate who belongs to that center — a center enrols its own candidates and those it approved."""
    query = select(Application.id).where(
        Application.user_id == user_id,
        Application.standard_id == standard_id,
        Application.level == level,
        Application.status == ApplicationStatus.approved,
    )
    if for_center_id is not None:
        own_candidate = select(User.id).where(User.id == user_id, User.center_id == for_center_id).exists()
        query = query.where(or_(Application.decided_center_id == for_center_id, own_candidate))
    return db.session.scalar(query.limit(1)) is not None


def serialize_application(application: Application) -> dict:
    decision = None
    if application.status.decided:
        decision = {
            "by": application.decided_by.username if application.decided_by else None,
            "at": timeutil.iso(application.decided_at),
            "center": application.decided_center.name if application.decided_center else None,
            "reason": application.decision_reason,
        }
    return {
        "id": application.id,
        "status": application.status.value,
        "eligibility": application.result,
        "standard": application.standard_id,
        "level": application.level,
        "candidate": application.user.username,
        "as_of": application.as_of.isoformat(),
        "created_at": timeutil.iso(application.created_at),
        "decision": decision,
    }


# ---------------------------------------------------------------- the candidate's profile


def get_profile_data(user: User) -> dict:
    profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))
    return dict(profile.data) if profile else {}


def save_profile(user: User, candidate: dict) -> Profile:
    """Validate (as of today) and store the candidate's one profile."""
    parsed = parse_candidate(candidate, today())
    profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))
    if profile is None:
        profile = CandidateProfile(user_id=user.id)
        db.session.add(profile)
    profile.data = profile_to_json(parsed)
    db.session.flush()
    return parsed
