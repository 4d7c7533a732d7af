"""An audit entry as the page shows it (issue 27 item 8): who (名字, with the username in brackets,
and the role they acted in, in Chinese), what (the action's Chinese name), and the details as
rows — one row per changed field, ``before → after`` with the field's Chinese label, and one row
per other fact. Codes are named (更正, 已定分, 机构管理员), people by their names, scores with two
decimals cut toward zero (``scoring.display``: 91.8333 → 91.83, 59.995 → 59.99, never 60.00),
times in Beijing time. The API and the CSV export keep the raw codes and JSON (``serialize``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from app.auth.models import ROLE_LABELS, Role
from app.timeutil import CHINA
from scoring.display import points_text, score_text

from .labels import action_label
from .models import AuditEntry

# The details' keys as the page shows them (the API and the export keep the keys).
DETAIL_LABELS = {
    "candidate": "考生", "kind": "类型", "reason": "原因", "mark": "标记", "score": "分数", "spread": "分差",
    "graders": "评分人数", "status": "状态", "note": "说明", "minutes": "延长（分钟）", "number": "证书编号",
    "holder": "持证人", "result_id": "成绩编号", "standard": "职业标准", "level": "等级", "created": "新增",
    "updated": "修改", "unchanged": "未变", "created_ids": "新增题号", "updated_ids": "修改题号",
    "answer_key_changed": "答案变更题号", "external_id": "题号", "area": "职业功能", "batch": "组卷批号",
    "form": "套号", "seed": "随机种子", "items": "题数", "papers": "试卷编号", "candidates": "考生数",
    "passed": "合格数", "points_earned": "得分", "points_total": "总分", "closed_at": "收卷时间",
    "session_id": "考试批次", "responses": "作答数", "user": "用户", "username": "用户", "name": "名称",
    "size": "大小（字节）", "label": "材料名称", "total": "合计", "sections": "评分项", "parts": "分项",
    "flagged": "分差超阈值", "role": "角色", "center": "机构", "pending": "待审核", "count": "人数",
    "usernames": "账号", "file": "文件", "expires_at": "有效期至", "hours": "学时", "credited": "认定学时",
    "date": "日期", "topic": "主题", "present": "出勤", "completed": "已结业", "not_completed": "未结业",
    "experts": "评估专家", "framework": "评估体系", "code": "指标", "round": "评估批次", "leaves": "指标数",
    "grade": "等级", "decision": "复核决定", "scores": "分数", "publicity_ends": "公示截止", "no": "证书编号",
    "organizations": "评估对象数", "certificates": "证书", "titles": "职称", "year": "年度", "category": "类别",
    "title": "标题", "audience": "对象", "anonymous": "匿名", "invited": "邀请人数", "questions": "题数",
    "step": "环节", "problems": "未达标准的配备", "absent": "缺考", "entry": "第几遍录入", "state": "状态",
    "annual_hours": "年度学时", "minimum": "最低学时", "forms": "形式", "survey": "问卷", "question": "题目",
    "rate": "满意率", "target": "目标", "satisfied_levels": "计为满意的等级", "target_rate": "目标满意率",
    "approve_registrations": "注册须审核", "spread_threshold": "分差阈值", "tokens_revoked": "吊销令牌数",
    "held": "已持有的有效证书", "enrollment": "报名", "theory_release": "理论成绩显示时间",
    "ticket_no": "准考证号", "session": "考试批次", "already_certified": "已持证未重复发证",
}  # fmt: skip

# Labels that differ by action (the same key means another thing there).
ACTION_FIELD_LABELS = {
    "certificate.settings_changed": {
        "kind": "评价机构类别代码", "org_code": "评价机构代码", "province": "省级代码",
        "org_serial": "评价机构序列码", "platform_code": "平台证书机构简码",
    },
    "review.material_uploaded": {"kind": "材料类别", "name": "文件名"},
    "review.material_deleted": {"kind": "材料类别", "name": "文件名"},
    "evidence.deleted": {"name": "文件名"},
    "exam.submitted": {"reason": "收卷方式"},
    "exam.closed_at_deadline": {"reason": "收卷方式"},
    "exam.force_closed": {"reason": "收卷方式"},
}  # fmt: skip

# What a scalar before → after is, when the details name no field (``{"old": 5, "new": 8}``).
CHANGE_SUBJECT = {
    "practical.threshold_set": "分差阈值",
    "practical.unmarked": "标记",
    "practical.split_set": "分项",
    "review.unmarked": "标记",
    "rating.self_scored": "自评得分",
    "rating.expert_scored": "专家评分",
    "rating.grades_set": "等级线",
}

# Coded values as the page names them (the API and the export keep the codes).
VALUE_LABELS = {
    "kind": {"entry": "录入", "correction": "更正", "S": "S 社会培训评价组织", "Y": "Y 用人单位"},
    "status": {"pending": "评分中", "final": "已定分", "absent": "缺考", "disqualified": "违纪"},
    "mark": {"absent": "缺考", "disqualified": "违纪"},
    "state": {"first": "第一遍", "agreed": "两遍一致（已定分）", "disagreed": "两遍不一致（待第三遍）", "decided": "第三遍裁定"},
    "step": {"open": "开考", "publish": "发布成绩"},
    "decision": {"upheld": "维持原结果", "changed": "更改分数"},
    "role": {role.value: label for role, label in ROLE_LABELS.items()},
    "theory_release": {"at_once": "交卷后立即显示", "published": "成绩发布后显示"},
}  # fmt: skip
CLOSE_REASONS = {"candidate": "考生交卷", "deadline": "到时自动收卷", "forced": "监考强制收卷"}
PEOPLE_KEYS = {"candidate", "user", "username"}  # values that are usernames: shown by name
PEOPLE_LIST_KEYS = {"usernames", "experts", "not_completed", "present"}
SCORE_KEYS = {"score", "total", "spread", "points_earned", "points_total", "rate", "target_rate"}
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
EMPTY = "（空）"


@dataclass
class Shown:
    """One entry for the page."""

    entry: AuditEntry
    actor: str  # 王考评（grader3） · 系统
    role: str  # 机构管理员 (the role the actor acted in), "" for the system
    action: str  # 证书颁发
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, value)


def person(username: str | None, names: dict[str, str]) -> str:
    """王考评（grader3）: the name with the username in brackets; the username alone when unknown."""
    if not username:
        return "—"
    name = names.get(username)
    return f"{name}（{username}）" if name and name != username else username


def role_label(code: str | None) -> str:
    try:
        return Role(code).label if code else ""
    except ValueError:
        return code or ""


def usernames_in(entries: list[AuditEntry]) -> set[str]:
    """Every username an entry's details name (to look their names up once for a page)."""
    found = set()
    for entry in entries:
        for key, value in (entry.details or {}).items():
            if key in PEOPLE_KEYS and isinstance(value, str):
                found.add(value)
            elif key in PEOPLE_LIST_KEYS and isinstance(value, list):
                found.update(v for v in value if isinstance(v, str))
    return found


