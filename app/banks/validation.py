"""Checking one bank item against its standard, shared by the JSON API and the Excel import.

Returns every problem of an item (the Excel import lists them all; the API reports the first).
Rules (api-contract, Question banks): ``single`` answers one letter among its options,
``multiple`` a list of two or more distinct letters among its options, ``judge`` true/false and
has no options; ``area`` is a row of the theory weight table of the item's own level (4.1: a
row marked "-" at that level is no area of it); ``level`` is the lowest level served.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from app.standards.schema import Standard

from .models import ITEM_TYPES

LETTERS = string.ascii_uppercase
MAX_OPTIONS = 8
STEM_MAX = 5000
FIELDS = ("external_id", "type", "stem", "options", "answer", "points", "area", "level", "difficulty",
          "enemy_group", "source")  # fmt: skip


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def all_areas(standard: Standard) -> list[str]:
    """Every row of the standard's theory weight tables, in printed order."""
    areas: list[str] = []
    for table in standard.theory_weights.values():
        for area in table:
            if area not in areas:
                areas.append(area)
    return areas


def _text(value, max_len: int) -> str | None:
    if isinstance(value, str) and value.strip() and len(value.strip()) <= max_len:
        return value.strip()
    return None


def check_item(raw: dict, standard: Standard) -> tuple[dict | None, list[Problem]]:
    """(clean item, []) or (None, problems) — problems in field order."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        return None, [Problem("item", "每道试题必须是 JSON 对象")]
    unknown = sorted(set(raw) - set(FIELDS) - {"id", "retired", "usage_count"})
    clean: dict = {}

    external_id = raw.get("external_id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    clean["external_id"] = _text(external_id, 64)
    if clean["external_id"] is None:
        problems.append(Problem("external_id", "题号必填（不超过 64 个字符）"))

    kind = raw.get("type")
    if kind not in ITEM_TYPES:
        problems.append(Problem("type", f"题型须为单选（single）、多选（multiple）或判断（judge），收到「{kind}」"))
        kind = None
    clean["type"] = kind

    clean["stem"] = _text(raw.get("stem"), STEM_MAX)
    if clean["stem"] is None:
        stem = raw.get("stem")
        too_long = isinstance(stem, str) and len(stem.strip()) > STEM_MAX
        problems.append(Problem("stem", f"题干不能超过 {STEM_MAX} 个字" if too_long else "题干必填"))

    options = raw.get("options")
    if options is None:
        options = []
    options_ok = True
    if kind == "judge":
        if options:
            problems.append(Problem("options", "判断题没有选项（选项须留空）"))
            options_ok = False
        clean["options"] = []
    elif kind in ("single", "multiple"):
        if (
            not isinstance(options, list)
            or not 2 <= len(options) <= MAX_OPTIONS
            or not all(isinstance(o, str) and o.strip() for o in options)
        ):
            problems.append(Problem("options", f"选择题须有 2–{MAX_OPTIONS} 个非空选项"))
            options_ok = False
        elif len({o.strip() for o in options}) != len(options):
            problems.append(Problem("options", "选项内容重复"))
            options_ok = False
        else:
            clean["options"] = [o.strip() for o in options]

    answer = raw.get("answer")
    if answer is None or answer == "" or answer == []:
        problems.append(Problem("answer", "答案必填"))
    elif kind == "judge":
        if not isinstance(answer, bool):
            problems.append(Problem("answer", "判断题答案须为 true 或 false"))
        clean["answer"] = answer
    elif kind == "single":
        if not isinstance(answer, str) or len(answer) != 1 or answer.upper() not in LETTERS:
            problems.append(Problem("answer", '单项选择题答案须为一个字母，如 "B"'))
        elif options_ok and LETTERS.index(answer.upper()) >= len(clean["options"]):
            problems.append(Problem("answer", f"答案 {answer.upper()} 不在选项中（共 {len(clean['options'])} 个选项）"))
        else:
            clean["answer"] = answer.upper()
    elif kind == "multiple":
        if not isinstance(answer, list) or not all(
            isinstance(a, str) and len(a) == 1 and a.upper() in LETTERS for a in answer
        ):
            problems.append(Problem("answer", '多项选择题答案须为字母列表，如 ["A", "C"]'))
        else:
            letters = sorted({a.upper() for a in answer})
            if len(letters) != len(answer) or len(letters) < 2:
                problems.append(Problem("answer", "多项选择题答案须为两个或以上不重复的字母"))
            elif options_ok and any(LETTERS.index(a) >= len(clean["options"]) for a in letters):
                bad = [a for a in letters if LETTERS.index(a) >= len(clean["options"])]
                problems.append(
                    Problem("answer", f"答案 {''.join(bad)} 不在选项中（共 {len(clean['options'])} 个选项）")
                )
            else:
                clean["answer"] = letters

    points = raw.get("points")
    if isinstance(points, float) and points.is_integer():
        points = int(points)
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 100:
        problems.append(Problem("points", "分值须为 1–100 的整数"))
    clean["points"] = points

    level = raw.get("level")
    if level not in standard.level_ids:
        problems.append(Problem("level", f"等级须为 {'、'.join(standard.level_ids)} 之一，收到「{level}」"))
        level = None
    clean["level"] = level

    area = raw.get("area")
    if area not in all_areas(standard):
        problems.append(Problem("area", f"知识领域「{area}」不是本标准理论知识权重表中的行"))
    elif level is not None and area not in standard.theory_weights[level]:
        problems.append(Problem("area", f"知识领域「{area}」不在{level}的理论知识权重表中"))
    clean["area"] = area

    difficulty = raw.get("difficulty", 0.5)
    if difficulty is None:
        difficulty = 0.5
    if isinstance(difficulty, bool) or not isinstance(difficulty, int | float) or not 0 <= difficulty <= 1:
        problems.append(Problem("difficulty", "难度须为 0–1 之间的数（预计答对比例）"))
    else:
        clean["difficulty"] = float(difficulty)

    enemy = raw.get("enemy_group")
    if enemy in (None, ""):
        clean["enemy_group"] = None
    elif isinstance(enemy, str | int) and not isinstance(enemy, bool) and len(str(enemy)) <= 64:
        clean["enemy_group"] = str(enemy).strip()
    else:
        problems.append(Problem("enemy_group", "互斥组须为不超过 64 个字符的文本，或留空"))

    source = raw.get("source") or ""
    if not isinstance(source, str) or len(source) > 200:
        problems.append(Problem("source", "出处须为不超过 200 个字符的文本"))
    clean["source"] = source.strip() if isinstance(source, str) else ""

    for name in unknown:
        problems.append(Problem(name, f"未知字段「{name}」"))
    return (None, problems) if problems else (clean, [])
