"""Rating rounds (评估批次): the framework registry of the running app, creating a round with its
expert panel, enrolling organizations, the round's grade thresholds, and who may see what.

Access: the platform admin manages rounds; a center admin sees their own center's organization only
(another center's → 404); an expert sees the rounds they sit on (another round → 403).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from app.audit.operations import record
from app.auth.models import Center, Role, User
from app.auth.scoping import ensure_same_center
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.timeutil import CHINA
from scoring.rating import thresholds_problem

from .component import RATING
from .frameworks import Framework, Node
from .models import OrgStatus, RatingExpert, RatingOrganization, RatingRound

# Seed 004 names no 公示 period (《社会组织评估管理办法》 requires 公示 of the result; the days are
# local rules): the platform's default of 7 days, which each round sets for itself.
DEFAULT_PUBLICITY_DAYS = 7
PUBLICITY_SOURCE = "平台默认 7 日（原文未规定公示天数；每个评估批次可自行设置）"


# ---------------------------------------------------------------- frameworks


def all_frameworks() -> dict[str, Framework]:
    return current_app.extensions["rating_frameworks"]


def get_framework(framework_id: object, *, field: str | None = None) -> Framework:
    framework = all_frameworks().get(framework_id) if isinstance(framework_id, str) else None
    if framework is None:
        shown = framework_id if isinstance(framework_id, str) else ""
        if field:
            raise Invalid(f"评估指标体系：未知的「{shown}」", field=field)
        raise NotFound(f"未知的评估指标体系「{shown}」")
    return framework


def framework_of(rnd: RatingRound) -> Framework:
    return get_framework(rnd.framework_id)


def leaf_of(framework: Framework, code: str) -> Node:
    node = framework.node(code)
    if node is None or not node.is_leaf:
        raise Invalid(f"指标编码：「{code}」不是本指标体系的末级指标", field="code")
    return node


# ---------------------------------------------------------------- reading input


def text_field(data: dict, key: str, label: str, *, required: bool = True, limit: int = 200) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(f"{label}：请填写", field=key)
    if len(value) > limit:
        raise Invalid(f"{label}：不超过 {limit} 字", field=key)
    return value.strip()


def whole_field(data: dict, key: str, label: str, *, low: int, high: int, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{label}：须为 {low} 至 {high} 的整数", field=key)
    return value


def due_field(data: dict) -> tuple[date, datetime]:
    """``self_assessment_due``: a date (the self-assessment closes when that Beijing day ends) or a
    datetime with offset (closes then)."""
    value = data.get("self_assessment_due")
    if not isinstance(value, str):
        raise Invalid("自评截止日期：请填写（YYYY-MM-DD）", field="self_assessment_due")
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=CHINA)
            return moment.astimezone(CHINA).date(), moment
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid("自评截止日期：格式应为 YYYY-MM-DD", field="self_assessment_due") from None
    if not 1900 <= day.year <= 2200:
        raise Invalid("自评截止日期：年份超出范围", field="self_assessment_due")
    return day, datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA)


def grades_field(data: dict, framework: Framework, key: str = "grades") -> list[dict]:
    value = data.get(key)
    if value is None:
        return framework.grade_list()
    if not isinstance(value, list) or not all(isinstance(g, dict) for g in value):
        raise Invalid("等级线：须为 [{grade, min}] 列表", field=key)
    grades = [{"grade": g.get("grade"), "min": g.get("min")} for g in value]
    problem = thresholds_problem(grades, framework.total)
    if problem:
        raise Invalid(f"等级线：{problem}", field=key)
    return grades


# ---------------------------------------------------------------- rounds


def expert_users(usernames: object) -> list[User]:
    """The round's experts: accounts with the expert role, an odd number of at least 3 (the panel
    rule of the rating component, 评估专家为3人以上单数)."""
    if not isinstance(usernames, list) or not all(isinstance(u, str) for u in usernames):
        raise Invalid("评估专家：须为用户名列表", field="experts")
    if len(set(usernames)) != len(usernames):
        raise Invalid("评估专家：不能重复", field="experts")
    users = []
    for index, username in enumerate(usernames):
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or user.role != RATING.staff_role or not user.active:
            raise Invalid(f"评估专家第 {index + 1} 项：「{username}」不是评估专家账号", field="experts", index=index)
        users.append(user)
    problem = RATING.panel_problem(len(users))
    if problem:
        raise Invalid(f"评估专家：{problem}", field="experts", code="panel_size")
    return users


def create_round(admin: User, data: dict) -> RatingRound:
    framework = get_framework(data.get("framework"), field="framework")
    if not framework.scored:
        raise Invalid("评估指标体系：该体系不计分（能力建设自查清单），不能组织等级评估", field="framework")
    name = text_field(data, "name", "批次名称")
    year = whole_field(data, "year", "评估年度", low=2000, high=2200)
    due, deadline = due_field(data)
    days = whole_field(data, "publicity_days", "公示天数", low=1, high=90, default=DEFAULT_PUBLICITY_DAYS)
    grades = grades_field(data, framework)
    experts = expert_users(data.get("experts"))
    rnd = RatingRound(
        framework_id=framework.id,
        name=name,
        year=year,
        self_assessment_due=due,
        self_assessment_deadline=deadline,
        publicity_days=days,
        grades=grades,
        grades_source=framework.grades_source if data.get("grades") is None else "平台管理员为本批次设置",
        created_by_id=admin.id,
    )
    rnd.experts = [RatingExpert(user_id=u.id) for u in experts]
    db.session.add(rnd)
    db.session.flush()
    record(
        "rating.round_created",
        rnd,
        {"framework": framework.id, "name": name, "experts": [u.username for u in experts]},
        center_id=None,
    )
    return rnd


def get_round(round_id: int) -> RatingRound:
    rnd = db.session.get(RatingRound, round_id)
    if rnd is None:
        raise NotFound("评估批次不存在")
    return rnd


def is_expert_of(rnd: RatingRound, user: User) -> bool:
    return any(e.user_id == user.id for e in rnd.experts)


def round_for_viewer(round_id: int, user: User) -> RatingRound:
    rnd = get_round(round_id)
    if user.role == Role.expert and not is_expert_of(rnd, user):
        raise Forbidden("您不是本评估批次的评估专家")
    return rnd


def set_grades(rnd: RatingRound, data: dict) -> RatingRound:
    """The platform admin sets a round's thresholds until its first organization is finalized."""
    if any(o.status != OrgStatus.self_assessment and o.status != OrgStatus.submitted for o in rnd.organizations):
        raise Conflict("已有评估对象定分，不能再修改等级线")
    framework = framework_of(rnd)
    if data.get("grades") is None:
        raise Invalid("等级线：请填写", field="grades")
    old = rnd.grades
    rnd.grades = grades_field(data, framework)
    rnd.grades_source = "平台管理员为本批次设置"
    record("rating.grades_set", rnd, {"old": old, "new": rnd.grades}, center_id=None)
    db.session.flush()
    return rnd


