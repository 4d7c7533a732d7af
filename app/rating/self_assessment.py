"""The organization's self-assessment (自评): one score per leaf with a note, the inputs of a formula
leaf (its score is computed, never taken from the body) and the evidence it cites (its own uploads,
readable then by the round's experts and admin: ``register_viewer``) — and, with
``"platform_evidence": true``, the platform's own facts for the leaf (``evidence_sources``); then
submit, after which it is read-only.
"""

from __future__ import annotations

from datetime import datetime
from math import isfinite

from sqlalchemy import select

from app.audit.operations import record
from app.auth.models import Role, User
from app.errors import Conflict, Invalid
from app.extensions import db
from app.locking import lock_row
from app.uploads import EvidenceFile, describe, owned_uploads, register_viewer
from scoring.rating import FormulaInputError, formula_score

from .evidence_sources import facts_for
from .frameworks import Node, input_label, with_input_labels
from .models import OrgStatus, RatingExpert, RatingOrganization, RatingRecord, SelfScore
from .rounds import framework_of, leaf_of


def score_field(data: dict, leaf: Node, key: str = "score") -> float:
    """A score of 0…the leaf's points (422 naming the field otherwise)."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
        raise Invalid(f"得分：请填写 0 至 {leaf.points} 的数", field=key)
    if not 0 <= value <= leaf.points:
        raise Invalid(f"得分：{value} 超出 0 至 {leaf.points}（指标 {leaf.code} 满分 {leaf.points} 分）", field=key)
    return float(value)


def computed_score(leaf: Node, inputs: object) -> float:
    """A formula leaf's score from its inputs (full points when the rule holds, else 0)."""
    if not isinstance(inputs, dict):
        names = "、".join(input_label(name) for name in leaf.formula.inputs)
        raise Invalid(f"计算依据：指标 {leaf.code} 须填写 {names}", field="inputs")
    try:
        return float(formula_score(leaf.formula.params, leaf.points, inputs))
    except FormulaInputError as exc:
        raise Invalid(f"{input_label(exc.name)}：{with_input_labels(str(exc))}", field=f"inputs.{exc.name}") from None


def ensure_open(org: RatingOrganization, now: datetime) -> None:
    if org.status != OrgStatus.self_assessment:
        raise Conflict("自评已提交，不能再修改", code="self_assessment_closed")
    if now >= org.round.self_assessment_deadline:
        raise Conflict("自评已过截止日期", code="self_assessment_closed")


def own_scores(org: RatingOrganization) -> dict[str, SelfScore]:
    rows = db.session.scalars(select(SelfScore).where(SelfScore.organization_id == org.id))
    return {row.code: row for row in rows}


def save(org: RatingOrganization, user: User, code: str, data: dict, now: datetime) -> SelfScore:
    leaf = leaf_of(framework_of(org.round), code)
    lock_row(org, key_share=True)
    ensure_open(org, now)
    if leaf.formula is not None:
        inputs = data.get("inputs")
        score = computed_score(leaf, inputs)
    else:
        inputs = None
        score = score_field(data, leaf)
    note = data.get("note") or ""
    if not isinstance(note, str) or len(note) > 2000:
        raise Invalid("说明：须为不超过 2000 字的文字", field="note")
    files = owned_uploads(user, data.get("evidence"))
    cited = describe(files)
    if data.get("platform_evidence") is True:  # attach what the platform itself knows for this leaf
        facts = facts_for(org.center_id, org.round.year).get(code) or []
        cited.append({"source": "platform", "label": "平台佐证", "facts": [f["text"] for f in facts]})
    row = db.session.scalar(select(SelfScore).where(SelfScore.organization_id == org.id, SelfScore.code == code))
    old = None if row is None else {"score": row.score, "inputs": row.inputs, "evidence": row.evidence}
    if row is None:
        row = SelfScore(organization_id=org.id, code=code)
        db.session.add(row)
    row.score, row.note, row.inputs, row.evidence, row.updated_at = score, note, inputs or {}, cited, now
    new = {"score": score, "inputs": row.inputs, "evidence": row.evidence}
    db.session.add(RatingRecord(organization_id=org.id, actor_id=user.id, action="self", code=code, old=old, new=new))
    db.session.flush()
    record("rating.self_scored", org, {"code": code, "old": old and old["score"], "new": score})
    return row


def submit(org: RatingOrganization, user: User, now: datetime) -> RatingOrganization:
    lock_row(org)
    ensure_open(org, now)
    org.transition(OrgStatus.submitted)
    org.submitted_at = now
    db.session.flush()
    record("rating.self_submitted", org, {"round": org.round_id, "leaves": len(own_scores(org))})
    return org


def progress(org: RatingOrganization) -> list[dict]:
    """Per first-level indicator: leaves self-scored of all, the points claimed of its maximum, and
    (once finalized) the points the panel gave."""
    framework = framework_of(org.round)
    mine = own_scores(org)
    final = org.leaves or {}
    out = []
    for top in framework.nodes:
        leaves = [n for n in _leaves(top)]
        done = [mine[n.code] for n in leaves if n.code in mine]
        out.append(
            {
                "code": top.code,
                "title": top.title,
                "points": top.points,
                "leaves": len(leaves),
                "done": len(done),
                "claimed": sum(row.score for row in done),
                "earned": sum(final[n.code]["score"] for n in leaves if n.code in final) if final else None,
            }
        )
    return out


def _leaves(node: Node) -> list[Node]:
    if node.is_leaf:
        return [node]
    return [leaf for child in node.children for leaf in _leaves(child)]


@register_viewer
def _experts_read_cited_files(user: User, file: EvidenceFile) -> bool:
    """The round's experts may read a file an organization's self-assessment cites."""
    if user.role != Role.expert:
        return False
    rows = db.session.execute(
        select(SelfScore.evidence)
        .join(RatingOrganization, RatingOrganization.id == SelfScore.organization_id)
        .join(RatingExpert, RatingExpert.round_id == RatingOrganization.round_id)
        .where(RatingExpert.user_id == user.id)
    ).scalars()
    return any(item.get("id") == file.id for evidence in rows for item in (evidence or []))
