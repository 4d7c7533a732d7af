"""The expert panel on one organization: scoring a leaf, finalizing, and what each viewer may see.

- An expert of the round scores each leaf 0…its points with a comment, once the organization has
  submitted its self-assessment or its due date has passed (409 before), until finalized (409).
- 回避: an expert who belongs to the organization's center may not score it (403) and is not on its
  panel; when the others are no longer an odd number of at least 3, finalize still proceeds on their
  scores and reports the panel's problem (the round's panel was checked when it was formed).
- Before finalization an expert sees only their own scores; every entry and correction goes to the
  append-only record (``RatingRecord``).
- Finalize (the platform admin): 422 while a panel member has not scored every leaf; the row lock
  makes two finalizes at once one 200 and one 409.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from sqlalchemy import select

from app.audit.operations import record
from app.auth.models import Role, User
from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.locking import lock_row
from scoring.rating import agreement, exact, exact_total, grade_for, panel_leaves

from .component import RATING
from .models import ExpertScore, OrgStatus, RatingOrganization, RatingRecord
from .rounds import framework_of, is_expert_of, leaf_of, panel_of
from .self_assessment import score_field

FINAL = (OrgStatus.finalized, OrgStatus.announced)


def ensure_may_score(org: RatingOrganization, user: User) -> None:
    if user.role != Role.expert or not is_expert_of(org.round, user):
        raise Forbidden("您不是本评估批次的评估专家")
    if user.center_id is not None and user.center_id == org.center_id:
        raise Forbidden("回避：评估专家不能评估本人所属机构", code="recused")


def scoring_open(org: RatingOrganization, now: datetime) -> bool:
    return org.status == OrgStatus.submitted or (
        org.status == OrgStatus.self_assessment and now >= org.round.self_assessment_deadline
    )


def ensure_scoring_open(org: RatingOrganization, now: datetime) -> None:
    if org.status in FINAL:
        raise Conflict("该机构已定分，评分已锁定", code="finalized")
    if not scoring_open(org, now):
        raise Conflict("该机构尚未提交自评，自评截止日期也未到，暂不能评分", code="self_assessment_open")


def scores_of(org: RatingOrganization, expert: User | None = None) -> list[ExpertScore]:
    query = select(ExpertScore).where(ExpertScore.organization_id == org.id)
    if expert is not None:
        query = query.where(ExpertScore.expert_id == expert.id)
    return list(db.session.scalars(query.order_by(ExpertScore.id)))


def save(org: RatingOrganization, user: User, code: str, data: dict, now: datetime) -> ExpertScore:
    ensure_may_score(org, user)
    leaf = leaf_of(framework_of(org.round), code)
    lock_row(org, key_share=True)  # a score never slips in beside a finalize
    ensure_scoring_open(org, now)
    score = score_field(data, leaf)
    comment = data.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > 2000:
        raise Invalid("评分说明：须为不超过 2000 字的文字", field="comment")
    row = db.session.scalar(
        select(ExpertScore).where(
            ExpertScore.organization_id == org.id, ExpertScore.expert_id == user.id, ExpertScore.code == code
        )
    )
    old = None if row is None else {"score": row.score, "comment": row.comment}
    if row is None:
        row = ExpertScore(organization_id=org.id, expert_id=user.id, code=code)
        db.session.add(row)
    row.score, row.comment, row.updated_at = score, comment.strip(), now
    new = {"score": score, "comment": row.comment}
    db.session.add(RatingRecord(organization_id=org.id, actor_id=user.id, action="expert", code=code, old=old, new=new))
    db.session.flush()
    record("rating.expert_scored", org, {"code": code, "old": old and old["score"], "new": score})
    return row


def missing_scores(org: RatingOrganization, rows=None, members=None) -> dict[str, list[str]]:
    """{expert username: [codes not yet scored]} over the panel (回避 excluded). ``rows`` / ``members``:
    the organization's scores and panel when the caller has read them already (finalize)."""
    leaves = [n.code for n in framework_of(org.round).leaves()]
    given: dict[int, set[str]] = {}
    for row in scores_of(org) if rows is None else rows:
        given.setdefault(row.expert_id, set()).add(row.code)
    every = set(leaves)
    out = {}
    for expert in panel_of(org) if members is None else members:
        scored = given.get(expert.id, set())
        if scored >= every:
            continue
        out[expert.username] = [c for c in leaves if c not in scored]
    return out


def compute(org: RatingOrganization, rows=None, members=None) -> tuple[dict[str, dict], Fraction]:
    """{code: {"score", "spread"}} of the panel's scores (mean unrounded) and the exact total."""
    return panel_result(org, {}, rows, members)


