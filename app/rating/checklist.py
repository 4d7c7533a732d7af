"""The unscored capacity checklist (ssof-capacity: T/SSOF 0001-2024 appendices A and B): a center
answers each indicator 达到 / 部分达到 / 未达到 and, where it falls short, states its improvement
measure (整改措施, §7.2: 制定整改措施，持续改进服务质量)."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.operations import record
from app.auth.models import Role, User
from app.auth.scoping import ensure_same_center
from app.errors import Invalid, NotFound
from app.extensions import db
from app.timeutil import utcnow

from .frameworks import Framework
from .models import ChecklistAnswer
from .rounds import get_framework

LEVELS = ("达到", "部分达到", "未达到")


def framework_for(framework_id: str) -> Framework:
    framework = get_framework(framework_id)
    if framework.scored:
        raise NotFound("该指标体系不是自查清单")
    return framework


def answers(framework: Framework, center_id: int) -> dict[str, ChecklistAnswer]:
    rows = db.session.scalars(
        select(ChecklistAnswer).where(
            ChecklistAnswer.center_id == center_id, ChecklistAnswer.framework_id == framework.id
        )
    )
    return {row.code: row for row in rows}


def answers_json(framework: Framework, center_id: int, user: User) -> dict:
    ensure_same_center(user, center_id)
    given = answers(framework, center_id)
    leaves = framework.leaves()
    return {
        "framework": framework.id,
        "center_id": center_id,
        "answered": sum(1 for n in leaves if n.code in given),
        "indicators": len(leaves),
        "answers": {c: {"level": r.level, "measure": r.measure} for c, r in given.items()},
    }


def ensure_editor(user: User, center_id: int) -> None:
    """Only the center's own admin keeps its checklist (another center's: 404, as if it did not exist)."""
    if user.role != Role.center_admin:
        raise NotFound("记录不存在")
    ensure_same_center(user, center_id)


def save(framework: Framework, center_id: int, user: User, code: str, data: dict) -> ChecklistAnswer:
    ensure_editor(user, center_id)
    node = framework.node(code)
    if node is None or not node.is_leaf:
        raise Invalid(f"指标编码：「{code}」不是本清单的指标", field="code")
    level = data.get("level")
    if level not in LEVELS:
        raise Invalid("达成情况：须为 达到、部分达到 或 未达到", field="level")
    measure = data.get("measure") or ""
    if not isinstance(measure, str) or len(measure) > 2000:
        raise Invalid("整改措施：须为不超过 2000 字的文字", field="measure")
    if level != "达到" and not measure.strip():
        raise Invalid("整改措施：未完全达到的指标须填写整改措施（T/SSOF 0001-2024 7.2）", field="measure")
    row = answers(framework, center_id).get(code)
    if row is None:
        row = ChecklistAnswer(center_id=center_id, framework_id=framework.id, code=code)
        db.session.add(row)
    row.level, row.measure, row.updated_at = level, measure.strip(), utcnow()
    db.session.flush()
    record("rating.checklist_answered", row, {"framework": framework.id, "code": code, "level": level})
    return row
