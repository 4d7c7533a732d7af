"""继续教育 operations: the center's requirement, claims, 学时认定 and summaries.

Operations only flush; the request boundary commits. Every figure of the requirement is the
center's setting; until it saves one, the defaults of scoring.continuing_education (their source
named there and on the pages) apply.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app import timeutil
from app.audit.operations import record
from app.auth.models import STAFF_ROLES, Center, Role, User
from app.auth.scoping import ensure_same_center
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.locking import lock_row
from app.results.models import Certificate
from app.training import inputs
from app.training.models import Trainee, Training
from app.uploads import EvidenceFile, describe, owned_uploads, register_viewer
from scoring.continuing_education import (
    CATEGORIES,
    DEFAULT_ANNUAL_HOURS,
    DEFAULT_FORMS,
    DEFAULT_MINIMUM,
    DEFAULT_SOURCE,
    Requirement,
    credit_problem,
    summarize,
)

from .models import CERecord, CERequirement, CEStatus

CONFLICT_DECIDED = "该学时申报已{label}，不能再次认定"


def this_year() -> int:
    return timeutil.utcnow().astimezone(timeutil.CHINA).year


# ---------------------------------------------------------------- the requirement


def get_center(user: User, center_id: int) -> Center:
    center = db.session.get(Center, center_id)
    if center is None:
        raise NotFound("机构不存在")
    if user.role != Role.admin:
        ensure_same_center(user, center.id)
    return center


def requirement_of(center_id: int | None) -> tuple[Requirement, list[dict], bool]:
    """(requirement, forms, saved by the center?)"""
    row = db.session.get(CERequirement, center_id) if center_id is not None else None
    if row is None:
        return Requirement(DEFAULT_ANNUAL_HOURS, dict(DEFAULT_MINIMUM)), [dict(f) for f in DEFAULT_FORMS], False
    return Requirement(row.annual_hours, dict(row.minimum)), list(row.forms), True


def requirement_body(center: Center) -> dict:
    requirement, forms, saved = requirement_of(center.id)
    return {
        "center": center.id,
        "annual_hours": _n(requirement.annual_hours),
        "minimum": {k: _n(v) for k, v in requirement.minimum.items()},
        "forms": forms,
        "source": "center" if saved else "default",
        "defaults": {
            "annual_hours": DEFAULT_ANNUAL_HOURS,
            "minimum": DEFAULT_MINIMUM,
            "forms": DEFAULT_FORMS,
            "source": DEFAULT_SOURCE,
        },
    }


def _hours_rule(value: object, index: int):
    """A form's 学时计算办法 as the center states it: text, a number of hours, or a small object."""
    if value is None:
        return ""
    if isinstance(value, str):
        if len(value) > 200:
            raise Invalid(f"继续教育形式第 {index + 1} 项·学时计算：不能超过 200 个字符", field="forms", index=index)
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, int | float | dict):
        raise Invalid(f"继续教育形式第 {index + 1} 项·学时计算：应为文字、数字或对象", field="forms", index=index)
    if isinstance(value, dict) and len(str(value)) > 500:
        raise Invalid(f"继续教育形式第 {index + 1} 项·学时计算：内容过长", field="forms", index=index)
    return value


def _minimum(minimum: object, annual: float | None, problems: inputs.Problems) -> dict[str, float]:
    if not isinstance(minimum, dict):
        problems.add(Invalid("科目最低学时：应为对象 {科目: 学时}", field="minimum"))
        return {}
    clean = {}
    for key, value in minimum.items():
        if key not in CATEGORIES:
            problems.add(Invalid(f"科目最低学时：未知科目 {key}（可选：公需科目、专业科目）", field="minimum"))
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.add(Invalid(f"科目最低学时：{key} 应为非负数", field="minimum"), f"minimum.{key}")
        else:
            clean[key] = float(value)
    if annual is not None and sum(clean.values()) > annual:
        problems.add(Invalid("科目最低学时：合计不能超过每年学时", field="minimum"))
    return clean


def _forms(forms: object, problems: inputs.Problems) -> list[dict]:
    if not isinstance(forms, list) or not forms:
        problems.add(Invalid("继续教育形式：应为非空列表", field="forms"))
        return []
    clean: list[dict] = []
    for index, row in enumerate(forms):
        if not isinstance(row, dict):
            problems.add(Invalid(f"继续教育形式第 {index + 1} 项：应为对象", field="forms", index=index))
            continue
        label = f"继续教育形式第 {index + 1} 项·形式"
        form = problems.take_at(f"forms.{index}.form", inputs.text, row, "form", label, max_length=40)
        rule = problems.take_at(f"forms.{index}.hours_rule", _hours_rule, row.get("hours_rule"), index)
        if form is not None and any(f["form"] == form for f in clean):
            problems.add(Invalid(f"继续教育形式：{form} 重复", field="forms", index=index), f"forms.{index}.form")
        elif form is not None:
            clean.append({"form": form, "hours_rule": rule if rule is not None else ""})
    return clean


