"""JSON of the rating domain (contract v1.2 "Organization rating")."""

from __future__ import annotations

from datetime import datetime

from app import timeutil
from app.auth.models import Role, User

from .frameworks import Framework, Node
from .models import AppealStatus, OrgStatus, RatingOrganization, RatingRound
from .panel import scores_of
from .publicity import appeal_of, in_publicity
from .rounds import framework_of, panel_of, panel_problem
from .self_assessment import own_scores


def node_json(node: Node) -> dict:
    body = {"code": node.code, "title": node.title, "points": node.points}
    if node.is_leaf:
        body["materials"] = node.materials if node.materials is not None else node.description
        body["formula"] = node.formula.public() if node.formula else None
        if node.materials_original:
            body["materials_original"] = node.materials_original
        if node.description:
            body["description"] = node.description
    else:
        body["children"] = [node_json(c) for c in node.children]
    if node.note:
        body["note"] = node.note
    return body


def framework_summary(framework: Framework) -> dict:
    return {"id": framework.id, "name": framework.name, "total": framework.total}


def framework_json(framework: Framework, grades: list[dict] | None = None) -> dict:
    body = {
        **framework_summary(framework),
        "grades": grades if grades is not None else framework.grade_list(),
        "nodes": [node_json(n) for n in framework.nodes],
    }
    body["kind"] = framework.kind
    if framework.grades_source:
        body["grades_source"] = framework.grades_source
    if framework.levels:
        body["levels"] = list(framework.levels)
    return body


def round_json(rnd: RatingRound) -> dict:
    return {
        "id": rnd.id,
        "framework": rnd.framework_id,
        "name": rnd.name,
        "year": rnd.year,
        "self_assessment_due": rnd.self_assessment_due.isoformat(),
        "publicity_days": rnd.publicity_days,
        "grades": rnd.grades,
        "grades_source": rnd.grades_source,
        "experts": [e.user.username for e in rnd.experts],
        "organizations": [
            {"center_id": o.center_id, "center": o.center.name, "status": o.status.value} for o in rnd.organizations
        ],
        "published_at": timeutil.iso(rnd.published_at),
        "publicity_ends": timeutil.iso(rnd.publicity_ends),
        "announced_at": timeutil.iso(rnd.announced_at),
    }


def status_of(org: RatingOrganization, now: datetime) -> str:
    if org.status == OrgStatus.finalized:
        appeal = appeal_of(org)
        if appeal is not None and appeal.status == AppealStatus.open:
            return "appealed"
        if in_publicity(org.round, now):
            return "publicity"
    return org.status.value


def certificate_json(org: RatingOrganization) -> dict | None:
    if not org.certificate_no:
        return None
    return {
        "no": org.certificate_no,
        "grade": org.certificate_grade,
        "valid_from": org.valid_from.isoformat(),
        "valid_to": org.valid_to.isoformat(),
    }


def organization_json(org: RatingOrganization, viewer: User, now: datetime) -> dict:
    """Status, total, grade, every leaf ({score, spread} once finalized, null before; the
    self-assessment's score beside it), the certificate. An expert sees their own scores (``mine``)
    and never another expert's before finalization."""
    framework = framework_of(org.round)
    own = own_scores(org)
    final = org.leaves or {}
    leaves = {}
    for leaf in framework.leaves():
        entry = {"score": None, "spread": None}
        if leaf.code in final:
            entry = {"score": final[leaf.code]["score"], "spread": final[leaf.code]["spread"]}
        entry["self_score"] = own[leaf.code].score if leaf.code in own else None
        leaves[leaf.code] = entry
    if viewer.role == Role.expert:
        for row in scores_of(org, viewer):
            leaves[row.code]["mine"] = {"score": row.score, "comment": row.comment}
    appeal = appeal_of(org)
    return {
        "round_id": org.round_id,
        "center_id": org.center_id,
        "center": org.center.name,
        "status": status_of(org, now),
        "total": org.total,
        "grade": org.grade,
        "leaves": leaves,
        "self_assessment": {
            c: {"score": r.score, "note": r.note, "inputs": r.inputs, "evidence": r.evidence} for c, r in own.items()
        },
        "appeal": None
        if appeal is None
        else {"status": appeal.status.value, "reason": appeal.reason, "codes": appeal.codes, "scores": appeal.scores},
        "certificate": certificate_json(org),
    }


def finalized_json(org: RatingOrganization) -> dict:
    """The finalize / decide answer; ``panel`` names who scored and any problem 回避 left."""
    return {
        "total": org.total,
        "grade": org.grade,
        "leaves": org.leaves or {},
        "panel": {"experts": [u.username for u in panel_of(org)], "problem": panel_problem(org)},
    }