def enroll(rnd: RatingRound, data: dict) -> RatingOrganization:
    name = data.get("center")
    center = db.session.scalar(select(Center).where(Center.name == name)) if isinstance(name, str) else None
    if center is None:
        raise Invalid(f"机构：未找到名为「{name if isinstance(name, str) else ''}」的机构", field="center")
    if rnd.published_at is not None:
        raise Conflict("评估结果已公示，不能再增加评估对象")
    if any(o.center_id == center.id for o in rnd.organizations):
        raise Conflict(f"「{center.name}」已在本评估批次中")
    org = RatingOrganization(round_id=rnd.id, center_id=center.id)
    db.session.add(org)
    db.session.flush()
    record("rating.organization_enrolled", org, {"round": rnd.id, "center": center.name})
    return org


def get_organization(rnd: RatingRound, center_id: int) -> RatingOrganization:
    org = db.session.scalar(
        select(RatingOrganization).where(
            RatingOrganization.round_id == rnd.id, RatingOrganization.center_id == center_id
        )
    )
    if org is None:
        raise NotFound("该机构不在本评估批次中")
    return org


def organization_for_viewer(round_id: int, center_id: int, user: User) -> RatingOrganization:
    """Admin; that center's center admin (another center's → 404); the round's experts."""
    rnd = round_for_viewer(round_id, user)
    if user.role == Role.center_admin:
        ensure_same_center(user, center_id)
    elif user.role not in (Role.admin, Role.expert):
        raise Forbidden("当前角色无权查看评估")
    return get_organization(rnd, center_id)


def organization_for_center_admin(round_id: int, center_id: int, user: User) -> RatingOrganization:
    if user.role != Role.center_admin:
        raise Forbidden("只有该机构的机构管理员可以操作自评与复核申请")
    ensure_same_center(user, center_id)
    return get_organization(get_round(round_id), center_id)


def panel_of(org: RatingOrganization) -> list[User]:
    """The round's experts less those who belong to the organization's center (回避)."""
    return [e.user for e in org.round.experts if e.user.center_id != org.center_id]


def panel_problem(org: RatingOrganization) -> str | None:
    """The panel rule on the experts left after 回避 (None when still an odd number of at least 3)."""
    return RATING.panel_problem(len(panel_of(org)))


def rounds_for(user: User) -> list[RatingRound]:
    query = select(RatingRound).order_by(RatingRound.id.desc())
    if user.role == Role.expert:
        query = query.join(RatingExpert).where(RatingExpert.user_id == user.id)
    elif user.role == Role.center_admin:
        query = query.join(RatingOrganization).where(RatingOrganization.center_id == user.center_id)
    return list(db.session.scalars(query))