def save_requirement(user: User, center: Center, data: dict) -> CERequirement:
    """PUT: the fields sent replace the current ones (a field left out keeps its value). Every
    problem is found (``inputs.Problems``); the first is raised."""
    current, current_forms, _ = requirement_of(center.id)
    problems = inputs.Problems()
    if "annual_hours" in data:
        annual = problems.take(inputs.number, data, "annual_hours", "每年学时", minimum=0)
    else:
        annual = float(current.annual_hours)
    clean_minimum = _minimum(data.get("minimum", current.minimum), annual, problems)
    clean_forms = _forms(data.get("forms", current_forms), problems)
    problems.raise_if_any()
    row = db.session.get(CERequirement, center.id)
    if row is None:
        row = CERequirement(center_id=center.id)
        db.session.add(row)
    row.annual_hours = annual
    row.minimum = clean_minimum
    row.forms = clean_forms
    row.updated_by_id = user.id
    record(
        "ce.requirement_saved",
        row,
        {"annual_hours": annual, "minimum": clean_minimum, "forms": [f["form"] for f in clean_forms]},
        center_id=center.id,
        subject_id=center.id,
    )
    db.session.flush()
    return row


# ---------------------------------------------------------------- claims


def holds_certificate(user: User) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id).limit(1)
    )


def claimant_center(user: User) -> int | None:
    """Staff claim for themselves at their center; a certificate holder at theirs, or else the
    center that issued their certificate. Anyone else may not claim (403)."""
    if user.role in STAFF_ROLES:
        return user.center_id
    certificate = holds_certificate(user)
    if certificate is not None:
        return user.center_id or certificate.center_id
    completion = db.session.scalar(
        select(Training.center_id)
        .join(Trainee, Trainee.training_id == Training.id)
        .where(Trainee.user_id == user.id, Trainee.completed.is_(True))
        .limit(1)
    )
    if completion is None:  # neither a skill certificate nor a 结业证书
        raise Forbidden("只有工作人员和持证人员可以申报继续教育学时")
    return user.center_id or completion


def claim(user: User, data: dict) -> CERecord:
    center_id = claimant_center(user)
    if center_id is None:
        raise Forbidden("您不属于任何机构，无法申报继续教育学时")
    _, forms, _ = requirement_of(center_id)
    problems = inputs.Problems()  # every problem at once (issue 27 item 5); the first is raised
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        problems.add(Invalid("年度：应为四位年份", field="year"))
        year = None
    form = problems.take(inputs.text, data, "form", "继续教育形式", max_length=40)
    if form is not None and form not in [f["form"] for f in forms]:
        problems.add(Invalid(f"继续教育形式：应为 {'、'.join(f['form'] for f in forms)} 之一", field="form"))
    category = data.get("category")
    if category not in CATEGORIES:
        problems.add(Invalid("科目类别：应为 公需科目 或 专业科目", field="category"))
    title = problems.take(inputs.text, data, "title", "内容名称")
    day = problems.take(inputs.day, data.get("date"), "date", "日期")
    if day is not None and year is not None and day.year != year:
        problems.add(Invalid("日期：应在申报年度内", field="date"))
    elif day is not None and day > timeutil.utcnow().astimezone(timeutil.CHINA).date():
        problems.add(Invalid("日期：不能晚于今天", field="date"))
    hours = problems.take(inputs.number, data, "hours", "申报学时", minimum=0)
    if hours is not None and hours <= 0:
        problems.add(Invalid("申报学时：应大于 0", field="hours"))
    problems.raise_if_any()
    files = owned_uploads(user, data.get("evidence"))
    row = CERecord(
        user_id=user.id,
        center_id=center_id,
        year=year,
        form=form,
        category=category,
        title=title,
        date=day,
        hours=hours,
        status=CEStatus.pending,
        source="claim",
        evidence=describe(files),
    )
    db.session.add(row)
    db.session.flush()
    record("ce.claimed", row, {"year": year, "form": form, "category": category, "hours": hours})
    return row


def get_record(user: User, record_id: int) -> CERecord:
    """The claimant's own, their center admin's, the platform admin's; 404 otherwise."""
    row = db.session.get(CERecord, record_id)
    if row is None:
        raise NotFound("学时记录不存在")
    if row.user_id == user.id or user.role == Role.admin:
        return row
    if user.role == Role.center_admin and row.center_id is not None and row.center_id == user.center_id:
        return row
    raise NotFound("学时记录不存在")


REASON_MAX = 2000  # a decision's free text is bounded (issue 27 item 14), not cut silently


def _bounded_reason(text: str, label: str) -> str:
    if len(text) > REASON_MAX:
        raise Invalid(f"{label}：不能超过 {REASON_MAX} 个字（现为 {len(text)} 个字）", field="reason")
    return text


