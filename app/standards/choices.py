"""The standard × level choices of every form (sessions, papers, eligibility), one way: the value
``<standard id>|<level id>`` and the label ``<id> <name> · <level title>``."""

from __future__ import annotations

from .registry import all_standards

SEPARATOR = "|"
LEGACY_SEPARATOR = ":"  # the eligibility pages' links were written id:level; still read


def target_value(standard_id: str, level: str) -> str:
    return f"{standard_id}{SEPARATOR}{level}"


def split_target(value: str | None) -> tuple[str, str]:
    """(standard id, level) of a choice's value; ("", "") parts where it holds none (the operation
    then names the missing field)."""
    text = value or ""
    sep = SEPARATOR if SEPARATOR in text else LEGACY_SEPARATOR
    standard_id, _, level = text.partition(sep)
    return standard_id, level


def level_choices() -> list[tuple[str, str]]:
    """(value, label) of every standard × level, for one flat select."""
    return [
        (target_value(s.id, lv.id), f"{s.id} {s.name} · {lv.title}")
        for s in all_standards().values()
        for lv in s.levels
    ]


def grouped_level_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """(standard heading, [(value, level title)]): one select with an option group per standard."""
    return [
        (f"{s.id} {s.name}", [(target_value(s.id, lv.id), lv.title) for lv in s.levels])
        for s in all_standards().values()
    ]
