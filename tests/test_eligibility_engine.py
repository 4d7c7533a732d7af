"""The 申报条件 engine against every clause of 3-01-01-04 and 3-01-04-03 (1.9.1 of each).

Pure: the rules come straight from exam_templates/*.yaml, no app. Each clause has a case that
meets it and one that does not, at the boundary the clause's words set (满/以上 include the
number, 累计 vs 连续, after the certificate, related occupations and majors as listed).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
import yaml

from scoring.eligibility import evaluate
from scoring.eligibility.profile import ProfileError, parse_profile

TEMPLATES = Path(__file__).resolve().parents[1] / "exam_templates"
AS_OF = date(2026, 11, 22)
SHE = "社团会员管理员"  # 3-01-01-04
LAB = "劳动保障协理员"  # 3-01-04-03
REL = "公关员"  # 3-01-01-04 footnote ① related occupation
OTHER = "会计"  # listed nowhere


@cache
def standard(std_id: str) -> dict:
    return yaml.safe_load((TEMPLATES / f"{std_id}.yaml").read_text(encoding="utf-8"))


def check(std_id: str, level: str, candidate: dict, as_of: date = AS_OF) -> dict:
    raw = standard(std_id)
    return evaluate(
        raw["eligibility"].get(level, []),
        parse_profile(candidate, as_of),
        as_of,
        occupation=raw["name"],
        related_occupations=raw["related_occupations"],
        related_majors=raw["related_majors"],
        training_hours={lv["id"]: lv["training_hours"] for lv in raw["levels"]},
    )


def clause(std_id: str, level: str, number: int, candidate: dict, as_of: date = AS_OF) -> dict:
    result = check(std_id, level, candidate, as_of)
    found = next(c for c in result["clauses"] if c["clause"] == number)
    assert (number in result["satisfied"]) == found["met"]
    return found


def job(occupation: str, start: str, end: str | None = None) -> dict:
    return {"occupation": occupation, "start": start, "end": end}


def cert(occupation: str, level: str, issued: str) -> dict:
    return {"occupation": occupation, "level": level, "issued": issued}


def edu(
    school: str,
    program: str,
    major: str = "",
    status: str = "graduated",
    graduated: str | None = "2020-07-01",
    assessed: bool = False,
) -> dict:
    return {
        "school": school,
        "program": program,
        "major": major,
        "status": status,
        "graduated": graduated if status == "graduated" else None,
        "assessed": assessed,
    }


def title(rank: str, obtained: str, matches_field: bool = True) -> dict:
    return {"rank": rank, "matches_field": matches_field, "obtained": obtained}


def training(level: str, hours: float, certificate: bool = True) -> dict:
    return {"level": level, "hours": hours, "completion_certificate": certificate, "completed": "2026-06-30"}


# (standard, level, clause, candidate, met) — every clause met once and missed once at least.
CASES = [
    # ---- 3-01-01-04 五级 (1) 年满16周岁: reached on the 16th birthday
    ("3-01-01-04", "五级", 1, {"birth_date": "2010-11-22"}, True),
    ("3-01-01-04", "五级", 1, {"birth_date": "2010-11-23"}, False),
    ("3-01-01-04", "五级", 1, {}, False),
    # 五级 (2) 年满16周岁，从事本职业或相关职业工作
    ("3-01-01-04", "五级", 2, {"birth_date": "1990-01-01", "work": [job(REL, "2026-01-01")]}, True),
    ("3-01-01-04", "五级", 2, {"birth_date": "1990-01-01", "work": [job(OTHER, "2026-01-01")]}, False),
    ("3-01-01-04", "五级", 2, {"birth_date": "2010-11-23", "work": [job(SHE, "2026-01-01")]}, False),
    # 四级 (1) 累计满5年: exactly 5 years on the 5th anniversary of an ongoing job, not a day before
    ("3-01-01-04", "四级", 1, {"work": [job(SHE, "2021-11-22")]}, True),
    ("3-01-01-04", "四级", 1, {"work": [job(SHE, "2021-11-23")]}, False),
    # a closed job counts both end dates: 2019-01-01..2023-12-31 is 5 years, from 01-02 a day short
    ("3-01-01-04", "四级", 1, {"work": [job(REL, "2019-01-01", "2023-12-31")]}, True),
    ("3-01-01-04", "四级", 1, {"work": [job(REL, "2019-01-02", "2023-12-31")]}, False),
    # 累计 adds separate jobs (3 + 2 years with a gap) ...
    (
        "3-01-01-04",
        "四级",
        1,
        {"work": [job(SHE, "2010-01-01", "2012-12-31"), job(REL, "2015-01-01", "2016-12-31")]},
        True,
    ),
    # ... but overlapping jobs count once (two jobs over the same 3 years are 3 years)
    (
        "3-01-01-04",
        "四级",
        1,
        {
            "work": [
                job(SHE, "2020-01-01", "2022-12-31"),
                job(REL, "2020-01-01", "2022-12-31"),
                job(SHE, "2024-01-01", "2024-12-31"),
            ]
        },
        False,
    ),
    # an unlisted occupation does not count
    ("3-01-01-04", "四级", 1, {"work": [job(OTHER, "2010-01-01")]}, False),
    # 四级 (2) 五级证书后累计满3年: only work on/after the issue date counts
    (
        "3-01-01-04",
        "四级",
        2,
        {"certificates": [cert(REL, "五级", "2023-11-22")], "work": [job(SHE, "2015-01-01")]},
        True,
    ),
    (
        "3-01-01-04",
        "四级",
        2,
        {"certificates": [cert(REL, "五级", "2023-11-23")], "work": [job(SHE, "2015-01-01")]},
        False,
    ),
    (
        "3-01-01-04",
        "四级",
        2,
        {"certificates": [cert(SHE, "五级", "2020-01-01")], "work": [job(SHE, "2014-01-01", "2021-12-31")]},
        False,
    ),
    (
        "3-01-01-04",
        "四级",
        2,
        {"certificates": [cert(OTHER, "五级", "2015-01-01")], "work": [job(SHE, "2015-01-01")]},
        False,
    ),
    # 四级 (3) related majors per school type and program; 含在读应届毕业生
    ("3-01-01-04", "四级", 3, {"education": [edu("普通高等学校", "本科", "行政管理")]}, True),
    ("3-01-01-04", "四级", 3, {"education": [edu("普通高等学校", "本科", "行政管理", "final_year")]}, True),
    ("3-01-01-04", "四级", 3, {"education": [edu("普通高等学校", "本科", "行政管理", "enrolled")]}, False),
    ("3-01-01-04", "四级", 3, {"education": [edu("普通高等学校", "本科", "会计学")]}, False),
    ("3-01-01-04", "四级", 3, {"education": [edu("技工学校", "中级工班", "商务礼仪服务")]}, True),
    (
        "3-01-01-04",
        "四级",
        3,
        {"education": [edu("技师学院", "高级工班", "商务礼仪服务")]},
        False,
    ),  # only the 中级 list
    ("3-01-01-04", "四级", 3, {"education": [edu("中等职业学校", "中职", "文秘")]}, True),
    ("3-01-01-04", "四级", 3, {"education": [edu("高等职业学校", "专科", "现代文秘")]}, True),
    ("3-01-01-04", "四级", 3, {"education": [edu("普通高等学校", "专科", "现代文秘")]}, False),  # a 高职 major only
    ("3-01-01-04", "四级", 3, {"education": [edu("高等职业学校", "本科", "民政管理")]}, True),
    ("3-01-01-04", "四级", 3, {"education": [edu("普通高等学校", "本科", "民政管理")]}, False),
    # 三级 (1) 累计满10年
    ("3-01-01-04", "三级", 1, {"work": [job(SHE, "2016-11-22")]}, True),
    ("3-01-01-04", "三级", 1, {"work": [job(SHE, "2016-11-23")]}, False),
    # 三级 (2) 四级证书后累计满4年
    (
        "3-01-01-04",
        "三级",
        2,
        {"certificates": [cert(SHE, "四级", "2022-11-22")], "work": [job(REL, "2010-01-01")]},
        True,
    ),
    (
        "3-01-01-04",
        "三级",
        2,
        {"certificates": [cert(SHE, "五级", "2012-11-22")], "work": [job(REL, "2010-01-01")]},
        False,
    ),
    # 三级 (3) 符合专业对应关系的初级职称后累计满1年
    ("3-01-01-04", "三级", 3, {"titles": [title("初级", "2025-11-22")], "work": [job(SHE, "2020-01-01")]}, True),
    (
        "3-01-01-04",
        "三级",
        3,
        {"titles": [title("初级", "2020-11-22", False)], "work": [job(SHE, "2020-01-01")]},
        False,
    ),
    ("3-01-01-04", "三级", 3, {"titles": [title("初级", "2025-11-23")], "work": [job(SHE, "2020-01-01")]}, False),
    # 三级 (4) 技工院校高级工班及以上
    ("3-01-01-04", "三级", 4, {"education": [edu("高级技工学校", "高级工班", "人力资源管理", "final_year")]}, True),
    ("3-01-01-04", "三级", 4, {"education": [edu("技工学校", "中级工班", "人力资源管理")]}, False),
    # 三级 (5) 四级证书 + 高职/普高 related diploma
    (
        "3-01-01-04",
        "三级",
        5,
        {
            "certificates": [cert(REL, "四级", "2024-01-01")],
            "education": [edu("高等职业学校", "专科", "社会工作", "final_year")],
        },
        True,
    ),
    ("3-01-01-04", "三级", 5, {"education": [edu("高等职业学校", "专科", "社会工作")]}, False),
    (
        "3-01-01-04",
        "三级",
        5,
        {"certificates": [cert(REL, "四级", "2024-01-01")], "education": [edu("中等职业学校", "中职", "文秘")]},
        False,
    ),
    # 三级 (6) 经评估论证
    ("3-01-01-04", "三级", 6, {"education": [edu("普通高等学校", "本科", "行政管理", assessed=True)]}, True),
    ("3-01-01-04", "三级", 6, {"education": [edu("普通高等学校", "本科", "行政管理", assessed=False)]}, False),
    # 二级 (1) 三级证书后累计满5年
    (
        "3-01-01-04",
        "二级",
        1,
        {"certificates": [cert(SHE, "三级", "2021-11-22")], "work": [job(SHE, "2010-01-01")]},
        True,
    ),
    (
        "3-01-01-04",
        "二级",
        1,
        {"certificates": [cert(SHE, "三级", "2021-11-23")], "work": [job(SHE, "2010-01-01")]},
        False,
    ),
    # 二级 (2) 初级职称后累计满5年，并三级证书后满1年
    (
        "3-01-01-04",
        "二级",
        2,
        {
            "titles": [title("初级", "2021-01-01")],
            "certificates": [cert(SHE, "三级", "2025-11-22")],
            "work": [job(SHE, "2015-01-01")],
        },
        True,
    ),
    (
        "3-01-01-04",
        "二级",
        2,
        {
            "titles": [title("初级", "2021-01-01")],
            "certificates": [cert(SHE, "三级", "2026-01-01")],
            "work": [job(SHE, "2015-01-01")],
        },
        False,
    ),
    # 二级 (3) 中级职称后累计满1年 (an 初级 title does not do)
    ("3-01-01-04", "二级", 3, {"titles": [title("中级", "2025-01-01")], "work": [job(REL, "2024-01-01")]}, True),
    ("3-01-01-04", "二级", 3, {"titles": [title("初级", "2015-01-01")], "work": [job(REL, "2014-01-01")]}, False),
    # 二级 (4) 三级证书的高级技工学校、技师学院毕业生，累计满2年
    (
        "3-01-01-04",
        "二级",
        4,
        {
            "certificates": [cert(SHE, "三级", "2023-01-01")],
            "education": [edu("技师学院", "高级工班", "会计")],
            "work": [job(SHE, "2024-11-22")],
        },
        True,
    ),
    (
        "3-01-01-04",
        "二级",
        4,
        {
            "certificates": [cert(SHE, "三级", "2023-01-01")],
            "education": [edu("技工学校", "高级工班", "会计")],
            "work": [job(SHE, "2020-01-01")],
        },
        False,
    ),
    (
        "3-01-01-04",
        "二级",
        4,
        {
            "certificates": [cert(SHE, "三级", "2023-01-01")],
            "education": [edu("技师学院", "高级工班", "会计")],
            "work": [job(SHE, "2024-11-23")],
        },
        False,
    ),
    # 二级 (5) 三级证书满2年的技师学院预备技师班、技师班学生
    (
        "3-01-01-04",
        "二级",
        5,
        {
            "certificates": [cert(SHE, "三级", "2024-11-22")],
            "education": [edu("技师学院", "预备技师班", status="enrolled")],
        },
        True,
    ),
    (
        "3-01-01-04",
        "二级",
        5,
        {
            "certificates": [cert(SHE, "三级", "2024-11-23")],
            "education": [edu("技师学院", "技师班", status="final_year")],
        },
        False,
    ),
    (
        "3-01-01-04",
        "二级",
        5,
        {"certificates": [cert(SHE, "三级", "2020-01-01")], "education": [edu("技师学院", "技师班")]},
        False,
    ),  # graduated: no longer a 学生
    # 一级 (1) 二级证书后累计满5年
    (
        "3-01-01-04",
        "一级",
        1,
        {"certificates": [cert(REL, "二级", "2021-11-22")], "work": [job(SHE, "2000-01-01")]},
        True,
    ),
    (
        "3-01-01-04",
        "一级",
        1,
        {"certificates": [cert(REL, "二级", "2021-11-22")], "work": [job(SHE, "2000-01-01", "2025-12-31")]},
        False,
    ),
    # 一级 (2) 中级职称后累计满5年，并二级证书后满1年
    (
        "3-01-01-04",
        "一级",
        2,
        {
            "titles": [title("中级", "2020-01-01")],
            "certificates": [cert(SHE, "二级", "2024-01-01")],
            "work": [job(SHE, "2010-01-01")],
        },
        True,
    ),
    (
        "3-01-01-04",
        "一级",
        2,
        {
            "titles": [title("中级", "2022-01-01")],
            "certificates": [cert(SHE, "二级", "2024-01-01")],
            "work": [job(SHE, "2010-01-01")],
        },
        False,
    ),
    # 一级 (3) 高级职称 (副高 is 高级) 后累计满1年
    (
        "3-01-01-04",
        "一级",
        3,
        {"titles": [title("副高", "2025-06-01")], "work": [job(SHE, "2025-06-01", "2026-05-31")]},
        True,
    ),
    ("3-01-01-04", "一级", 3, {"titles": [title("中级", "2020-06-01")], "work": [job(SHE, "2020-06-01")]}, False),
    # ---- 3-01-04-03 五级 (1) 预备培训达规定标准学时数 (1.8: 30) 并取得结业证书
    ("3-01-04-03", "五级", 1, {"training": [training("五级", 30)]}, True),
    ("3-01-04-03", "五级", 1, {"training": [training("五级", 29.5)]}, False),
    ("3-01-04-03", "五级", 1, {"training": [training("五级", 30, certificate=False)]}, False),
    # 五级 (2) 连续从事本职业工作半年及以上
    ("3-01-04-03", "五级", 2, {"work": [job(LAB, "2026-05-22")]}, True),
    ("3-01-04-03", "五级", 2, {"work": [job(LAB, "2026-05-23")]}, False),
    # touching stretches (next start = previous end + 1 day) are one; a one-day gap splits them
    (
        "3-01-04-03",
        "五级",
        2,
        {"work": [job(LAB, "2025-01-01", "2025-03-31"), job(LAB, "2025-04-01", "2025-06-30")]},
        True,
    ),
    (
        "3-01-04-03",
        "五级",
        2,
        {"work": [job(LAB, "2025-01-01", "2025-03-31"), job(LAB, "2025-04-02", "2025-06-30")]},
        False,
    ),
    ("3-01-04-03", "五级", 2, {"work": [job(SHE, "2020-01-01")]}, False),  # not 本职业
    # 五级 (3) 技工院校（职业院校）毕业学年
    ("3-01-04-03", "五级", 3, {"education": [edu("中等职业学校", "中职", status="final_year")]}, True),
    ("3-01-04-03", "五级", 3, {"education": [edu("中等职业学校", "中职", status="enrolled")]}, False),
    # 五级 (4) 大专及以上院校毕业学年
    ("3-01-04-03", "五级", 4, {"education": [edu("普通高等学校", "专科", status="final_year")]}, True),
    ("3-01-04-03", "五级", 4, {"education": [edu("技工学校", "中级工班", status="final_year")]}, False),
    # 四级 (1) 四级预备培训 80 学时
    ("3-01-04-03", "四级", 1, {"training": [training("四级", 80)]}, True),
    ("3-01-04-03", "四级", 1, {"training": [training("五级", 80)]}, False),
    # 四级 (2) 连续两年以上，或五级证书后连续1年以上
    ("3-01-04-03", "四级", 2, {"work": [job(LAB, "2024-11-22")]}, True),
    ("3-01-04-03", "四级", 2, {"work": [job(LAB, "2023-01-01", "2023-12-31"), job(LAB, "2025-02-01")]}, False),
    (
        "3-01-04-03",
        "四级",
        2,
        {"certificates": [cert(LAB, "五级", "2025-11-22")], "work": [job(LAB, "2025-01-01")]},
        True,
    ),
    (
        "3-01-04-03",
        "四级",
        2,
        {"certificates": [cert(LAB, "五级", "2025-11-23")], "work": [job(LAB, "2025-01-01")]},
        False,
    ),
    # 四级 (3) 技工院校（职业院校）毕业连续从业1年（含）以上: counted from graduation
    (
        "3-01-04-03",
        "四级",
        3,
        {"education": [edu("技工学校", "中级工班", graduated="2025-07-01")], "work": [job(LAB, "2025-07-01")]},
        True,
    ),
    (
        "3-01-04-03",
        "四级",
        3,
        {"education": [edu("技工学校", "中级工班", graduated="2025-12-01")], "work": [job(LAB, "2024-07-01")]},
        False,
    ),
    # 四级 (4) 大学专科及以上学历，连续半年以上
    ("3-01-04-03", "四级", 4, {"education": [edu("普通高等学校", "专科")], "work": [job(LAB, "2026-05-22")]}, True),
    ("3-01-04-03", "四级", 4, {"education": [edu("普通高等学校", "专科")], "work": [job(LAB, "2026-05-23")]}, False),
    ("3-01-04-03", "四级", 4, {"education": [edu("中等职业学校", "中职")], "work": [job(LAB, "2020-01-01")]}, False),
    # 三级 (1) 四级证书后连续1年以上 + 三级预备培训 80 学时与结业证书
    (
        "3-01-04-03",
        "三级",
        1,
        {
            "certificates": [cert(LAB, "四级", "2025-01-01")],
            "work": [job(LAB, "2024-01-01")],
            "training": [training("三级", 80)],
        },
        True,
    ),
    (
        "3-01-04-03",
        "三级",
        1,
        {
            "certificates": [cert(LAB, "四级", "2025-01-01")],
            "work": [job(LAB, "2024-01-01")],
            "training": [training("三级", 79)],
        },
        False,
    ),
    # 三级 (2) 四级证书后连续2年以上 (cumulative 2 years with a gap is not continuous)
    (
        "3-01-04-03",
        "三级",
        2,
        {"certificates": [cert(LAB, "四级", "2024-11-22")], "work": [job(LAB, "2024-01-01")]},
        True,
    ),
    (
        "3-01-04-03",
        "三级",
        2,
        {
            "certificates": [cert(LAB, "四级", "2022-01-01")],
            "work": [job(LAB, "2022-01-01", "2022-12-31"), job(LAB, "2024-01-01", "2024-12-31")],
        },
        False,
    ),
    # 三级 (3) 技工院校技师班毕业，连续从事相关职业1年: nothing is listed as related, so 本职业 only
    ("3-01-04-03", "三级", 3, {"education": [edu("技师学院", "技师班")], "work": [job(LAB, "2025-11-22")]}, True),
    ("3-01-04-03", "三级", 3, {"education": [edu("技师学院", "技师班")], "work": [job(SHE, "2020-01-01")]}, False),
    ("3-01-04-03", "三级", 3, {"education": [edu("技师学院", "预备技师班")], "work": [job(LAB, "2020-01-01")]}, False),
    # 三级 (4) 大学本科学历，连续1年
    ("3-01-04-03", "三级", 4, {"education": [edu("普通高等学校", "本科")], "work": [job(LAB, "2025-11-22")]}, True),
    ("3-01-04-03", "三级", 4, {"education": [edu("普通高等学校", "专科")], "work": [job(LAB, "2020-01-01")]}, False),
]


@pytest.mark.parametrize(("std_id", "level", "number", "candidate", "met"), CASES)
def test_clause(std_id: str, level: str, number: int, candidate: dict, met: bool) -> None:
    found = clause(std_id, level, number, candidate)
    assert found["met"] is met, found["reason"]
    assert found["reason"]


def test_every_clause_has_a_met_and_a_missed_case() -> None:
    for std_id in ("3-01-01-04", "3-01-04-03"):
        for level, clauses in standard(std_id)["eligibility"].items():
            for c in clauses:
                outcomes = {met for s, lv, n, _, met in CASES if (s, lv, n) == (std_id, level, c["clause"])}
                assert outcomes == {True, False}, (std_id, level, c["clause"])


def test_reasons_carry_the_figures() -> None:
    short = clause("3-01-01-04", "四级", 1, {"work": [job(SHE, "2022-07-22", "2026-09-21")]})
    assert short["reason"] == "累计从事本职业或相关职业工作4年2个月，不足5年"
    after = clause(
        "3-01-01-04", "四级", 2, {"certificates": [cert(SHE, "五级", "2023-03-22")], "work": [job(SHE, "2020-01-01")]}
    )
    assert "后累计从事本职业或相关职业工作3年8个月，满3年" in after["reason"]
    cont = clause("3-01-04-03", "五级", 2, {"work": [job(LAB, "2026-06-01")]})
    assert cont["reason"] == "最长连续从事本职业工作5个月21天，不足半年"


def test_overlaps_are_merged_before_adding() -> None:
    # Two overlapping jobs 2020-01-01..2022-12-31 and 2021-01-01..2023-12-31 are 4 years, not 6.
    r = clause(
        "3-01-01-04", "四级", 1, {"work": [job(SHE, "2020-01-01", "2022-12-31"), job(REL, "2021-01-01", "2023-12-31")]}
    )
    assert "累计从事本职业或相关职业工作4年，不足5年" in r["reason"]


def test_birthday_on_29_february() -> None:
    # Born on a leap day: 16 on 29 Feb 2024 (a leap year), not on the 28th.
    assert clause("3-01-01-04", "五级", 1, {"birth_date": "2008-02-29"}, date(2024, 2, 29))["met"]
    assert not clause("3-01-01-04", "五级", 1, {"birth_date": "2008-02-29"}, date(2024, 2, 28))["met"]
    r = check("3-01-01-04", "五级", {"birth_date": "2008-02-29"}, date(2023, 6, 1))
    assert r["earliest_date"] == "2024-02-29"


def test_birthday_29_february_in_a_common_year() -> None:
    # A rule of 17 years: 2025 has no 29 Feb, so the period ends on the month's last day (民法典 202).
    rule = [{"clause": 1, "text": "年满17周岁", "rule": {"age": {"min_years": 17}}}]
    kwargs = {"occupation": SHE}
    profile = parse_profile({"birth_date": "2008-02-29"}, date(2025, 2, 27))
    assert evaluate(rule, profile, date(2025, 2, 27), **kwargs)["earliest_date"] == "2025-02-28"
    assert evaluate(rule, profile, date(2025, 2, 28), **kwargs)["eligible"]


def test_earliest_date_cumulative_with_an_ongoing_job() -> None:
    # 1 closed year (2018) + ongoing since 2025-01-01: the 4 missing years' days run out on 2029-01-01.
    cand = {"work": [job(SHE, "2018-01-01", "2018-12-31"), job(REL, "2025-01-01")]}
    r = check("3-01-01-04", "四级", cand)
    assert not r["eligible"] and r["earliest_date"] == "2029-01-01"
    assert check("3-01-01-04", "四级", cand, date(2029, 1, 1))["satisfied"] == [1]
    assert not check("3-01-01-04", "四级", cand, date(2028, 12, 31))["eligible"]


def test_earliest_date_is_the_anniversary_for_one_ongoing_job() -> None:
    r = check("3-01-01-04", "四级", {"work": [job(SHE, "2022-03-15")]})
    assert r["earliest_date"] == "2027-03-15"


def test_earliest_date_takes_the_soonest_clause() -> None:
    # 四级 (1) would be met on 2027-03-15, (2) (3 years after the 五级 certificate) on 2026-12-01.
    cand = {"work": [job(SHE, "2022-03-15")], "certificates": [cert(SHE, "五级", "2023-12-01")]}
    assert check("3-01-01-04", "四级", cand)["earliest_date"] == "2026-12-01"


def test_earliest_date_continuous_after_certificate() -> None:
    # 三级 (2): 2 years continuous after the 四级 certificate; the stretch started before it counts from it.
    cand = {"certificates": [cert(LAB, "四级", "2025-06-30")], "work": [job(LAB, "2020-01-01")]}
    r = check("3-01-04-03", "三级", cand)
    assert r["earliest_date"] == "2027-06-30"


def test_earliest_date_continuous_stretch_that_touches_an_older_one() -> None:
    # 2026-01-01..2026-03-31 then ongoing from 2026-04-01: one stretch, half a year on 2026-07-01.
    cand = {"work": [job(LAB, "2026-01-01", "2026-03-31"), job(LAB, "2026-04-01")]}
    r = check("3-01-04-03", "五级", cand, date(2026, 5, 1))
    assert r["earliest_date"] == "2026-07-01"


def test_earliest_date_all_of_waits_for_the_last_part() -> None:
    # 二级 (2): title + 5 years from 2022-06-01 → 2027-06-01; certificate + 1 year → 2027-01-10.
    cand = {
        "titles": [title("初级", "2022-06-01")],
        "certificates": [cert(SHE, "三级", "2026-01-10")],
        "work": [job(SHE, "2015-01-01")],
    }
    assert check("3-01-01-04", "二级", cand)["earliest_date"] == "2027-06-01"


def test_earliest_date_null_without_ongoing_work() -> None:
    r = check("3-01-01-04", "四级", {"work": [job(SHE, "2019-01-01", "2020-12-31")]})
    assert not r["eligible"] and r["earliest_date"] is None
    # nothing changes by itself: an education that does not count, training too short
    r = check("3-01-04-03", "五级", {"training": [training("五级", 10)], "education": [edu("普通高等学校", "本科")]})
    assert r["earliest_date"] is None


def test_earliest_date_null_when_eligible() -> None:
    r = check("3-01-01-04", "四级", {"work": [job(SHE, "2010-01-01")]})
    assert r["eligible"] and r["satisfied"] == [1] and r["earliest_date"] is None


def test_590008_states_no_conditions() -> None:
    r = check("590008", "初级", {})
    assert r == {"eligible": True, "satisfied": [], "clauses": [], "earliest_date": None}


def _random_candidate(rng) -> dict:
    def day(lo: int, hi: int) -> date:
        return AS_OF - timedelta(days=rng.randint(lo, hi))

    work = []
    for _ in range(rng.randint(0, 3)):
        start = day(0, 4000)
        end = None if rng.random() < 0.4 else min(AS_OF, start + timedelta(days=rng.randint(0, 1500)))
        work.append(job(rng.choice([SHE, REL, LAB, OTHER]), start.isoformat(), end and end.isoformat()))
    certs = [
        cert(rng.choice([SHE, LAB]), rng.choice(["五级", "四级", "三级", "二级"]), day(0, 3000).isoformat())
        for _ in range(rng.randint(0, 2))
    ]
    titles = [
        title(rng.choice(["初级", "中级", "高级"]), day(0, 3000).isoformat(), rng.random() < 0.7)
        for _ in range(rng.randint(0, 1))
    ]
    return {"birth_date": day(5000, 9000).isoformat(), "work": work, "certificates": certs, "titles": titles}


def test_earliest_date_is_exact_on_random_profiles() -> None:
    """The computed date is met and the day before is not, re-evaluated with ongoing jobs extended."""
    rng = random.Random(20261122)
    checked = 0
    for _ in range(300):
        cand = _random_candidate(rng)
        for std_id, levels in (
            ("3-01-01-04", ["五级", "四级", "三级", "二级", "一级"]),
            ("3-01-04-03", ["五级", "四级", "三级"]),
        ):
            level = rng.choice(levels)
            r = check(std_id, level, cand)
            if r["eligible"]:
                continue
            if r["earliest_date"] is None:
                assert not check(std_id, level, cand, AS_OF + timedelta(days=365 * 20))["eligible"]
                continue
            when = date.fromisoformat(r["earliest_date"])
            assert when > AS_OF
            assert check(std_id, level, cand, when)["eligible"], (cand, level, when)
            assert not check(std_id, level, cand, when - timedelta(days=1))["eligible"], (cand, level, when)
            checked += 1
    assert checked > 30


def test_level_titles_are_read_as_level_ids() -> None:
    cand = {"certificates": [cert(SHE, "五级/初级工", "2020-01-01")], "work": [job(SHE, "2020-01-01")]}
    assert clause("3-01-01-04", "四级", 2, cand)["met"]
    cand = {"training": [training("初级工", 30)]}
    assert clause("3-01-04-03", "五级", 1, cand)["met"]


def test_higher_certificate_and_title_include_the_lower() -> None:
    # A 中级 title after which 1 year was worked meets 三级 (3) (初级职称后满1年).
    cand = {"titles": [title("中级", "2025-01-01")], "work": [job(SHE, "2025-01-01")]}
    assert clause("3-01-01-04", "三级", 3, cand)["met"]
    # A 四级 certificate meets "取得五级证书后" of 四级 (2).
    cand = {"certificates": [cert(SHE, "四级", "2020-01-01")], "work": [job(SHE, "2020-01-01")]}
    assert clause("3-01-01-04", "四级", 2, cand)["met"]


@pytest.mark.parametrize(
    ("candidate", "field", "index"),
    [
        ({"birth_date": "1990-02-30"}, "candidate.birth_date", None),
        ({"birth_date": "2027-01-01"}, "candidate.birth_date", None),
        ({"work": [job(SHE, "2020-01-01"), job(SHE, "2021-01-01", "2020-12-31")]}, "candidate.work.1.end", 1),
        ({"work": [job(SHE, "2020-01-01", "2026-11-23")]}, "candidate.work.0.end", 0),
        ({"work": [{"occupation": SHE}]}, "candidate.work.0.start", 0),
        ({"work": [{"occupation": "", "start": "2020-01-01"}]}, "candidate.work.0.occupation", 0),
        ({"work": ["x"]}, "candidate.work.0", 0),
        ({"education": [edu("普通高等学校", "博士")]}, "candidate.education.0.program", 0),
        ({"education": [edu("普通高等学校", "本科", status="done")]}, "candidate.education.0.status", 0),
        ({"education": [{**edu("普通高等学校", "本科"), "assessed": "true"}]}, "candidate.education.0.assessed", 0),
        ({"titles": [title("特级", "2020-01-01")]}, "candidate.titles.0.rank", 0),
        ({"training": [{"level": "五级", "hours": -1}]}, "candidate.training.0.hours", 0),
        ({"training": [{"level": "五级", "hours": True}]}, "candidate.training.0.hours", 0),
        ({"certificates": "none"}, "candidate.certificates", None),
    ],
)
def test_bad_profiles_name_the_field(candidate: dict, field: str, index: int | None) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(candidate, AS_OF)
    assert (caught.value.field, caught.value.index) == (field, index)


def test_cumulative_whole_years_add_up_across_a_leap_day() -> None:
    # 2 whole years (2018–2019) + 3 whole years (2021–2023) are 5 years, though 2020's 29 Feb lies between.
    two_and_three = [job(SHE, "2018-01-01", "2019-12-31"), job(REL, "2021-01-01", "2023-12-31")]
    r = clause("3-01-01-04", "四级", 1, {"work": two_and_three})
    assert r["met"] and "工作5年，满5年" in r["reason"]
    a_day_less = [job(SHE, "2018-01-02", "2019-12-31"), job(REL, "2021-01-01", "2023-12-31")]
    assert not clause("3-01-01-04", "四级", 1, {"work": a_day_less})["met"]


def test_earliest_date_cumulative_half_years() -> None:
    # 2y6m closed + ongoing since 2025-01-01: 2y6m more from 2025-01-01 → 2027-07-01.
    cand = {"work": [job(SHE, "2018-01-01", "2020-06-30"), job(SHE, "2025-01-01")]}
    r = check("3-01-01-04", "四级", cand)
    assert r["earliest_date"] == "2027-07-01"
