"""Readiness rules (pure) at the boundaries of each standard's ratios: 1.9.3, 1.9.4, 1.9.5."""

from __future__ import annotations

import pytest

from app.sessions.readiness import RoomPlan, SessionPlan, check, required_graders, required_proctors
from app.standards.loader import load_standards

STANDARDS = load_standards()
MEMBER = STANDARDS["3-01-01-04"]  # 社团会员管理员: proctors 1:15 min 2, graders 1:10 panel ≥3 odd, stations ≥3
LABOUR = STANDARDS["3-01-04-03"]  # 劳动保障协理员: graders 1:15, no reviewers, no stations rule
COMMUNITY = STANDARDS["590008"]  # 社区治理: states no ratio at all


def plan(
    candidates: int,
    proctors: int = 2,
    graders: list[str | None] | None = None,
    reviewers: int = 0,
    components: tuple[str, ...] = ("theory", "practical"),
    minutes: dict | None = None,
    capacity: int = 100,
    stations: int | None = 3,
    papers: int = 2,
) -> SessionPlan:
    rooms = [RoomPlan("A101", "theory", capacity, None, candidates, proctors)]
    if stations is not None:
        rooms.append(RoomPlan("实操一", "practical", 10, stations, 0, 0))
    return SessionPlan(
        components=list(components),
        minutes=minutes or {"theory": 90, "practical": 90, "review": 60},
        candidates=candidates,
        unseated=0,
        rooms=rooms,
        grader_panels=graders if graders is not None else [None] * 5,
        reviewers=reviewers,
        papers=papers,
        without_paper=0,
    )


def codes(problems: list[dict]) -> list[str]:
    return [p["code"] for p in problems]


@pytest.mark.parametrize(
    ("candidates", "needed"), [(1, 2), (14, 2), (15, 2), (16, 2), (30, 2), (31, 3), (45, 3), (46, 4)]
)
def test_proctors_needed_is_max_of_room_minimum_and_ratio(candidates, needed):
    # 1.9.3 监考人员与考生配比不低于1:15，且每个考场不少于2名监考人员
    rule = MEMBER.assessment.proctors
    assert required_proctors(candidates, rule.candidates_per_proctor, rule.min_per_room) == needed
    ok = check(plan(candidates, proctors=needed, graders=[None] * 5), MEMBER.assessment)
    short = check(plan(candidates, proctors=needed - 1, graders=[None] * 5), MEMBER.assessment)
    assert "proctors_insufficient" not in codes(ok)
    assert "proctors_insufficient" in codes(short)


def test_proctor_message_names_room_counts_and_clause():
    [problem] = [p for p in check(plan(31, proctors=2), MEMBER.assessment) if p["code"] == "proctors_insufficient"]
    assert "A101" in problem["message"] and "31" in problem["message"] and "至少 3 名" in problem["message"]
    assert "1.9.3" in problem["message"]


@pytest.mark.parametrize(("candidates", "needed"), [(10, 1), (11, 2), (30, 3), (31, 4), (50, 5), (51, 6)])
def test_grader_ratio_one_to_ten_for_member_administrator(candidates, needed):
    assert required_graders(candidates, MEMBER.assessment.graders.candidates_per_grader) == needed


@pytest.mark.parametrize(("candidates", "needed"), [(15, 1), (16, 2), (45, 3), (46, 4)])
def test_grader_ratio_one_to_fifteen_for_labour_assistant(candidates, needed):
    # 1.9.3 of 3-01-04-03: 考评人员与考生配比为 1:15
    assert required_graders(candidates, LABOUR.assessment.graders.candidates_per_grader) == needed


def test_thirty_candidates_with_three_graders_ok_thirty_one_short():
    assert "graders_insufficient" not in codes(check(plan(30, graders=[None] * 3), MEMBER.assessment))
    problems = check(plan(31, proctors=3, graders=[None] * 3), MEMBER.assessment)
    assert "graders_insufficient" in codes(problems)


def test_even_panel_and_small_panel_flagged_per_panel():
    problems = check(plan(20, graders=["甲组"] * 4 + ["乙组"] * 2 + ["丙组"] * 3), MEMBER.assessment)
    even = [p["message"] for p in problems if p["code"] == "grader_panel_even"]
    assert len(even) == 2 and "甲组" in even[0] and "乙组" in even[1]  # 乙组: both even and too small
    small = [p["message"] for p in problems if p["code"] == "grader_panel_too_small"]
    assert len(small) == 1 and "乙组" in small[0]
    assert not any("丙组" in p["message"] for p in problems)


def test_no_graders_at_all_is_a_problem():
    assert "grader_panel_missing" in codes(check(plan(5, graders=[]), MEMBER.assessment))


def test_reviewer_panel_only_where_the_level_has_review():
    two = ("theory", "practical", "review")
    assert "reviewer_panel_too_small" in codes(check(plan(5, components=two, reviewers=2), MEMBER.assessment))
    assert "reviewer_panel_even" in codes(check(plan(5, components=two, reviewers=4), MEMBER.assessment))
    assert not codes(check(plan(5, components=two, reviewers=3), MEMBER.assessment))
    # 四级 has no 综合评审: no reviewer needed
    assert not codes(check(plan(5, reviewers=0), MEMBER.assessment))


@pytest.mark.parametrize(("stations", "flagged"), [(2, True), (3, False), (4, False)])
def test_practical_stations_at_least_three(stations, flagged):
    # 1.9.5 各操作技能考核场所考核工位不少于3个
    assert ("stations_insufficient" in codes(check(plan(5, stations=stations), MEMBER.assessment))) is flagged


def test_rules_the_standard_does_not_state_are_not_checked():
    # 3-01-04-03 states no station minimum; 590008 states no ratio at all.
    assert "stations_insufficient" not in codes(check(plan(5, stations=0), LABOUR.assessment))
    bare = check(
        plan(100, proctors=0, graders=[], stations=0, minutes={"theory": 1, "practical": 1}), COMMUNITY.assessment
    )
    assert codes(bare) == []


def test_room_capacity_and_duration():
    problems = check(plan(16, capacity=15), MEMBER.assessment)
    assert "room_over_capacity" in codes(problems)
    assert "room_over_capacity" not in codes(check(plan(15, capacity=15), MEMBER.assessment))
    short = check(plan(5, minutes={"theory": 59, "practical": 40}), MEMBER.assessment)
    assert [p for p in short if p["code"] == "duration_too_short" and "60" in p["message"]]
    assert "duration_too_short" not in codes(check(plan(5, minutes={"theory": 60, "practical": 40}), MEMBER.assessment))
    # 3-01-04-03 asks 90 minutes for both (1.9.4)
    assert "duration_too_short" in codes(check(plan(5, minutes={"theory": 89, "practical": 90}), LABOUR.assessment))


def test_papers_missing():
    assert "papers_missing" in codes(check(plan(5, papers=0), MEMBER.assessment))


def test_a_complete_plan_is_ready():
    assert check(plan(31, proctors=3, graders=[None] * 5), MEMBER.assessment) == []
