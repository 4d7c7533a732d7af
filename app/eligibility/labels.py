"""Chinese labels for the field paths of a candidate profile, so that a message reads
"工作经历第 2 条的结束日期：…" where the engine says ``candidate.work[1].end`` (the API keeps the
path in ``details.field``; only the sentence a person reads changes)."""

from __future__ import annotations

import re

from .forms import SECTIONS, ProfileForm

_PATH_RE = re.compile(r"^candidate(?:\.(\w+)(?:\.(\d+)(?:\.(\w+))?)?)?$")
TOP = {"birth_date": "出生日期", "standard": "职业标准", "level": "等级", "as_of": "核验日期", "reason": "审核意见"}


def _plain(text: str) -> str:
    return re.sub(r"（[^）]*）", "", str(text))  # "结束日期（仍在岗留空）" → "结束日期"


def _row_labels(section: str) -> dict[str, str]:
    row = SECTIONS[section][1]
    return {name: _plain(field.args[0]) for name, field in vars(row).items() if hasattr(field, "args") and field.args}


def field_label(path: str | None) -> str:
    """``candidate.work[1].end`` → 工作经历第 2 条的结束日期; unknown paths come back unchanged."""
    if not path:
        return ""
    if path in TOP:
        return TOP[path]
    match = _PATH_RE.match(path)
    if not match:
        return path
    section, index, name = match.groups()
    if section is None:
        return "申报资料"
    if section not in SECTIONS:
        return _plain(getattr(getattr(ProfileForm, section, None), "args", [section])[0])
    heading = SECTIONS[section][0]
    if index is None:
        return heading
    where = f"{heading}第 {int(index) + 1} 条"
    return f"{where}的{_row_labels(section).get(name, name)}" if name else where


def humanize(message: str, path: str | None) -> str:
    """The message with its leading field path replaced by the field's label."""
    if path and message.startswith(path):
        return field_label(path) + message[len(path) :]
    return message
