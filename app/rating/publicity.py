"""公示, 复核 and the announcement of a round, and the rating certificates.

- publish (admin): every organization finalized → 公示 for the round's ``publicity_days``.
- appeal (复核申请, that center's admin): one per organization, only during 公示 (409 after it ends,
  or a second time; the organization's row lock and the unique constraint make two at once one 201
  and one 409).
- decide (admin): ``upheld`` keeps the scores, ``changed`` replaces the named leaves' scores → the new
  total and grade (exact, unrounded).
- announce (admin, after 公示, no appeal open): the grades are final; each organization rated at the
  framework's ``certificate_min_grade`` (3A) or above gets a certificate valid five calendar years
  from 1 January of the year after the announcement (``scoring.rating.certificate_validity``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy import select

from app.audit.operations import record
from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.locking import lock_row
from app.timeutil import CHINA
from scoring.rating import certificate_validity, grade_for, grade_rank

from .models import AppealStatus, OrgStatus, RatingAppeal, RatingOrganization, RatingRecord, RatingRound
from .panel import apply_result, panel_result
from .rounds import framework_of, leaf_of, text_field
from .self_assessment import score_field


def in_publicity(rnd: RatingRound, now: datetime) -> bool:
    return rnd.published_at is not None and now < rnd.publicity_ends


def publish(rnd: RatingRound, admin: User, now: datetime) -> RatingRound:
    lock_row(rnd)
    if rnd.published_at is not None:
        raise Conflict("评估结果已公示", code="published")
    if not rnd.organizations:
        raise Conflict("本评估批次还没有评估对象")
    pending = [o.center.name for o in rnd.organizations if o.status != OrgStatus.finalized]
    if pending:
        raise Conflict(f"尚未定分：{'、'.join(pending)}", code="not_finalized", details={"centers": pending})
    rnd.published_at = now
    rnd.publicity_ends = now + timedelta(days=rnd.publicity_days)
    db.session.flush()
    record("rating.published", rnd, {"publicity_ends": rnd.publicity_ends.isoformat()}, center_id=None)
    return rnd


def appeal_of(org: RatingOrganization) -> RatingAppeal | None:
    return db.session.scalar(select(RatingAppeal).where(RatingAppeal.organization_id == org.id))


def lodge(org: RatingOrganization, user: User, data: dict, now: datetime) -> RatingAppeal:
    lock_row(org)
    rnd = org.round
    if rnd.published_at is None:
        raise Conflict("评估结果尚未公示，不能申请复核", code="not_published")
    if not in_publicity(rnd, now):
        raise Conflict("公示期已结束，不能再申请复核", code="publicity_over")
    if appeal_of(org) is not None:
        raise Conflict("每个机构只能申请一次复核", code="appeal_exists")
    reason = text_field(data, "reason", "复核理由", limit=4000)
    codes = data.get("codes") or []
    if not isinstance(codes, list):
        raise Invalid("复核指标：须为指标编码列表", field="codes")
    framework = framework_of(rnd)
    for index, code in enumerate(codes):
        node = framework.node(code) if isinstance(code, str) else None
        if node is None or not node.is_leaf:
            raise Invalid(f"复核指标第 {index + 1} 项：不是末级指标编码", field="codes", index=index)
    appeal = RatingAppeal(organization_id=org.id, reason=reason, codes=list(codes), lodged_by_id=user.id, lodged_at=now)
    db.session.add(appeal)
    db.session.flush()
    record("rating.appeal_lodged", org, {"codes": list(codes)})
    return appeal


def decide(org: RatingOrganization, admin: User, data: dict, now: datetime) -> RatingOrganization:
    lock_row(org)
    appeal = appeal_of(org)
    if appeal is None or appeal.status != AppealStatus.open:
        raise Conflict("没有待处理的复核申请", code="no_open_appeal")
    decision = data.get("decision")
    if decision not in ("upheld", "changed"):
        raise Invalid("复核结论：须为 upheld（维持）或 changed（变更）", field="decision")
    changed: dict[str, float] = {}
    if decision == "changed":
        scores = data.get("scores")
        if not isinstance(scores, dict) or not scores:
            raise Invalid("复核结论为变更时须给出变更的指标得分", field="scores")
        framework = framework_of(org.round)
        for code, value in scores.items():
            leaf = leaf_of(framework, code)
            changed[code] = score_field({"score": value}, leaf, key="score")
    old = {"total": org.total, "grade": org.grade}
    if changed:
        leaves, total = panel_result(org, changed)
        apply_result(org, leaves, total)
    appeal.status = AppealStatus(decision)
    appeal.scores = changed or None
    appeal.decided_by_id, appeal.decided_at = admin.id, now
    db.session.add(
        RatingRecord(
            organization_id=org.id,
            actor_id=admin.id,
            action="decide",
            old=old,
            new={"decision": decision, "scores": changed, "total": org.total, "grade": org.grade},
        )
    )
    db.session.flush()
    record("rating.appeal_decided", org, {"decision": decision, "scores": changed, "old": old, "total": org.total})
    return org


def certificate_number(rnd: RatingRound, announced_year: int, serial: int) -> str:
    """PJ + the announcement year + the round (3 digits) + the serial in the round (3 digits)."""
    return f"PJ{announced_year}{rnd.id:03d}{serial:03d}"


def announce(rnd: RatingRound, admin: User, now: datetime) -> list[RatingOrganization]:
    lock_row(rnd)
    if rnd.announced_at is not None:
        raise Conflict("评估结果已公告", code="announced")
    if rnd.published_at is None or now < rnd.publicity_ends:
        raise Conflict("公示期尚未结束，不能公告", code="publicity_not_over")
    open_appeals = [o.center.name for o in rnd.organizations if (a := appeal_of(o)) and a.status == AppealStatus.open]
    if open_appeals:
        raise Conflict(f"尚有复核申请未处理：{'、'.join(open_appeals)}", code="appeal_open")
    framework = framework_of(rnd)
    threshold = grade_rank(framework.certificate_min_grade, rnd.grades)
    day = now.astimezone(CHINA).date()
    valid_from, valid_to = certificate_validity(day)
    rnd.announced_at = now
    serial = 0
    for org in rnd.organizations:
        lock_row(org)
        org.transition(OrgStatus.announced)
        if org.grade is not None and grade_rank(org.grade, rnd.grades) <= threshold:
            serial += 1
            org.certificate_no = certificate_number(rnd, day.year, serial)
            org.certificate_grade, org.valid_from, org.valid_to = org.grade, valid_from, valid_to
            record("rating.certificate_issued", org, {"no": org.certificate_no, "grade": org.grade})
    db.session.flush()
    record("rating.announced", rnd, {"organizations": len(rnd.organizations), "certificates": serial}, center_id=None)
    return [o for o in rnd.organizations if o.certificate_no]


def find_certificate(no: str) -> RatingOrganization:
    org = db.session.scalar(select(RatingOrganization).where(RatingOrganization.certificate_no == no))
    if org is None:
        raise NotFound("评估等级证书不存在")
    return org


def certificate_facts(org: RatingOrganization, now: datetime) -> dict:
    today = now.astimezone(CHINA).date()
    return {
        "valid": today <= org.valid_to,
        "organization": org.center.name,
        "grade": org.certificate_grade,
        "valid_from": org.valid_from.isoformat(),
        "valid_to": org.valid_to.isoformat(),
    }


def regrade(org: RatingOrganization) -> str | None:
    return grade_for(Fraction(org.total_text), org.round.grades) if org.total_text else None