def _label(action: str, key: str) -> str:
    return ACTION_FIELD_LABELS.get(action, {}).get(key) or DETAIL_LABELS.get(key, key)


def value_text(action: str, key: str, value, names: dict[str, str]) -> str:
    """One value in Chinese: a code named, a person by name, a score to two decimals, a time in Beijing time."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        if key in PEOPLE_KEYS:
            return person(value, names)
        if key == "reason" and action.startswith("exam.") and value in CLOSE_REASONS:
            return CLOSE_REASONS[value]
        named = VALUE_LABELS.get(key, {}).get(value)
        if named:
            return named
        if _ISO_DATETIME.match(value):
            try:
                return datetime.fromisoformat(value).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
            except ValueError:
                return value
        return value
    if isinstance(value, int | float):
        return score_text(value) if key in SCORE_KEYS and isinstance(value, float) else points_text(value)
    if isinstance(value, list):
        if not value:
            return EMPTY
        if key in PEOPLE_LIST_KEYS:
            return "、".join(person(v, names) if isinstance(v, str) else str(v) for v in value)
        return "、".join(value_text(action, key, v, names) for v in value)
    if isinstance(value, dict):
        if not value:
            return EMPTY
        return "；".join(f"{_label(action, k)} {value_text(action, k, v, names)}" for k, v in value.items())
    return str(value)


def _flat(action: str, state) -> dict[str, tuple[str, object]]:
    """A before/after state as {row key: (label, value)}: a score sheet's sections each a row (合计 last),
    its split parts as 「section · part」, other dicts by their keys, a scalar as one row."""
    if not isinstance(state, dict):
        return {"": (CHANGE_SUBJECT.get(action, "值"), state)}
    rows: dict[str, tuple[str, object]] = {}
    for key, value in state.items():
        if key == "sections" and isinstance(value, dict):
            rows.update({f"s:{area}": (area, points) for area, points in value.items()})
        elif key == "parts" and isinstance(value, dict):
            for area, parts in value.items():
                for part, points in parts.items() if isinstance(parts, dict) else [("", parts)]:
                    rows[f"p:{area}:{part}"] = (f"{area} · {part}" if part else area, points)
        elif key != "total":
            rows[key] = (_label(action, key), value)
    if "total" in state:
        rows["total"] = ("合计", state["total"])
    return rows


def _value_key(action: str, key: str) -> str:
    """How a flattened row's values read: a sheet's points and a bare number as scores, a bare code by
    what the action changes (取消标记: the mark), a field by its own key."""
    if key == "":
        return "mark" if action.endswith(".unmarked") else "score"
    return "score" if key == "total" or key[:2] in {"s:", "p:"} else key


def changes_of(action: str, details: dict, names: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, before, after) for each field that an ``old``/``new`` pair or a ``changes`` map names;
    unchanged fields of a corrected sheet are left out (the row says what changed)."""
    rows = []
    if "old" in details or "new" in details:
        old, new = details.get("old"), details.get("new")
        before = _flat(action, old) if old is not None else {}
        after = _flat(action, new) if new is not None else {}
        if old is not None and new is not None and not isinstance(old, dict) and not isinstance(new, dict):
            before, after = {"": (CHANGE_SUBJECT.get(action, "值"), old)}, {"": (CHANGE_SUBJECT.get(action, "值"), new)}
        for key in list(before) + [k for k in after if k not in before]:
            label = (after.get(key) or before.get(key))[0]
            was, now = before.get(key, (label, None))[1], after.get(key, (label, None))[1]
            if key in before and key in after and was == now and old is not None:
                continue
            kind = _value_key(action, key)
            rows.append((label, value_text(action, kind, was, names), value_text(action, kind, now, names)))
    for key, pair in (details.get("changes") or {}).items() if isinstance(details.get("changes"), dict) else []:
        was, now = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((_label(action, key), value_text(action, key, was, names), value_text(action, key, now, names)))
    return rows


def shown(entry: AuditEntry, names: dict[str, str]) -> Shown:
    details = entry.details or {}
    actor = person(entry.actor.username, {entry.actor.username: entry.actor.display_name}) if entry.actor else "系统"
    view = Shown(entry=entry, actor=actor, role=role_label(entry.actor_role), action=action_label(entry.action))
    view.changes = changes_of(entry.action, details, names)
    for key, value in details.items():
        if key in {"old", "new", "changes"}:
            continue
        view.lines.append((_label(entry.action, key), value_text(entry.action, key, value, names)))
    return view
