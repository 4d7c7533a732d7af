"""The validated standards of the running app (loaded once in ``create_app``)."""

from __future__ import annotations

import hashlib

from flask import current_app
from sqlalchemy import select

from app.errors import Invalid, NotFound
from app.extensions import db

from .models import StandardRecord
from .schema import Standard


def all_standards() -> dict[str, Standard]:
    return current_app.extensions["standards"]


def get_standard(standard_id: str, *, field: str | None = None) -> Standard:
    """The standard, or 404 (or 422 naming ``field`` when it comes from a request body)."""
    # a body may hold a list or an object where the id belongs: unknown, not a TypeError (500)
    standard = all_standards().get(standard_id) if isinstance(standard_id, str) else None
    if standard is None:
        shown = standard_id if isinstance(standard_id, str) else ""
        if field:
            raise Invalid(f"未知的职业标准「{shown}」", field=field)
        raise NotFound(f"未知的职业标准「{shown}」")
    return standard


def get_level(standard: Standard, level_id: str, *, field: str = "level"):
    level = standard.level(level_id)
    if level is None:
        raise Invalid(
            f"职业标准 {standard.id} 没有等级「{level_id}」（可选：{'、'.join(standard.level_ids)}）", field=field
        )
    return level


def sync_standard_records() -> int:
    """Upsert one row per standard; returns how many rows changed."""
    changed = 0
    for standard in all_standards().values():
        checksum = hashlib.sha256(standard.model_dump_json().encode()).hexdigest()
        record = db.session.scalar(select(StandardRecord).where(StandardRecord.id == standard.id))
        if record is None:
            db.session.add(
                StandardRecord(id=standard.id, name=standard.name, version=standard.version, checksum=checksum)
            )
            changed += 1
        elif record.checksum != checksum:
            record.name, record.version, record.checksum = standard.name, standard.version, checksum
            changed += 1
    db.session.flush()
    return changed
