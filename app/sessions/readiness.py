"""Readiness of a session against its standard's assessment rules — pure, no Flask, no database.

Every number comes from the standard (``Standard.assessment``): clause 1.9.3 (staff ratios),
1.9.4 (durations) and 1.9.5 (stations). A rule the standard does not state (``None``, e.g. all of
590008's, or 3-01-04-03's reviewers and stations) is not checked: the platform never invents one.
Problems are warnings for the center, not locks (api-contract: Sessions).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from app.standards.schema import Assessment

COMPONENT_NAMES = {"theory": "理论知识考试", "practical": "操作技能考核", "review": "综合评审"}


@dataclass(frozen=True)
class RoomPlan:
    name: str
    kind: str  # theory | practical
    capacity: int
    stations: int | None
    candidates: int  # seated in this room
    proctors: int  # proctors assigned to this room


@dataclass(frozen=True)
class SessionPlan:
    components: list[str]  # the level's components, e.g. ["theory", "practical", "review"]
    minutes: dict[str, int | None]  # component -> minutes planned
    candidates: int
    unseated: int  # enrolled candidates with no room
    rooms: list[RoomPlan]
    grader_panels: list[str | None]  # one entry per grader: its panel name (None = the unnamed panel)
    reviewers: int
    papers: int  # forms assembled
    without_paper: int  # enrolled candidates with no form assigned
    clause: dict[str, str] = field(default_factory=dict)  # rule -> clause of the standard


def _clause(plan: SessionPlan, rule: str, default: str) -> str:
    return plan.clause.get(rule, default)


def required_proctors(candidates: int, candidates_per_proctor: int, min_per_room: int) -> int:
    """1.9.3: 监考人员与考生配比不低于 1:15，且每个考场不少于 2 名监考人员."""
    return max(min_per_room, math.ceil(candidates / candidates_per_proctor))


def required_graders(candidates: int, candidates_per_grader: int) -> int:
    """1.9.3: 考评人员与考生配比不低于 1:10 (3-01-01-04) / 1:15 (3-01-04-03)."""
    return math.ceil(candidates / candidates_per_grader)


def check(plan: SessionPlan, rules: Assessment) -> list[dict]:
    """Every problem as {"code", "message"} (message in Chinese, naming the room/panel and the clause)."""
    problems: list[dict] = []

    def add(code: str, message: str) -> None:
        problems.append({"code": code, "message": message})

    if plan.candidates == 0:
        add("no_candidates", "尚未报名任何考生")
    if plan.unseated:
        add("candidates_unseated", f"{plan.unseated} 名考生尚未安排考场和座位")

    # 1.9.4 评价时长: each component the level has, against the minimum the standard states.
    for component in plan.components:
        minimum = getattr(rules.min_minutes, component, None)
        planned = plan.minutes.get(component)
        if minimum is None:
            continue
        if planned is None or planned < minimum:
            add(
                "duration_too_short",
                f"{COMPONENT_NAMES[component]}时长 {planned if planned is not None else '未填写'} 分钟，"
                f"少于标准规定的 {minimum} 分钟（{_clause(plan, 'min_minutes', '1.9.4')}）",
            )

    for room in plan.rooms:
        if room.candidates > room.capacity:
            add(
                "room_over_capacity",
                f"考场「{room.name}」安排了 {room.candidates} 名考生，超过容量 {room.capacity} 人",
            )

    # 1.9.3 proctors in every theory room that has candidates.
    if "theory" in plan.components and rules.proctors is not None:
        ratio = rules.proctors
        if not any(r.kind == "theory" for r in plan.rooms) and plan.candidates:
            add("theory_room_missing", "尚未设置理论考场")
        for room in plan.rooms:
            if room.kind != "theory" or room.candidates == 0:
                continue
            need = required_proctors(room.candidates, ratio.candidates_per_proctor, ratio.min_per_room)
            if room.proctors < need:
                add(
                    "proctors_insufficient",
                    f"考场「{room.name}」有 {room.candidates} 名考生，需监考人员至少 {need} 名"
                    f"（配比 1:{ratio.candidates_per_proctor}，且每考场不少于 {ratio.min_per_room} 名，"
                    f"{_clause(plan, 'proctors', '1.9.3')}），现有 {room.proctors} 名",
                )

    # 1.9.3 graders: overall ratio, and every panel an odd number of at least min_panel.
    if "practical" in plan.components and rules.graders is not None:
        rule = rules.graders
        clause = _clause(plan, "graders", "1.9.3")
        total = len(plan.grader_panels)
        need = required_graders(plan.candidates, rule.candidates_per_grader)
        if total < need:
            add(
                "graders_insufficient",
                f"{plan.candidates} 名考生需考评人员至少 {need} 名（配比 1:{rule.candidates_per_grader}，{clause}），"
                f"现有 {total} 名",
            )
        if total == 0:
            add("grader_panel_missing", f"尚未安排考评人员（考评小组须为 {rule.min_panel} 人以上单数，{clause}）")
        for panel, size in Counter(plan.grader_panels).items():
            label = f"考评小组「{panel}」" if panel else "考评小组"
            if size < rule.min_panel:
                add(
                    "grader_panel_too_small",
                    f"{label}只有 {size} 人，须不少于 {rule.min_panel} 人（{clause}）",
                )
            if rule.odd and size % 2 == 0:
                add("grader_panel_even", f"{label}有 {size} 人，须为单数（{clause}）")

    # 1.9.3 综合评审委员为3人以上单数 — only where the level has review and the standard states it.
    if "review" in plan.components and rules.reviewers is not None:
        rule = rules.reviewers
        clause = _clause(plan, "reviewers", "1.9.3")
        if plan.reviewers < rule.min_panel:
            add(
                "reviewer_panel_too_small",
                f"综合评审委员 {plan.reviewers} 人，须不少于 {rule.min_panel} 人（{clause}）",
            )
        elif rule.odd and plan.reviewers % 2 == 0:
            add("reviewer_panel_even", f"综合评审委员 {plan.reviewers} 人，须为单数（{clause}）")

    # 1.9.5 各操作技能考核场所考核工位不少于3个.
    if "practical" in plan.components and rules.min_stations is not None:
        # No practical venue at all is 0 stations, not a vacuous pass: the session would read
        # "ready" with nowhere to hold 操作技能考核.
        if not any(r.kind == "practical" for r in plan.rooms):
            add(
                "practical_room_missing",
                f"尚未设置操作技能考核场所（考核工位须不少于 {rules.min_stations} 个，"
                f"{_clause(plan, 'min_stations', '1.9.5')}）",
            )
        for room in plan.rooms:
            if room.kind == "practical" and (room.stations or 0) < rules.min_stations:
                add(
                    "stations_insufficient",
                    f"操作技能考核场所「{room.name}」考核工位 {room.stations or 0} 个，"
                    f"须不少于 {rules.min_stations} 个（{_clause(plan, 'min_stations', '1.9.5')}）",
                )

    if "theory" in plan.components:
        if plan.papers == 0:
            add("papers_missing", "尚未组卷：请先为本批次组卷并分配试卷")
        elif plan.without_paper:
            add("papers_unassigned", f"{plan.without_paper} 名考生尚未分配试卷")
    return problems
