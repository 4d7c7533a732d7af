"""Readiness of a session against its standard's assessment rules — pure, no Flask, no database.

Every number comes from the standard (``Standard.assessment``): clause 1.9.3 (staff ratios),
1.9.4 (durations) and 1.9.5 (stations). The rules common to every session live here; each
component's own (proctors and papers, graders and stations, reviewers) is its registry entry's
``readiness`` (``app.assessment``). A rule the standard does not state (``None``, e.g. all of
590008's, or 3-01-04-03's reviewers and stations) is not checked: the platform never invents one.
Problems are warnings for the center, not locks (api-contract: Sessions).
"""

from __future__ import annotations

import math

from app import assessment
from app.assessment.plan import RoomPlan, SessionPlan  # noqa: F401  (RoomPlan: named here by plan_of)
from app.standards.schema import Assessment


def clause_of(plan: SessionPlan, rule: str, default: str) -> str:
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
    for key in plan.components:
        component = assessment.get(key)
        minimum = component.min_minutes(rules)
        planned = plan.minutes.get(key)
        if minimum is None:
            continue
        if planned is None or planned < minimum:
            add(
                "duration_too_short",
                f"{component.label}时长 {planned if planned is not None else '未填写'} 分钟，"
                f"少于标准规定的 {minimum} 分钟（{clause_of(plan, 'min_minutes', '1.9.4')}）",
            )

    for room in plan.rooms:
        if room.candidates > room.capacity:
            add(
                "room_over_capacity",
                f"考场「{room.name}」安排了 {room.candidates} 名考生，超过容量 {room.capacity} 人",
            )

    # Each component's own rules (proctors and papers, graders and stations, reviewers).
    for key in plan.components:
        problems.extend(assessment.get(key).readiness(plan, rules))
    return problems
