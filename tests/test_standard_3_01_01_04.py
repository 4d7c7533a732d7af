"""Pin every number of 社团会员管理员 (3-01-01-04) to the standard's text.

The expected values below were read off the seed text (000_3b93dab59482a3f0.txt) by hand,
independently of the YAML, so a typo in either one makes a test fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.standards.loader import TemplateError, load_standard_file
from app.standards.schema import Standard
from tests.conftest import corrupted_copy

FILE = Path(__file__).resolve().parents[1] / "exam_templates" / "3-01-01-04.yaml"
LEVELS = ["五级", "四级", "三级", "二级", "一级"]


@pytest.fixture(scope="module")
def std() -> Standard:
    return load_standard_file(FILE)


def test_identity(std: Standard) -> None:
    assert std.id == "3-01-01-04"
    assert std.name == "社团会员管理员"
    assert std.kind == "国家职业标准"
    assert std.version == "征求意见稿"
    assert std.source == "000_3b93dab59482a3f0.txt"
    # 1.3
    assert std.definition == "在社会团体中，从事会员资格认定、会员权益维护、会员履行义务监督、会籍管理等工作的人员。"


def test_levels_and_training_hours(std: Standard) -> None:
    # 1.4 and 1.8.1
    assert [(lv.id, lv.title, lv.training_hours) for lv in std.levels] == [
        ("五级", "五级/初级工", 120),
        ("四级", "四级/中级工", 110),
        ("三级", "三级/高级工", 100),
        ("二级", "二级/技师", 90),
        ("一级", "一级/高级技师", 80),
    ]


def test_assessment_rules(std: Standard) -> None:
    a = std.assessment
    assert a.pass_mark == 60  # 1.9.2
    assert a.components == {  # 1.9.2: 综合评审 only for 二级/一级
        "五级": ["theory", "practical"],
        "四级": ["theory", "practical"],
        "三级": ["theory", "practical"],
        "二级": ["theory", "practical", "review"],
        "一级": ["theory", "practical", "review"],
    }
    assert not a.components_derived
    # 1.9.4
    assert (a.min_minutes.theory, a.min_minutes.practical, a.min_minutes.review) == (60, 40, 30)
    # 1.9.3
    assert (a.proctors.candidates_per_proctor, a.proctors.min_per_room) == (15, 2)
    assert (a.graders.candidates_per_grader, a.graders.min_panel, a.graders.odd) == (10, 3, True)
    assert (a.reviewers.min_panel, a.reviewers.odd) == (3, True)
    assert a.min_stations == 3  # 1.9.5
    assert a.clauses == {
        "pass_mark": "1.9.2",
        "components": "1.9.2",
        "methods": "1.9.2",
        "min_minutes": "1.9.4",
        "proctors": "1.9.3",
        "graders": "1.9.3",
        "reviewers": "1.9.3",
        "min_stations": "1.9.5",
        "rooms": "1.9.5",  # 理论知识考试在标准教室或计算机机房进行
    }
    assert a.theory_mode is None  # 1.9.2: 以笔试、机考等方式为主 — no one mode prescribed
    assert set(a.methods) == {"theory", "practical", "review"}
    assert "笔试、机考" in a.methods["theory"]
    assert "现场操作、模拟操作" in a.methods["practical"]
    assert "审阅申报材料、答辩" in a.methods["review"]


# 4.1 理论知识权重表, "-" cells absent
THEORY = {
    "五级": {"职业道德": 5, "基础知识": 25, "宣传讲解": 10, "会员发展": 15, "权益维护": 10, "履职监督": 10, "会籍管理": 10, "会员服务": 15},
    "四级": {"职业道德": 5, "基础知识": 20, "宣传讲解": 10, "会员发展": 15, "权益维护": 10, "履职监督": 10, "会籍管理": 15, "会员服务": 15},
    "三级": {"职业道德": 5, "基础知识": 20, "宣传讲解": 10, "会员发展": 15, "权益维护": 10, "履职监督": 10, "会籍管理": 15, "会员服务": 15},
    "二级": {"职业道德": 5, "基础知识": 15, "会员发展": 15, "权益维护": 10, "履职监督": 10, "会籍管理": 10, "会员服务": 15, "培训指导": 20},
    "一级": {"职业道德": 5, "基础知识": 15, "会员发展": 15, "权益维护": 10, "履职监督": 10, "会籍管理": 10, "会员服务": 15, "培训指导": 20},
}  # fmt: skip
# 4.2 技能要求权重表, "-" cells absent
SKILL = {
    "五级": {"宣传讲解": 15, "会员发展": 25, "权益维护": 15, "履职监督": 10, "会籍管理": 15, "会员服务": 20},
    "四级": {"宣传讲解": 15, "会员发展": 25, "权益维护": 15, "履职监督": 10, "会籍管理": 15, "会员服务": 20},
    "三级": {"宣传讲解": 15, "会员发展": 25, "权益维护": 15, "履职监督": 10, "会籍管理": 15, "会员服务": 20},
    "二级": {"会员发展": 20, "权益维护": 15, "履职监督": 15, "会籍管理": 10, "会员服务": 20, "培训指导": 20},
    "一级": {"会员发展": 20, "权益维护": 15, "履职监督": 15, "会籍管理": 10, "会员服务": 20, "培训指导": 20},
}  # fmt: skip


def test_weights(std: Standard) -> None:
    assert std.weights_source == "standard"
    assert std.theory_weights == THEORY
    assert std.skill_weights == SKILL
    assert list(std.theory_weights) == LEVELS


# (职业功能, 工作内容, 技能要求) counted by hand in 3.1–3.5
COUNTS = {
    "五级": (6, 17, 37),
    "四级": (6, 17, 38),
    "三级": (6, 17, 42),
    "二级": (6, 14, 33),
    "一级": (6, 13, 30),
}


@pytest.mark.parametrize("level", LEVELS)
def test_work_requirement_counts(std: Standard, level: str) -> None:
    functions = std.work_requirements[level]
    contents = [c for f in functions for c in f.contents]
    skills = [r for c in contents for r in c.skills]
    knowledge = [r for c in contents for r in c.knowledge]
    assert (len(functions), len(contents), len(skills)) == COUNTS[level]
    # every 技能要求 of this standard has a 相关知识要求 with the same code
    assert [r.code for r in knowledge] == [r.code for r in skills]
    for f in functions:
        for c in f.contents:
            assert c.code.startswith(f"{f.code}."), (level, f.name, c.code)
            for r in c.skills + c.knowledge:
                assert r.code.startswith(f"{c.code}."), (level, c.name, r.code)
                assert " " not in r.text and r.text, (level, r.code)


def test_function_names_in_order(std: Standard) -> None:
    low = ["宣传讲解", "会员发展", "权益维护", "履职监督", "会籍管理", "会员服务"]
    high = ["会员发展", "权益维护", "履职监督", "会籍管理", "会员服务", "培训指导"]
    for level, names in zip(LEVELS, [low, low, low, high, high], strict=True):
        assert [f.name for f in std.work_requirements[level]] == names
        assert [f.code for f in std.work_requirements[level]] == ["1", "2", "3", "4", "5", "6"]


def _content(std: Standard, level: str, code: str):
    return next(c for f in std.work_requirements[level] for c in f.contents if c.code == code)


def test_verbatim_spot_checks(std: Standard) -> None:
    # 3.1: "保障会员" / "表决权" split across a page break
    c = _content(std, "五级", "3.2")
    assert c.name == "会员权益保障"
    assert c.skills[2].text == "能按照社团章程规定保障会员表决权"
    assert c.knowledge[2].text == "会员表决权保障方法"
    # 3.2
    c = _content(std, "四级", "1.2")
    assert c.skills[2].text == "能编辑网站、公众号文章，拍摄短视频"
    assert c.knowledge[3].text == "社团理事、常务理事所具备的条件和产生办法讲解要点"
    # 3.3: row 4.1 printed above "4. 履职监督" belongs to it
    duty = std.work_requirements["三级"][3]
    assert duty.name == "履职监督"
    assert [c.code for c in duty.contents] == ["4.1", "4.2", "4.3"]
    assert duty.contents[0].name == "会员活动开展"
    # 3.3: knowledge printed "3.1.3" is 5.1.3
    c = _content(std, "三级", "5.1")
    assert [(r.code, r.text) for r in c.knowledge][2] == ("5.1.3", "退会会员证书收缴办法")
    assert _content(std, "三级", "6.1").skills[3].text == "能收集社会团体年检（年报）编写材料"
    # 3.4: 5.2.3 continues after a page break
    c = _content(std, "二级", "5.2")
    assert c.name == "政策服务"
    assert [r.code for r in c.skills] == ["5.2.1", "5.2.2", "5.2.3"]
    assert c.skills[2].text == "能编写社会团体年检（年报）"
    assert _content(std, "二级", "6.1").skills[1].text == "能对五级、四级、三级社团会员管理员进行理论培训"
    # 3.5
    c = _content(std, "一级", "5.3")
    assert c.skills[2].text == "能向社团的决策机构提出处罚建议"
    assert c.knowledge[2].text == "提出处罚建议的途径和方式"


def test_basic_requirements(std: Standard) -> None:
    b = std.basic_requirements
    assert b is not None
    assert (b.clause, b.ethics_title) == ("2", "职业道德")
    # 2.1.2 职业守则
    assert b.code_of_conduct == [
        "尊重会员，友善热忱。",
        "廉洁自律，遵章守信。",
        "公平公正，保护隐私。",
        "自信自立，乐于助人。",
    ]
    # 2.2.1–2.2.7 with their item counts
    assert [(t.code, t.title, len(t.items)) for t in b.basic_knowledge] == [
        ("2.2.1", "社会团体发展概况", 3),
        ("2.2.2", "社团管理基础知识", 6),
        ("2.2.3", "社团服务基本知识", 5),
        ("2.2.4", "会员专项服务基础知识", 4),
        ("2.2.5", "信息技术应用常识", 5),
        ("2.2.6", "档案管理基础知识", 3),
        ("2.2.7", "相关法律、法规知识", 5),
    ]
    assert b.basic_knowledge[1].items[4] == "社会团体年检（年报）知识。"
    assert b.basic_knowledge[6].items[4] == "《社会团体登记管理条例》相关知识。"


def test_weights_not_adding_up_is_rejected(tmp_path: Path) -> None:
    # 五级 基础知识 25 -> 20: the 4.1 column adds up to 95
    bad = corrupted_copy(FILE, tmp_path, "基础知识: 25", "基础知识: 20")
    with pytest.raises(TemplateError) as err:
        load_standard_file(bad)
    message = str(err.value)
    assert message.startswith("3-01-01-04.yaml:")
    assert "theory_weights.五级" in message
    assert "95" in message


def test_non_numeric_training_hours_is_rejected(tmp_path: Path) -> None:
    bad = corrupted_copy(FILE, tmp_path, "training_hours: 110", 'training_hours: "abc"')
    with pytest.raises(TemplateError) as err:
        load_standard_file(bad)
    message = str(err.value)
    assert message.startswith("3-01-01-04.yaml:")
    assert "levels[1].training_hours" in message