def decide(user: User, record_id: int, *, approve: bool, hours: object = None, reason: object = None) -> CERecord:
    """学时认定: credited ≤ claimed (422), once (409), never one's own claim (403)."""
    if user.role not in (Role.center_admin, Role.admin):
        raise Forbidden("只有机构管理员可以认定学时")
    row = get_record(user, record_id)
    if row.user_id == user.id:
        raise Forbidden("不能认定本人申报的学时")
    # Two decisions at once: the second waits for the first, then finds it decided (409).
    lock_row(row)
    if row.status != CEStatus.pending:
        raise Conflict(CONFLICT_DECIDED.format(label=row.status.label), code="already_decided")
    problems = inputs.Problems()  # the 认定学时 and the text both judged (issue 27 item 5)
    if approve:
        credited = row.hours
        if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int | float)):
            problems.add(Invalid("认定学时：应为数字", field="hours"))
        elif hours is not None:
            credited = float(hours)
        problem = credit_problem(row.hours, credited) if not problems else None
        if problem:
            problems.add(Invalid(f"认定学时：{problem}", field="hours"))
        text = problems.take(_bounded_reason, reason.strip() if isinstance(reason, str) else "", "认定意见")
        problems.raise_if_any()
        row.credited = credited
        row.status = CEStatus.approved
        row.reason = text
    else:
        if not isinstance(reason, str) or not reason.strip():
            raise Invalid("不予认定理由：必须填写", field="reason")
        row.status = CEStatus.rejected
        row.reason = _bounded_reason(reason.strip(), "不予认定理由")
    row.decided_by_id = user.id
    row.decided_at = timeutil.utcnow()
    action = "ce.approved" if approve else "ce.rejected"
    record(action, row, {"hours": row.hours, "credited": row.credited, "reason": row.reason}, actor=user)
    db.session.flush()
    return row


def pending_for(user: User) -> list[CERecord]:
    query = select(CERecord).where(CERecord.status == CEStatus.pending).order_by(CERecord.created_at, CERecord.id)
    if user.role != Role.admin:
        query = query.where(CERecord.center_id == (user.center_id or -1))
    return list(db.session.scalars(query))


def records_of(user: User, year: int | None = None) -> list[CERecord]:
    query = select(CERecord).where(CERecord.user_id == user.id)
    if year is not None:
        query = query.where(CERecord.year == year)
    return list(db.session.scalars(query.order_by(CERecord.date.desc(), CERecord.id.desc())))


@register_viewer
def center_admin_reads_claim_evidence(user: User, file: EvidenceFile) -> bool:
    """A center admin reads a file cited by a claim of their center."""
    if user.role != Role.center_admin or user.center_id is None:
        return False
    rows = db.session.scalars(
        select(CERecord).where(CERecord.center_id == user.center_id, CERecord.user_id == file.user_id)
    )
    return any(any(e.get("id") == file.id for e in r.evidence or []) for r in rows)


# ---------------------------------------------------------------- summaries


def person_for_summary(user: User, username: object) -> User:
    """The person themselves, their center's admin, the platform admin (404 otherwise)."""
    if username in (None, "", user.username):
        return user
    person = db.session.scalar(select(User).where(User.username == username)) if isinstance(username, str) else None
    if person is None:
        raise NotFound("用户不存在")
    if user.role == Role.admin:
        return person
    if user.role == Role.center_admin and user.center_id is not None:
        if person.center_id == user.center_id or db.session.scalar(
            select(func.count())
            .select_from(CERecord)
            .where(CERecord.user_id == person.id, CERecord.center_id == user.center_id)
        ):
            return person
    raise NotFound("用户不存在")


def center_of_person(person: User) -> int | None:
    if person.center_id is not None:
        return person.center_id
    certificate = holds_certificate(person)
    return certificate.center_id if certificate else None


def summary(person: User, year: int) -> dict:
    requirement, _, saved = requirement_of(center_of_person(person))
    rows = db.session.execute(
        select(CERecord.category, CERecord.credited).where(
            CERecord.user_id == person.id, CERecord.year == year, CERecord.status == CEStatus.approved
        )
    ).all()
    body = summarize(year, [(c, h or 0) for c, h in rows], requirement)
    body["username"] = person.username
    body["requirement_source"] = "center" if saved else "default"
    return body


def parse_year(value: object) -> int:
    if value in (None, ""):
        return this_year()
    try:
        year = int(str(value))
    except ValueError:
        raise Invalid("年度：应为四位年份", field="year") from None
    if not 1900 <= year <= 2200:
        raise Invalid("年度：应为四位年份", field="year")
    return year


def center_people(center_id: int) -> list[User]:
    """Everyone with a CE record at the center, and its staff."""
    ids = set(db.session.scalars(select(CERecord.user_id).where(CERecord.center_id == center_id)))
    staff = db.session.scalars(select(User).where(User.center_id == center_id, User.role.in_(list(STAFF_ROLES))))
    ids |= {u.id for u in staff}
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.username))) if ids else []


def _n(value):
    value = round(float(value), 4)
    return int(value) if value.is_integer() else value


def serialize(row: CERecord) -> dict:
    return {
        "id": row.id,
        "username": row.user.username,
        "year": row.year,
        "form": row.form,
        "category": row.category,
        "title": row.title,
        "date": row.date.isoformat(),
        "hours": _n(row.hours),
        "credited": _n(row.credited) if row.credited is not None else None,
        "status": row.status.value,
        "source": row.source,
        "evidence": row.evidence,
        "reason": row.reason,
    }
