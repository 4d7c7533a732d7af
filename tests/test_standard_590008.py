"""Pin 社区治理 职业技能等级标准 (590008) to its text, and its derived weight tables.

The expected values below were read off the seed text (003_5085f954945c3043.txt) by hand,
independently of the YAML. The standard prints no 权重表: the tables are derived by
``scoring.weights.derive_weights`` and both the rule and its numbers are pinned here.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from app.standards.loader import load_standard_file
from app.standards.schema import Standard
from scoring.weights import count_skills, derive_level_weights, derive_weights

FILE = Path(__file__).resolve().parents[1] / "exam_templates" / "590008.yaml"
LEVELS = ["初级", "中级", "高级"]
AREAS = ["政务管理", "居（村）务治理", "社区服务"]


@pytest.fixture(scope="module")
def std() -> Standard:
    return load_standard_file(FILE)


def test_identity(std: Standard) -> None:
    assert std.id == "590008"
    assert std.name == "社区治理"
    assert std.kind == "职业技能等级标准"
    assert std.version == "2021年2.0版"
    assert std.source == "003_5085f954945c3043.txt"
    # 3.2
    assert std.definition == (
        "以城乡社区组织为基础力量，组织提供公共服务、便民利民服务以及志愿服务，进行资源链接，并开展事务管理的系列活动的统称。"
    )


def test_levels_have_no_training_hours(std: Standard) -> None:
    # 6.1: 初级、中级、高级; the text gives no hours
    assert [(lv.id, lv.title, lv.training_hours) for lv in std.levels] == [
        ("初级", "初级", None),
        ("中级", "中级", None),
        ("高级", "高级", None),
    ]


def test_no_application_conditions_and_no_basic_requirements(std: Standard) -> None:
    assert std.eligibility == {}
    assert std.related_occupations == []
    assert std.related_majors == []
    assert std.basic_requirements is None


def test_assessment_states_nothing(std: Standard) -> None:
    a = std.assessment
    # no pass mark in the text: the platform's 60 (the national standards' 1.9.2), marked derived (issue 24 item 6)
    assert a.pass_mark == 60 and a.pass_mark_derived is True
    assert a.components == {lv: ["theory", "practical"] for lv in LEVELS}
    assert a.components_derived is True
    assert (a.min_minutes.theory, a.min_minutes.practical, a.min_minutes.review) == (None, None, None)
    assert (a.proctors, a.graders, a.reviewers, a.min_stations) == (None, None, None, None)


def test_applicable_majors(std: Standard) -> None:
    # 4.1 / 4.2: (catalog, school type, number of majors)
    assert [(m.catalog, m.school_type, len(m.majors)) for m in std.applicable_majors] == [
        ("原版专业目录", "中等职业学校", 7),
        ("原版专业目录", "高等职业学校", 10),
        ("原版专业目录", "应用型本科学校", 9),
        ("新版职业教育专业目录", "中等职业学校", 10),
        ("新版职业教育专业目录", "高等职业学校", 12),
        ("新版职业教育专业目录", "应用型本科学校", 9),
        ("新版职业教育专业目录", "高等职业教育本科学校", 8),
    ]
    old_mid, old_high, old_bachelor, new_mid, new_high, new_bachelor, new_vocational_bachelor = std.applicable_majors
    assert old_mid.majors == [
        "社会工作", "社区公共事务管理", "老年服务与管理", "家政服务与管理", "智能养老服务", "民政服务与管理", "社会福利事业管理",
    ]  # fmt: skip
    assert old_high.majors[-1] == "劳动与社会保障"
    assert old_bachelor.majors == new_bachelor.majors
    assert old_bachelor.majors[1] == "老服务管理"  # as printed
    # "现代家政服务与管理老年人服务与管理" is printed without a separator: two majors
    assert new_mid.majors[7:] == ["现代家政服务与管理", "老年人服务与管理", "智慧健康养老服务"]
    assert new_high.majors[:3] == ["社会工作", "党务工作", "社区管理与服务"]
    assert new_vocational_bachelor.majors == [
        "社会工作", "党务工作", "智慧社区管理", "民政管理", "行政管理", "现代家政管理", "智慧健康养老管理", "现代物业管理",
    ]  # fmt: skip


# 职业技能要求 per 工作任务, counted by hand in 表1–表3 (1.1 … 3.5 in printed order)
SKILLS_PER_TASK = {
    "初级": [4, 4, 4, 4, 4, 4, 4, 3, 4, 4, 4],
    "中级": [4, 4, 4, 4, 4, 4, 4, 4, 5, 4, 4],
    "高级": [4, 4, 4, 4, 4, 4, 5, 4, 5, 6, 4],
}
SKILLS_PER_AREA = {
    "初级": {"政务管理": 12, "居（村）务治理": 12, "社区服务": 19},
    "中级": {"政务管理": 12, "居（村）务治理": 12, "社区服务": 21},
    "高级": {"政务管理": 12, "居（村）务治理": 12, "社区服务": 24},
}
TOTAL_SKILLS = {"初级": 43, "中级": 45, "高级": 48}
TASKS = {
    "初级": [
        ["政情咨询与宣传", "政务办理与协调", "政信搜集与上报"],
        ["民主选举", "民主决策", "居（村）务公开"],
        ["志愿服务", "便民利民服务", "服务开展", "组织培育", "资源链接"],
    ],
}
TASKS["中级"] = [TASKS["初级"][0], ["民主选举", "议事决策与社区协商", "居（村）务公开与民主监督"], TASKS["初级"][2]]
TASKS["高级"] = [TASKS["初级"][0], ["民主选举", "议事决策", "居（村）务公开"], TASKS["初级"][2]]


@pytest.mark.parametrize("level", LEVELS)
def test_work_requirement_counts(std: Standard, level: str) -> None:
    areas = std.work_requirements[level]
    tasks = [t for a in areas for t in a.contents]
    assert [a.name for a in areas] == AREAS
    assert [a.code for a in areas] == ["1", "2", "3"]
    assert [[t.name for t in a.contents] for a in areas] == TASKS[level]
    assert len(tasks) == 11
    assert [len(t.skills) for t in tasks] == SKILLS_PER_TASK[level]
    assert sum(len(t.skills) for t in tasks) == TOTAL_SKILLS[level]
    assert count_skills(areas) == SKILLS_PER_AREA[level]
    # no separate knowledge requirements in this standard
    assert all(t.knowledge == [] for t in tasks)
    for a in areas:
        for t in a.contents:
            assert t.code.startswith(f"{a.code}.")
            for r in t.skills:
                assert r.code.startswith(f"{t.code}."), (level, r.code)
                assert r.text.endswith("。") and " " not in r.text and "<p>" not in r.text, (level, r.code)


def _task(std: Standard, level: str, code: str):
    return next(t for a in std.work_requirements[level] for t in a.contents if t.code == code)


def test_printed_quirks(std: Standard) -> None:
    # 表1 3.2 prints 3.2.1, 3.2.2, 3.2.4 — kept as printed
    assert [r.code for r in _task(std, "初级", "3.2").skills] == ["3.2.1", "3.2.2", "3.2.4"]
    # 表1 3.3 prints 2.3.1…2.3.4 — normalized
    task = _task(std, "初级", "3.3")
    assert [r.code for r in task.skills] == ["3.3.1", "3.3.2", "3.3.3", "3.3.4"]
    assert task.skills[0].text == "了解需求调查的规范要求，能进行社区及其居（村）民需求调查。"
    # 表1 2.3 keeps its own 2.3.x
    assert _task(std, "初级", "2.3").skills[0].text == "了解居（村）务公开的工作要求，能向居（村）民讲解相关规定。"


def test_verbatim_spot_checks(std: Standard) -> None:
    assert _task(std, "初级", "1.1").skills[0].text == "了解社区区情民意，能初步掌握居民的政策需求。"
    assert (
        _task(std, "初级", "2.2").skills[3].text == "了解居（村）民（代表）会议等的基本方法，能解决会议中的基本问题。"
    )
    assert _task(std, "初级", "3.5").skills[3].text == (
        "了解社区资源管理的方法，能联系社区内或周边单位向社区居民开放文化、教育、体育等活动设施。"
    )
    assert _task(std, "中级", "1.2").skills[3].text == (
        "培养积极的工作作风，保有高度的政治站位，能主动搜集、发现突出问题，并做分析认定。"
    )
    assert (
        _task(std, "中级", "2.3").skills[3].text == "熟悉居（村）务公开、民主监督意见反馈的相关办法，能处理一般性问题。"
    )
    assert _task(std, "中级", "3.3").skills[4].text == "熟悉成效评估知识，能开展效果评估。"
    # 表3 2.3.3 continues after a page break
    assert _task(std, "高级", "2.3").skills[2].text == (
        "掌握居（村）务公开的渠道方法，能使用传统和现代相结合的方法进行居（村）务公开。"
    )
    assert _task(std, "高级", "3.4").skills[5].text == "掌握资源链接的方法，能整合社区内外资源助推社区社会组织发展。"


# The derived tables: 初级 12/12/19 of 43 → 27.9/27.9/44.2; 中级 12/12/21 of 45 → 26.7/26.7/46.7
# (equal remainders: the earlier areas get the points); 高级 12/12/24 of 48 → 25/25/50.
DERIVED = {
    "初级": {"政务管理": 28, "居（村）务治理": 28, "社区服务": 44},
    "中级": {"政务管理": 27, "居（村）务治理": 27, "社区服务": 46},
    "高级": {"政务管理": 25, "居（村）务治理": 25, "社区服务": 50},
}


def test_derived_weights_pinned(std: Standard) -> None:
    assert std.weights_source == "derived"
    assert std.skill_weights == DERIVED
    # no separate knowledge requirements and no 基本要求: the theory table is the same derivation
    assert std.theory_weights == DERIVED
    assert "最大余数" in std.weights_note and "职业技能要求" in std.weights_note


def test_derived_weights_follow_the_rule(std: Standard) -> None:
    derived = derive_level_weights(std.work_requirements)
    assert derived == std.skill_weights == std.theory_weights
    for level in LEVELS:
        assert derive_weights(SKILLS_PER_AREA[level]) == DERIVED[level]
        assert list(std.skill_weights[level]) == AREAS


# derive_weights on its own


def test_derive_weights_largest_remainder() -> None:
    # 100/3 = 33.3 each: naive rounding gives 99; the missing point goes to the first (tie)
    assert derive_weights({"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    # 33.3 / 66.7: the larger remainder wins even though it comes later
    assert derive_weights({"a": 1, "b": 2}) == {"a": 33, "b": 67}
    # 7 / 3 of 10 → 70 / 30 exactly, nothing to distribute
    assert derive_weights({"x": 7, "y": 3}) == {"x": 70, "y": 30}
    # 16.67 × 6: four missing points to the first four of six equal remainders
    assert derive_weights(dict.fromkeys("abcdef", 1)) == {"a": 17, "b": 17, "c": 17, "d": 17, "e": 16, "f": 16}
    # 1/7, 2/7, 4/7 → 14.29, 28.57, 57.14: floors 14 28 57 = 99, remainder .57 (b) is largest
    assert derive_weights({"a": 1, "b": 2, "c": 4}) == {"a": 14, "b": 29, "c": 57}


def test_derive_weights_ties_follow_input_order() -> None:
    assert derive_weights({"c": 1, "b": 1, "a": 1}) == {"c": 34, "b": 33, "a": 33}
    assert list(derive_weights({"z": 2, "y": 1})) == ["z", "y"]


def test_derive_weights_always_sums_to_100() -> None:
    rng = random.Random(590008)
    for _ in range(300):
        counts = {f"area{i}": rng.randint(1, 40) for i in range(rng.randint(1, 9))}
        weights = derive_weights(counts)
        assert sum(weights.values()) == 100
        grand = sum(counts.values())
        for name, count in counts.items():
            quota = count * 100 / grand
            assert quota - 1 < weights[name] < quota + 1


@pytest.mark.parametrize(
    "counts",
    [{}, {"a": 0}, {"a": 3, "b": -1}, {"a": 1.5}, {"a": True}, {"a": "3"}],
)
def test_derive_weights_rejects_bad_counts(counts: dict) -> None:
    with pytest.raises(ValueError, match="counts"):
        derive_weights(counts)