def panel_result(
    org: RatingOrganization, overrides: dict[str, float], rows=None, members=None
) -> tuple[dict[str, dict], Fraction]:
    """The panel's leaves with ``overrides`` (复核 changes: {code: score}) in place of their means,
    and the exact total of the result (each mean an exact fraction: 10/3, not 3.3333333333333335).
    ``rows`` / ``members``: as in missing_scores."""
    members = {u.id for u in (panel_of(org) if members is None else members)}
    per_leaf: dict[str, list[float]] = {}
    for row in scores_of(org) if rows is None else rows:
        if row.expert_id in members:
            per_leaf.setdefault(row.code, []).append(row.score)
    results = panel_leaves(per_leaf)
    order = [n.code for n in framework_of(org.round).leaves()]
    leaves = {c: {"score": results[c].score, "spread": results[c].spread} for c in order if c in results}
    exacts = {c: results[c].exact for c in results}
    for code, value in overrides.items():
        leaves[code] = {**leaves.get(code, {"spread": 0.0}), "score": value}
        exacts[code] = exact(value)
    return leaves, exact_total(exacts)


def apply_result(org: RatingOrganization, leaves: dict[str, dict], total: Fraction) -> None:
    org.leaves = leaves
    org.total = float(total)
    org.total_text = f"{total.numerator}/{total.denominator}" if total.denominator != 1 else str(total.numerator)
    org.grade = grade_for(total, org.round.grades)


def exact_of(org: RatingOrganization) -> Fraction:
    return Fraction(org.total_text) if org.total_text else Fraction(0)


def finalize(org: RatingOrganization, admin: User, now: datetime) -> RatingOrganization:
    lock_row(org)
    if org.status in FINAL:
        raise Conflict("该机构已定分", code="finalized")
    if not scoring_open(org, now):
        raise Conflict("该机构尚未提交自评，自评截止日期也未到", code="self_assessment_open")
    members = panel_of(org)
    if not members:
        raise Invalid("评估专家组：回避后没有可以评分的评估专家", field="experts", code="panel_size")
    # The round's panel was checked when it was formed (odd, at least 3). 回避 may leave fewer or an
    # even number for one organization: the contract finalizes on the remaining members' scores, so
    # this is reported (finalized_json "panel") and shown to the admin, not refused.
    # read once, only the columns used, for the completeness check and the result (bench/rating_scale.py)
    rows = db.session.execute(
        select(ExpertScore.expert_id, ExpertScore.code, ExpertScore.score).where(ExpertScore.organization_id == org.id)
    ).all()
    missing = missing_scores(org, rows, members)
    if missing:
        summary = "；".join(f"{name} 尚有 {len(codes)} 项" for name, codes in missing.items())
        raise Invalid(f"尚有评估专家未完成全部指标的评分：{summary}", field="scores", details={"missing": missing})
    leaves, total = compute(org, rows, members)
    apply_result(org, leaves, total)
    org.transition(OrgStatus.finalized)
    org.finalized_at = now
    db.session.add(
        RatingRecord(
            organization_id=org.id,
            actor_id=admin.id,
            action="finalize",
            new={"total": org.total, "grade": org.grade},
        )
    )
    db.session.flush()
    record("rating.finalized", org, {"total": org.total, "grade": org.grade})
    return org


def flagged_leaves(org: RatingOrganization) -> list[str]:
    framework = framework_of(org.round)
    leaves = org.leaves or compute(org)[0]
    return [c for c, v in leaves.items() if RATING.flagged(v["spread"], framework.node(c).points)]


def panel_agreement(org: RatingOrganization) -> dict:
    """ICC(A,1) over the leaves and each expert's severity (leaves every member scored)."""
    members = panel_of(org)
    table: dict[str, dict[int, float]] = {}
    for row in scores_of(org):
        table.setdefault(row.code, {})[row.expert_id] = row.score
    rows = [[by[m.id] for m in members] for by in table.values() if all(m.id in by for m in members)]
    figures = agreement(rows) if rows else {"icc": None, "severity": [None] * len(members)}
    return {
        "leaves": len(rows),
        "icc": figures["icc"],
        "experts": [
            {"username": m.username, "severity": s} for m, s in zip(members, figures["severity"], strict=False)
        ],
    }


def records_of(org: RatingOrganization) -> list[RatingRecord]:
    return list(
        db.session.scalars(select(RatingRecord).where(RatingRecord.organization_id == org.id).order_by(RatingRecord.id))
    )
