"""The engine's readings decided in contract v1.2 and README 申报条件的解读, pure (no app), at the
clauses' own boundaries: 同等学力 counts only where the text says （含同等学力）, the 见习期 of
毕业学年实习或见习期的人员 ends on ``probation_end``, and 毕业人员/毕业生 … 从事 counts from the
graduation (3-01-04-03 1.9.1 三级 (3), 3-01-01-04 1.9.1 二级 (4))."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from scoring.eligibility import ProfileError, RuleError, evaluate, parse_profile, profile_to_json, validate_rule
from tests.test_eligibility_engine import AS_OF, LAB, SHE, cert, check, clause, edu, job

DAY = timedelta(days=1)


def equivalent(program: str, graduated: str = "2020-07-01", **more) -> dict:
    """同等学力 of ``program`` (contract v1.2: school may be omitted)."""
    return {"equivalent": True, "program": program, "status": "graduated", "graduated": graduated, **more}


def in_probation(school: str, program: str, probation_end: date) -> dict:
    return {**edu(school, program, graduated="2026-07-01"), "probation_end": probation_end.isoformat()}


# ---------------------------------------------------------------- 见习期 (3-01-04-03 五级 (3)(4))


@pytest.mark.parametrize(("number", "school", "program"), [(3, "中等职业学校", "中职"), (4, "普通高等学校", "专科")])
def test_probation_counts_to_its_last_day(number: int, school: str, program: str) -> None:
    last_day = AS_OF
    row = in_probation(school, program, last_day)
    on_it = clause("3-01-04-03", "五级", number, {"education": [row]}, as_of=last_day)
    assert on_it["met"], on_it["reason"]
    assert f"见习期至{last_day}" in on_it["reason"]
    after = clause("3-01-04-03", "五级", number, {"education": [row]}, as_of=last_day + DAY)
    assert not after["met"] and f"见习期已于{last_day}结束" in after["reason"]


def test_a_graduate_without_probation_is_not_in_the_practice_year() -> None:
    r = clause("3-01-04-03", "五级", 3, {"education": [edu("技工学校", "中级工班", graduated="2026-07-01")]})
    assert not r["met"] and "未填写见习期" in r["reason"]


def test_probation_does_not_make_a_diploma_of_a_school_the_clause_does_not_name() -> None:
    # 五级 (4) 大专学科及以上学力院校: a 中职 graduate in the 见习期 does not count there.
    row = in_probation("中等职业学校", "中职", AS_OF)
    assert not clause("3-01-04-03", "五级", 4, {"education": [row]})["met"]


def test_probation_may_end_after_as_of_but_not_before_graduation() -> None:
    ahead = in_probation("普通高等学校", "本科", AS_OF + timedelta(days=200))
    assert parse_profile({"education": [ahead]}, AS_OF).education[0].probation_end == AS_OF + timedelta(days=200)
    early = {**edu("普通高等学校", "本科", graduated="2026-07-01"), "probation_end": "2026-06-30"}
    with pytest.raises(ProfileError) as caught:
        parse_profile({"education": [early]}, AS_OF)
    assert caught.value.field == "candidate.education.0.probation_end"


def test_only_a_graduate_has_a_probation() -> None:
    final = {**edu("普通高等学校", "本科", status="final_year"), "probation_end": "2027-07-01"}
    with pytest.raises(ProfileError) as caught:
        parse_profile({"education": [final]}, AS_OF)
    assert (caught.value.field, caught.value.index) == ("candidate.education.0.probation_end", 0)


def test_all_of_with_a_probation_that_ends_before_the_work_is_never_met() -> None:
    # A rule shape no clause uses yet: the 见习期 and 6 months' work both needed. The work is met on
    # its half-year; the 见习期 ending before that means the two never hold together.
    rule = {
        "all_of": [
            {"education": {"accept": [{"schools": ["普通高等学校"]}], "majors": "any", "statuses": ["probation"]}},
            {"work": {"occupations": "own", "mode": "continuous", "min": {"months": 6}}},
        ]
    }
    validate_rule(rule)
    started = AS_OF - timedelta(days=30)
    half_year = started + relativedelta(months=6)

    def earliest(probation_end: date) -> str | None:
        profile = parse_profile(
            {
                "education": [in_probation("普通高等学校", "本科", probation_end)],
                "work": [job(LAB, started.isoformat())],
            },
            AS_OF,
        )
        return evaluate([{"clause": 1, "rule": rule}], profile, AS_OF, occupation=LAB)["earliest_date"]

    assert earliest(half_year) == half_year.isoformat()
    assert earliest(half_year - DAY) is None


# ---------------------------------------------------------------- 同等学力


def test_equivalent_college_counts_for_4_clause4() -> None:
    # 3-01-04-03 四级 (4) 具有大学专科及以上学历（含同等学力），连续从事本职业工作半年以上.
    r = clause("3-01-04-03", "四级", 4, {"education": [equivalent("专科")], "work": [job(LAB, "2026-05-22")]})
    assert r["met"], r["reason"]
    assert "同等学力专科" in r["reason"] and "证明材料" in r["reason"] and "审核人核验" in r["reason"]


def test_equivalent_college_does_not_count_where_a_school_diploma_is_asked() -> None:
    # 3-01-01-04 四级 (3) …专科及以上普通高等学校毕业证书: no （含同等学力）.
    r = clause("3-01-01-04", "四级", 3, {"education": [equivalent("专科", major="行政管理")]})
    assert not r["met"] and "同等学力不计" in r["reason"]
    # 三级 (6) 经评估论证的…毕业证书 and (5): neither counts a 同等学力 本科.
    row = equivalent("本科", major="行政管理", assessed=True)
    assert not clause("3-01-01-04", "三级", 6, {"education": [row]})["met"]
    assert not clause("3-01-01-04", "三级", 5, {"education": [row], "certificates": [cert(SHE, "四级", "2024-01-01")]})[
        "met"
    ]


def test_equivalent_bachelor_counts_for_3_clause4_and_a_college_does_not() -> None:
    # 3-01-04-03 三级 (4) 具有大学本科学历（含同等学力）: 本科 level, not 专科.
    work = [job(LAB, "2025-11-22")]
    assert clause("3-01-04-03", "三级", 4, {"education": [equivalent("本科")], "work": work})["met"]
    r = clause("3-01-04-03", "三级", 4, {"education": [equivalent("专科")], "work": work})
    assert not r["met"] and "不属于本条所列学历层次" in r["reason"]


def test_a_diploma_is_cited_before_an_equivalent() -> None:
    rows = [equivalent("本科"), edu("普通高等学校", "本科")]
    r = clause("3-01-04-03", "三级", 4, {"education": rows, "work": [job(LAB, "2025-11-22")]})
    assert r["met"] and "同等学力" not in r["reason"]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (equivalent("研究生"), "candidate.education.0.program"),
        (equivalent("中职"), "candidate.education.0.program"),
        ({**edu("普通高等学校", "本科"), "school": None}, "candidate.education.0.school"),
    ],
)
def test_equivalent_is_of_college_or_bachelor_and_only_it_may_omit_the_school(row: dict, field: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"education": [row]}, AS_OF)
    assert caught.value.field == field


def test_an_equivalent_row_keeps_its_marks_in_the_snapshot() -> None:
    row = profile_to_json(parse_profile({"education": [equivalent("本科")]}, AS_OF))["education"][0]
    assert row["equivalent"] is True and row["school"] == "" and row["program"] == "本科"


def test_equivalent_rule_key_is_validated() -> None:
    with pytest.raises(RuleError) as caught:
        validate_rule({"education": {"accept": [{"schools": ["普通高等学校"]}], "majors": "any",
                                     "statuses": ["graduated"], "equivalent": False}})  # fmt: skip
    assert caught.value.path == "education.equivalent"


# ---------------------------------------------------------------- counted from the graduation


def test_lb_3_clause3_counts_from_the_technician_class_graduation() -> None:
    # 技工院校技师班毕业人员连续从事相关职业工作1年以上: work since 2020, graduated a year ago.
    work = [job(LAB, "2020-01-01")]
    year = clause(
        "3-01-04-03", "三级", 3, {"education": [edu("技师学院", "技师班", graduated="2025-11-22")], "work": work}
    )
    assert year["met"] and "毕业（2025-11-22）后" in year["reason"], year["reason"]
    short = clause(
        "3-01-04-03", "三级", 3, {"education": [edu("技师学院", "技师班", graduated="2025-11-23")], "work": work}
    )
    assert not short["met"] and "11个月30天" in short["reason"], short["reason"]
    found = check(
        "3-01-04-03", "三级", {"education": [edu("技师学院", "技师班", graduated="2025-11-23")], "work": work}
    )
    assert found["earliest_date"] == "2026-11-23"


def test_she_2_clause4_counts_from_the_graduation() -> None:
    # 取得…三级证书的高级技工学校、技师学院毕业生，累计从事本职业或相关职业工作满2年.
    base = {"certificates": [cert(SHE, "三级", "2023-01-01")], "work": [job(SHE, "2015-01-01")]}
    two = clause("3-01-01-04", "二级", 4, {**base, "education": [edu("技师学院", "技师班", graduated="2024-11-22")]})
    assert two["met"], two["reason"]
    short = clause("3-01-01-04", "二级", 4, {**base, "education": [edu("技师学院", "技师班", graduated="2024-11-23")]})
    assert not short["met"] and "1年11个月30天" in short["reason"], short["reason"]


def test_lb_3_clause4_counts_work_before_the_degree() -> None:
    # 具有大学本科学历（含同等学力），连续从事相关职业工作1年以上: a degree held, not a 毕业 to count from.
    r = clause("3-01-04-03", "三级", 4, {"education": [edu("普通高等学校", "本科", graduated="2026-07-01")],
                                         "work": [job(LAB, "2020-01-01")]})  # fmt: skip
    assert r["met"], r["reason"]
