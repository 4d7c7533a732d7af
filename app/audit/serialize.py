"""An audit entry as JSON (the API) and as a row of the export: the raw codes and details JSON, kept as
recorded (the page's Chinese rendering is ``display``)."""

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
