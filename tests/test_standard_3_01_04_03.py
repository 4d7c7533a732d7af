"""Pin every number of 劳动保障协理员 (3-01-04-03) to the standard's text.

The expected values below were read off the seed text (001_bbd8ccd300d7b8e8.txt) by hand,
independently of the YAML, so a typo in either one makes a test fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.standards.loader import TemplateError, load_standard_file
from app.standards.schema import Standard
from tests.conftest import corrupted_copy

FILE = Path(__file__).resolve().parents[1] / "exam_templates" / "3-01-04-03.yaml"
LEVELS = ["五级", "四级", "三级"]
FUNCTIONS = ["基层平台信息管理", "就业创业服务", "社会保险服务", "退休人员社会化服务", "劳动关系协调和维权"]


@pytest.fixture(scope="module")
def std() -> Standard:
    return load_standard_file(FILE)


def test_identity(std: Standard) -> None:
    assert std.id == "3-01-04-03"
    assert std.name == "劳动保障协理员"
    assert std.kind == "国家职业技能标准"
    assert std.version == "2022年版"
    assert std.source == "001_bbd8ccd300d7b8e8.txt"
    # 1.3
    assert std.definition == "在街道（乡镇）、社区（行政村）基层从事劳动就业、社会保障等公共服务工作的人员。"


def test_levels_and_training_hours(std: Standard) -> None:
    # 1.4 and 1.8
    assert [(lv.id, lv.title, lv.training_hours) for lv in std.levels] == [
        ("五级", "五级/初级工", 30),
        ("四级", "四级/中级工", 80),
        ("三级", "三级/高级工", 80),
    ]


def test_assessment_rules(std: Standard) -> None:
    a = std.assessment
    assert a.pass_mark == 60  # 1.9.2
    # 1.9.2: 理论知识考试和技能考核 for every level, no 综合评审
    assert a.components == {lv: ["theory", "practical"] for lv in LEVELS}
    assert not a.components_derived
    # 1.9.4: 不少于 90min each
    assert (a.min_minutes.theory, a.min_minutes.practical, a.min_minutes.review) == (90, 90, None)
    # 1.9.3: 1 : 15, 每个考场不少于 2 名; 1 : 15, 3 人（含）以上单数
    assert (a.proctors.candidates_per_proctor, a.proctors.min_per_room) == (15, 2)
    assert (a.graders.candidates_per_grader, a.graders.min_panel, a.graders.odd) == (15, 3, True)
    assert a.reviewers is None
    assert a.min_stations is None  # 1.9.5 names no station count
    assert a.clauses == {
        "pass_mark": "1.9.2",
        "components": "1.9.2",
        "methods": "1.9.2",
        "min_minutes": "1.9.4",
        "proctors": "1.9.3",
        "graders": "1.9.3",
        "reviewers": "1.9.2",
        "min_stations": "1.9.5",
        "theory_mode": "1.9.2",
        "rooms": "1.9.5",
    }
    # 1.9.2: 理论知识考试为书面笔答闭卷考试 — the session page proposes a paper sitting
    assert a.theory_mode == "paper"
    assert a.methods == {
        "theory": "理论知识考试为书面笔答闭卷考试，主要考核从业人员从事本职业应掌握的基本要求和相关知识",
        "practical": "技能考核采取现场问答、现场操作、模拟操作等方式，并与书面笔答相结合进行，"
        "主要考核从业人员从事本职业应具备的技能水平",
    }


# 4.1 理论知识权重表
THEORY = {
    "五级": {"职业道德和职业素养": 10, "基础知识": 25, "基层平台信息管理": 15, "就业创业服务": 15, "社会保险服务": 15, "退休人员社会化服务": 10, "劳动关系协调和维权": 10},
    "四级": {"职业道德和职业素养": 10, "基础知识": 25, "基层平台信息管理": 15, "就业创业服务": 15, "社会保险服务": 15, "退休人员社会化服务": 10, "劳动关系协调和维权": 10},
    "三级": {"职业道德和职业素养": 10, "基础知识": 25, "基层平台信息管理": 10, "就业创业服务": 20, "社会保险服务": 15, "退休人员社会化服务": 10, "劳动关系协调和维权": 10},
}  # fmt: skip
# 4.2 技能要求权重表
SKILL = {
    "五级": {"基层平台信息管理": 25, "就业创业服务": 30, "社会保险服务": 20, "退休人员社会化服务": 15, "劳动关系协调和维权": 10},
    "四级": {"基层平台信息管理": 25, "就业创业服务": 30, "社会保险服务": 20, "退休人员社会化服务": 15, "劳动关系协调和维权": 10},
    "三级": {"基层平台信息管理": 20, "就业创业服务": 35, "社会保险服务": 20, "退休人员社会化服务": 15, "劳动关系协调和维权": 10},
}  # fmt: skip


def test_weights(std: Standard) -> None:
    assert std.weights_source == "standard"
    assert std.theory_weights == THEORY
    assert std.skill_weights == SKILL
    assert list(std.theory_weights) == LEVELS
    for level in LEVELS:
        assert list(std.theory_weights[level]) == ["职业道德和职业素养", "基础知识", *FUNCTIONS]
        assert list(std.skill_weights[level]) == FUNCTIONS


# (职业功能, 工作内容, 技能要求, 相关知识要求) counted by hand in 3.1–3.3
COUNTS = {
    "五级": (5, 16, 41, 38),
    "四级": (5, 16, 65, 72),
    "三级": (5, 16, 61, 64),
}
# 技能要求 and 相关知识要求 per 职业功能, in the order of FUNCTIONS
SKILLS_PER_FUNCTION = {"五级": [10, 13, 9, 5, 4], "四级": [12, 22, 14, 10, 7], "三级": [11, 20, 13, 10, 7]}
KNOWLEDGE_PER_FUNCTION = {"五级": [10, 14, 6, 4, 4], "四级": [17, 22, 14, 11, 8], "三级": [17, 21, 10, 8, 8]}
# 工作内容 names per 职业功能 (三级 renames 2.3 and 2.4)
CONTENTS = {
    "五级": [
        ["信息采集", "信息处理", "信息应用"],
        ["政策咨询服务", "职业介绍服务", "职业培训服务", "创业服务", "就业援助服务"],
        ["养老保险服务", "失业保险服务", "工伤保险服务", "医疗保险服务"],
        ["退休人员政策法规咨询服务", "退休人员社会化管理服务"],
        ["劳动争议调解仲裁服务", "劳动保障监察服务"],
    ],
}
CONTENTS["四级"] = CONTENTS["五级"]
CONTENTS["三级"] = [
    CONTENTS["五级"][0],
    ["政策咨询服务", "职业介绍服务", "职业培训指导服务", "创业指导服务", "就业援助服务"],
    *CONTENTS["五级"][2:],
]


@pytest.mark.parametrize("level", LEVELS)
def test_work_requirement_counts(std: Standard, level: str) -> None:
    functions = std.work_requirements[level]
    contents = [c for f in functions for c in f.contents]
    skills = [r for c in contents for r in c.skills]
    knowledge = [r for c in contents for r in c.knowledge]
    assert (len(functions), len(contents), len(skills), len(knowledge)) == COUNTS[level]
    assert [sum(len(c.skills) for c in f.contents) for f in functions] == SKILLS_PER_FUNCTION[level]
    assert [sum(len(c.knowledge) for c in f.contents) for f in functions] == KNOWLEDGE_PER_FUNCTION[level]


@pytest.mark.parametrize("level", LEVELS)
def test_structure_and_codes(std: Standard, level: str) -> None:
    functions = std.work_requirements[level]
    assert [f.name for f in functions] == FUNCTIONS
    assert [f.code for f in functions] == ["1", "2", "3", "4", "5"]
    assert [[c.name for c in f.contents] for f in functions] == CONTENTS[level]
    for f in functions:
        assert [c.code for c in f.contents] == [f"{f.code}.{i}" for i in range(1, len(f.contents) + 1)]
        for c in f.contents:
            # numbered 1..n within their 工作内容 (the two 四级 typos are normalized)
            for column in (c.skills, c.knowledge):
                assert [r.code for r in column] == [f"{c.code}.{i}" for i in range(1, len(column) + 1)]
                for r in column:
                    assert r.text, (level, r.code)
                    assert "<p>" not in r.text and "^" not in r.text and "①" not in r.text, (level, r.code)
                    # no layout spaces left inside Chinese words
                    assert not re.search(r"[\u4e00-\u9fff，、] [\u4e00-\u9fff，、]", r.text), (level, r.code)


def _content(std: Standard, level: str, code: str):
    return next(c for f in std.work_requirements[level] for c in f.contents if c.code == code)


def test_verbatim_spot_checks(std: Standard) -> None:
    # 3.1: first row of the table
    c = _content(std, "五级", "1.1")
    assert c.skills[0].text == "能认定失业人员、就业创业人员、退休人员等服务对象"
    assert c.knowledge[3].text == "协助采集信息工作常识"
    # 3.1: 养老保险服务 prints no 相关知识要求 column
    c = _content(std, "五级", "3.1")
    assert [r.text for r in c.skills] == [
        "能将服务对象有关信息录入信息系统",
        "能为服务对象提供一般性查询服务和简单咨询服务",
        "能帮助服务对象办理社会保障卡",
    ]
    assert c.knowledge == []
    # 3.1: garbled rows 3.2–3.4
    c = _content(std, "五级", "3.4")
    assert c.name == "医疗保险服务"
    assert c.knowledge[1].text == "医疗保险信息系统的操作要领和医保电子凭证有关知识"
    # 3.1: "4. 退休 人员 社会 化服 务" without the layout's spaces
    c = _content(std, "五级", "4.2")
    assert c.skills[2].text == "能收集、整理老年护理服务和社会养老机构信息"
    assert c.knowledge[1].text == "老年护理服务机构和社会养老机构的常识"
    assert _content(std, "五级", "5.2").knowledge[1].text == "劳动保障监察网格化管理的常识"
    # 3.2: printed "3.2.2" / "3.3.2" under 3.1 / 3.2
    assert (_content(std, "四级", "3.1").knowledge[1].code, _content(std, "四级", "3.1").knowledge[1].text) == (
        "3.1.2",
        "城镇职工养老保险及城乡居民养老保险经办业务程序",
    )
    assert [(r.code, r.text) for r in _content(std, "四级", "3.2").knowledge] == [
        ("3.2.1", "失业保险的概念、特征、领取条件、待遇标准"),
        ("3.2.2", "失业保险业务经办程序"),
    ]
    # 3.2: footnote ① is not part of the requirement; 2.1.5 keeps its printed comma
    c = _content(std, "四级", "2.2")
    assert c.skills[5].text == "能介绍就业通用能力的内容和意义"
    assert _content(std, "四级", "2.1").skills[4].text == "能及时反映和报告，政策落实中的情况和问题"
    # 3.2: 4.2.7 continues after a page break
    assert _content(std, "四级", "4.2").skills[6].text == "能协助死亡退休人员家属申领丧葬补助金和遗属津贴的相关手续"
    # 3.3: 2.1.3 continues after a page break
    c = _content(std, "三级", "2.1")
    assert c.skills[2].text == "能帮助服务对象协调解决在申请享受政策中遇到的问题"
    assert c.knowledge[2].text == "对国家和地方就业政策的把握和应用"
    # 3.3: the space around "Excel" is the standard's own
    assert _content(std, "三级", "1.2").knowledge[4].text == "利用 Excel 等软件工具进行数据日常动态管理的方法"
    assert _content(std, "三级", "5.2").knowledge[3].text == "劳务派遣、集体合同和非全日制用工的规定"


def test_basic_requirements(std: Standard) -> None:
    b = std.basic_requirements
    assert b is not None
    assert (b.clause, b.ethics_title) == ("2", "职业道德和职业素养")
    # 2.1.2 职业守则
    assert b.code_of_conduct == [
        "熟知法律法规，认真贯彻执行。",
        "掌握岗位业务，胜任岗位工作。",
        "恪守职业道德，爱岗敬业创新。",
        "坚持以人为本，提供优质服务。",
    ]
    # 2.1.3 职业素养
    assert b.professional_qualities == [
        "基层劳动保障助理员的职业素质。",
        "基层劳动保障助理员的通用能力。",
        "基层平台窗口的服务行为规范。",
    ]
    # 2.2.1–2.2.9 with their item counts
    assert [(t.code, t.title, len(t.items)) for t in b.basic_knowledge] == [
        ("2.2.1", "基层平台工作的基本知识", 3),
        ("2.2.2", "劳动就业的基本知识", 6),
        ("2.2.3", "社会调查与统计的基本知识", 3),
        ("2.2.4", "社会保险的基本知识", 2),
        ("2.2.5", "退休人员社会化管理的基本知识", 3),
        ("2.2.6", "劳动关系协调和维权基本知识", 3),
        ("2.2.7", "计算机及信息网络应用的基本知识", 2),
        ("2.2.8", "相关主要政策要点", 4),
        ("2.2.9", "相关法律、法规知识", 6),
    ]
    assert b.basic_knowledge[1].items[3] == "实现更加充分更高质量就业的内涵。"
    assert b.basic_knowledge[8].items[5] == "《劳动保障监察条例》相关知识。"


def test_skill_weights_not_adding_up_is_rejected(tmp_path: Path) -> None:
    # 三级 就业创业服务 35 -> 30: the 4.2 column adds up to 95
    bad = corrupted_copy(FILE, tmp_path, "就业创业服务: 35", "就业创业服务: 30")
    with pytest.raises(TemplateError) as err:
        load_standard_file(bad)
    message = str(err.value)
    assert message.startswith("3-01-04-03.yaml:")
    assert "skill_weights.三级" in message
    assert "95" in message


def test_function_missing_from_weights_is_rejected(tmp_path: Path) -> None:
    # a 职业功能 renamed in 3.3 no longer matches its 4.1 / 4.2 rows
    text = FILE.read_text(encoding="utf-8")
    start = text.index("  三级:\n    - code:")
    head, tail = text[:start], text[start:]
    tail = tail.replace('name: "劳动关系协调和维权"', 'name: "劳动关系协调"', 1)
    bad = tmp_path / FILE.name
    bad.write_text(head + tail, encoding="utf-8")
    with pytest.raises(TemplateError) as err:
        load_standard_file(bad)
    assert "work_requirements.三级" in str(err.value)
