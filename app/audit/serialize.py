"""An audit entry as JSON (the API) and as a row of the export."""

from __future__ import annotations

import json

from app.timeutil import CHINA, iso

from .labels import action_label, subject_label
from .models import AuditEntry

EXPORT_HEADERS = [
    "编号", "时间", "操作人", "角色", "机构", "操作代码", "操作", "对象类型", "对象编号", "详情", "客户端地址", "请求编号",
]  # fmt: skip


def entry_dict(entry: AuditEntry) -> dict:
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "actor": entry.actor.username if entry.actor else None,
        "actor_role": entry.actor_role or None,
        "center_id": entry.center_id,
        "center": entry.center.name if entry.center else None,
        "action": entry.action,
        "action_label": action_label(entry.action),
        "subject": {"type": entry.subject_type, "id": entry.subject_id},
        "details": entry.details,
        "client_ip": entry.client_ip or None,
        "request_id": entry.request_id or None,
    }


# The details' keys as the page shows them (the API and the export keep the keys).
DETAIL_LABELS = {
    "candidate": "考生", "kind": "类型", "old": "原值", "new": "新值", "reason": "原因", "mark": "标记",
    "score": "分数", "spread": "分差", "graders": "评分人数", "status": "状态", "note": "说明",
    "minutes": "延长（分钟）", "number": "证书编号", "holder": "持证人", "result_id": "成绩编号",
    "standard": "职业标准", "level": "等级", "created": "新增", "updated": "修改", "unchanged": "未变",
    "created_ids": "新增题号", "updated_ids": "修改题号", "answer_key_changed": "答案变更题号",
    "changes": "变更（原值 → 新值）", "external_id": "题号", "area": "职业功能", "batch": "组卷批号", "form": "套号",
    "seed": "随机种子", "items": "题数", "papers": "试卷编号", "candidates": "考生数", "passed": "合格数",
    "points_earned": "得分", "points_total": "总分", "closed_at": "收卷时间", "session_id": "考试批次",
    "responses": "作答数", "user": "用户", "name": "文件名", "size": "大小（字节）", "label": "材料名称",
}  # fmt: skip


# Coded values as the page names them (the API and the export keep the codes).
VALUE_LABELS = {
    "kind": {"entry": "录入", "correction": "更正"},
    "status": {"pending": "评分中", "final": "已定分", "absent": "缺考", "disqualified": "违纪"},
    "mark": {"absent": "缺考", "disqualified": "违纪"},
}


def details_lines(entry: AuditEntry) -> list[tuple[str, str]]:
    """(label, value) per key of the details, in Chinese: coded values named, numbers to 4 decimals
    (a mean such as 59.9933 stays visibly below 60), score sheets as 「section score · … · 合计」."""
    lines = []
    for key, value in entry.details.items():
        named = VALUE_LABELS.get(key, {}).get(value) if isinstance(value, str) else None
        lines.append((DETAIL_LABELS.get(key, key), named or _text(value)))
    return lines


def _text(value) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "是", False: "否", None: "—"}[value]
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, dict) and set(value) == {"sections", "total"} and isinstance(value["sections"], dict):
        parts = [f"{name} {_text(points)}" for name, points in value["sections"].items()]
        return " · ".join([*parts, f"合计 {_text(value['total'])}"])
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def details_text(entry: AuditEntry) -> str:
    return json.dumps(entry.details, ensure_ascii=False, sort_keys=True)


def export_row(entry: AuditEntry) -> list:
    return [
        entry.id,
        entry.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor.username if entry.actor else "系统",
        entry.actor_role,
        entry.center.name if entry.center else "平台",
        entry.action,
        action_label(entry.action),
        subject_label(entry.subject_type),
        entry.subject_id if entry.subject_id is not None else "",
        details_text(entry),
        entry.client_ip,
        entry.request_id,
    ]
