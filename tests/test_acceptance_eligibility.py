"""Acceptance tests of 申报条件, black-box through the API only (api-contract.md, Eligibility and
Applications), written from the standards' own texts: 3-01-01-04 (seeds/000, 1.9.1 with footnotes
① ②) and 3-01-04-03 (seeds/001, 1.8 and 1.9.1). Every clause of every level has a met and a
not-met case; the contract's counting rules are tested at their boundaries.

Counting as the README states it: a closed job counts from start to end inclusive, an ongoing job
reaches 满N年 on the Nth anniversary of its start (like 年满N周岁); a year and a month are calendar
ones; 半年 = 6 months.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from dateutil.relativedelta import relativedelta

SHE = "社团会员管理员"  # 3-01-01-04
LB = "劳动保障协理员"  # 3-01-04-03
RELATED = ["行政办事员", "政务服务办事员", "劝募员", "公关员", "村务和社区工作者"]  # 000 footnote ①
AS_OF = "2026-11-22"
ADULT = "1990-05-01"


@pytest.fixture
def api(client, make_user, token_for):
    """api(standard, level, candidate, as_of=AS_OF) -> (status, json) of POST /api/v1/eligibility."""
    make_user("checker")
    headers = token_for("checker")

    def call(standard: str, level: str, candidate: dict | None = None, as_of: str | None = AS_OF, **extra):
        body = {"standard": standard, "level": level, **extra}
        if candidate is not None:
            body["candidate"] = candidate
        if as_of is not None:
            body["as_of"] = as_of
        response = client.post("/api/v1/eligibility", json=body, headers=headers)
        return response.status_code, response.get_json()

    return call


@pytest.fixture
def check(api):
    """check(...) -> the 200 body, with a helper map clause -> met."""

    def call(*args, **kwargs) -> dict:
        status, data = api(*args, **kwargs)
        assert status == 200, data
        data["met"] = {c["clause"]: c["met"] for c in data["clauses"]}
        data["reason"] = {c["clause"]: c["reason"] for c in data["clauses"]}
        return data

    return call


def job(occupation: str, start: str, end: str | None = None) -> dict:
    return {"occupation": occupation, "start": start, "end": end}


def cert(level: str, issued: str, occupation: str = SHE) -> dict:
    return {"occupation": occupation, "level": level, "issued": issued}


def school(school: str, program: str, major: str = "", status: str = "graduated", **more) -> dict:
    row = {"school": school, "program": program, "major": major, "status": status, "assessed": False}
    if status == "graduated":
        row["graduated"] = "2015-07-01"
    row.update(more)
    return row


def title(rank: str, obtained: str, matches_field: bool = True) -> dict:
    return {"rank": rank, "matches_field": matches_field, "obtained": obtained}


def training(level: str, hours: float, completion_certificate: bool = True) -> dict:
    return {"level": level, "hours": hours, "completion_certificate": completion_certificate, "completed": "2026-06-30"}


def person(**lists) -> dict:
    return {"birth_date": ADULT, **lists}


# ====================================================================== response shape, defaults


def test_response_shape_and_satisfied_ascending(check):
    # The contract's own example profile: 7 years of work, a 五级 certificate since 2020, a 行政管理 本科.
    data = check(
        "3-01-01-04",
        "四级",
        {
            "birth_date": "1990-05-01",
            "work": [job(SHE, "2019-01-01")],
            "certificates": [cert("五级", "2020-03-01")],
            "education": [
                {
                    "school": "普通高等学校",
                    "program": "本科",
                    "major": "行政管理",
                    "status": "graduated",
                    "graduated": "2012-07-01",
                    "assessed": False,
                }
            ],
            "titles": [title("初级", "2020-01-01")],
            "training": [training("五级", 30)],
        },
    )
    assert set(data) - {"met", "reason"} == {"eligible", "satisfied", "clauses", "earliest_date"}
    assert data["eligible"] is True and data["satisfied"] == [1, 2, 3] and data["earliest_date"] is None
    assert [c["clause"] for c in data["clauses"]] == [1, 2, 3]
    for c in data["clauses"]:
        assert set(c) == {"clause", "met", "reason"} and isinstance(c["met"], bool)
        assert isinstance(c["reason"], str) and c["reason"]


def test_reason_states_the_computed_figures(check):
    # 2022-09-22 … 2026-11-21 (ongoing): 4 years 2 months, short of 5.
    data = check("3-01-01-04", "四级", person(work=[job(SHE, "2022-09-22")]))
    assert data["met"][1] is False
    assert "4年2个月" in data["reason"][1] and "不足5年" in data["reason"][1]
    # The example: 3 years 8 months after the 五级 certificate, enough for 3.
    data = check("3-01-01-04", "四级", person(work=[job(SHE, "2023-03-22")], certificates=[cert("五级", "2023-03-22")]))
    assert data["met"][2] is True and "3年8个月" in data["reason"][2] and "满3年" in data["reason"][2]


def test_missing_lists_are_empty_lists(check):
    data = check("3-01-01-04", "四级", {"birth_date": ADULT})
    assert data["eligible"] is False and data["satisfied"] == [] and data["earliest_date"] is None
    assert [c["met"] for c in data["clauses"]] == [False, False, False]
    data = check("3-01-01-04", "五级", {"birth_date": ADULT})  # only 年满16周岁 needed for (1)
    assert data["satisfied"] == [1]


def test_as_of_defaults_to_today(check, api):
    today = datetime.now(timezone(timedelta(hours=8))).date()  # Beijing's date, contract v1.2
    sixteen = (today - relativedelta(years=16)).isoformat()
    assert check("3-01-01-04", "五级", {"birth_date": sixteen}, as_of=None)["met"][1] is True
    day_short = (today - relativedelta(years=16) + relativedelta(days=1)).isoformat()
    data = check("3-01-01-04", "五级", {"birth_date": day_short}, as_of=None)
    assert data["eligible"] is False and data["earliest_date"] == (today + relativedelta(days=1)).isoformat()
    # a date after today (the default as_of) is refused
    tomorrow = (today + relativedelta(days=1)).isoformat()
    status, body = api("3-01-01-04", "四级", person(work=[job(SHE, tomorrow)]), as_of=None)
    assert status == 422 and "work" in body["error"]["details"]["field"]


# ====================================================================== 422: bad input names the field


def _details(status: int, body: dict) -> dict:
    assert status == 422, body
    assert body["error"]["code"] and body["error"]["message"]
    return body["error"]["details"]


def test_unknown_standard_or_level(api):
    assert _details(*api("9-99-99-99", "四级", person()))["field"] == "standard"
    assert _details(*api("3-01-01-04", "六级", person()))["field"] == "level"
    assert _details(*api("3-01-04-03", "二级", person()))["field"] == "level"  # 劳动保障协理员 has 五级…三级 only
    assert _details(*api("3-01-01-04", None, person()))["field"] == "level"


@pytest.mark.parametrize(
    "candidate, as_of, field, index",
    [
        (person(), "2026-13-01", "as_of", None),
        (person(), "22/11/2026", "as_of", None),
        ({"birth_date": "1990-02-30"}, AS_OF, "birth_date", None),
        (person(work=[job(SHE, "2020/01/01")]), AS_OF, "start", 0),
        (person(work=[job(SHE, "2020-01-01"), job(SHE, "2021-01-01", "soon")]), AS_OF, "end", 1),
        (person(certificates=[cert("五级", "2020-1-1")]), AS_OF, "issued", 0),
        (person(titles=[title("初级", "")]), AS_OF, "obtained", 0),
    ],
)
def test_unparsable_date(api, candidate, as_of, field, index):
    details = _details(*api("3-01-01-04", "四级", candidate, as_of=as_of))
    assert field in details["field"]
    if index is not None:
        assert details["index"] == index


def test_end_before_start(api):
    candidate = person(work=[job(SHE, "2015-01-01", "2016-01-01"), job(SHE, "2020-01-01", "2019-12-31")])
    details = _details(*api("3-01-01-04", "四级", candidate))
    assert "end" in details["field"] and "work" in details["field"] and details["index"] == 1
    # a one-day job (end == start) is fine
    assert api("3-01-01-04", "四级", person(work=[job(SHE, "2020-01-01", "2020-01-01")]))[0] == 200


@pytest.mark.parametrize(
    "build, field",
    [
        (lambda d: {"birth_date": d}, "birth_date"),
        (lambda d: person(work=[job(SHE, d)]), "start"),
        (lambda d: person(work=[job(SHE, "2020-01-01", d)]), "end"),
        (lambda d: person(certificates=[cert("五级", d)]), "issued"),
        (lambda d: person(titles=[title("初级", d)]), "obtained"),
        (lambda d: person(education=[school("普通高等学校", "本科", "行政管理", graduated=d)]), "graduated"),
    ],
)
def test_date_after_as_of(api, build, field):
    details = _details(*api("3-01-01-04", "四级", build("2026-11-23")))
    assert field in details["field"]
    # the same date on as_of itself is accepted
    assert api("3-01-01-04", "四级", build(AS_OF))[0] == 200


def test_expected_graduation_of_a_final_year_student_may_lie_ahead(check):
    # 在读应届毕业生: an expected graduation date after as_of is possible, not "a date that cannot be".
    row = school("普通高等学校", "本科", "行政管理", status="final_year", graduated="2027-07-01")
    assert check("3-01-01-04", "四级", person(education=[row]))["met"][3] is True


# ====================================================================== 3-01-01-04 五级


def test_she_5_clause1_age_16_on_the_birthday(check):
    data = check("3-01-01-04", "五级", {"birth_date": "2010-11-22"})
    assert data["met"][1] is True and data["eligible"] is True
    data = check("3-01-01-04", "五级", {"birth_date": "2010-11-23"})
    assert data["met"][1] is False and data["eligible"] is False
    assert data["earliest_date"] == "2010-11-23".replace("2010", "2026")


def test_she_5_clause2_age_and_working_in_the_occupation(check):
    data = check("3-01-01-04", "五级", person(work=[job("公关员", "2025-01-01")]))
    assert data["satisfied"] == [1, 2]
    assert check("3-01-01-04", "五级", person(work=[job(SHE, "2025-01-01")]))["met"][2] is True
    assert check("3-01-01-04", "五级", person(work=[job("会计", "2025-01-01")]))["met"][2] is False
    # under 16, even while working
    young = check("3-01-01-04", "五级", {"birth_date": "2011-01-01", "work": [job(SHE, "2026-09-01")]})
    assert young["met"] == {1: False, 2: False} and young["earliest_date"] == "2027-01-01"


# ====================================================================== 3-01-01-04 四级


def test_she_4_clause1_exactly_five_years_vs_one_day_short_closed(check):
    assert check("3-01-01-04", "四级", person(work=[job(SHE, "2019-01-01", "2023-12-31")]))["met"][1] is True
    data = check("3-01-01-04", "四级", person(work=[job(SHE, "2019-01-01", "2023-12-30")]))
    assert data["met"][1] is False and data["eligible"] is False and data["earliest_date"] is None


def test_she_4_clause1_ongoing_job_and_earliest_date(check):
    assert check("3-01-01-04", "四级", person(work=[job(SHE, "2021-11-22")]))["met"][1] is True
    data = check("3-01-01-04", "四级", person(work=[job(SHE, "2021-11-23")]))
    assert data["met"][1] is False and data["earliest_date"] == "2026-11-23"
    data = check("3-01-01-04", "四级", person(work=[job(SHE, "2022-01-01")]))
    assert data["earliest_date"] == "2027-01-01"
    # and on that date it is met
    assert check("3-01-01-04", "四级", person(work=[job(SHE, "2022-01-01")]), as_of="2027-01-01")["eligible"]


def test_she_4_clause1_cumulative_merges_overlaps(check):
    # 2018-01-01…2021-12-31 and 2020-01-01…2022-06-30 overlap: together 4年6个月, not 6年6个月.
    work = [job(SHE, "2018-01-01", "2021-12-31"), job("公关员", "2020-01-01", "2022-06-30")]
    data = check("3-01-01-04", "四级", person(work=work))
    assert data["met"][1] is False and "4年6个月" in data["reason"][1]
    # a job lying wholly inside another adds nothing
    work = [job(SHE, "2019-01-01", "2023-12-30"), job("劝募员", "2020-01-01", "2020-12-31")]
    assert check("3-01-01-04", "四级", person(work=work))["met"][1] is False


def test_she_4_clause1_cumulative_adds_separate_stretches(check):
    two = job(SHE, "2010-01-01", "2011-12-31")  # 2 years
    assert check("3-01-01-04", "四级", person(work=[two, job("行政办事员", "2015-03-01", "2018-02-28")]))["met"][1]
    data = check("3-01-01-04", "四级", person(work=[two, job("行政办事员", "2015-03-01", "2018-02-27")]))
    assert data["met"][1] is False
    # with an ongoing job the missing 3 years are worked from its start on
    data = check("3-01-01-04", "四级", person(work=[two, job(SHE, "2025-01-01")]))
    assert data["met"][1] is False and data["earliest_date"] == "2028-01-01"


@pytest.mark.parametrize("occupation", RELATED)
def test_she_4_clause1_related_occupations_count(check, occupation):
    assert check("3-01-01-04", "四级", person(work=[job(occupation, "2015-01-01")]))["met"][1] is True


def test_she_4_clause1_unrelated_occupation_does_not(check):
    data = check("3-01-01-04", "四级", person(work=[job("会计", "2000-01-01"), job("劳动保障协理员", "2000-01-01")]))
    assert data["met"][1] is False and data["earliest_date"] is None


def test_she_4_clause2_three_years_after_the_5_certificate(check):
    base = {"work": [job(SHE, "2021-06-01")], "certificates": [cert("五级", "2022-01-01")]}
    data = check("3-01-01-04", "四级", person(**base), as_of="2025-01-01")
    assert data["satisfied"] == [2]
    data = check("3-01-01-04", "四级", person(**base), as_of="2024-12-31")
    assert data["met"][2] is False and data["earliest_date"] == "2025-01-01"


def test_she_4_clause2_work_before_the_certificate_does_not_count(check):
    # 6 years of work (clause 1 met) but only 2 of them after the certificate.
    base = {"work": [job(SHE, "2017-01-01", "2022-12-31")], "certificates": [cert("五级", "2021-01-01")]}
    data = check("3-01-01-04", "四级", person(**base))
    assert data["satisfied"] == [1] and data["met"][2] is False


def test_she_4_clause2_certificate_of_related_vs_unrelated_occupation(check):
    work = [job("公关员", "2021-01-01", "2024-06-30")]
    assert check("3-01-01-04", "四级", person(work=work, certificates=[cert("五级", "2021-01-01", "公关员")]))["met"][2]
    data = check("3-01-01-04", "四级", person(work=work, certificates=[cert("五级", "2021-01-01", "会计")]))
    assert data["met"][2] is False


@pytest.mark.parametrize(
    "school_, program, major, met",
    [
        ("普通高等学校", "本科", "行政管理", True),
        ("普通高等学校", "本科", "公共关系学", True),
        ("普通高等学校", "本科", "公共关系", False),  # 公共关系 is the 高职专科 name; 本科 lists 公共关系学
        ("普通高等学校", "本科", "会计学", False),
        ("普通高等学校", "专科", "人力资源管理", True),
        ("普通高等学校", "专科", "慈善管理", False),  # 本科 list only
        ("高等职业学校", "专科", "公共关系", True),
        ("高等职业学校", "专科", "现代文秘", True),
        ("高等职业学校", "本科", "慈善管理", True),  # 高职本科
        ("高等职业学校", "本科", "公共事业管理", False),
        ("中等职业学校", "中职", "文秘", True),
        ("中等职业学校", "中职", "行政管理", False),  # not in the 中职 list
        ("技工学校", "中级工班", "商务礼仪服务", True),
        ("技师学院", "中级工班", "行政管理", True),
        ("高级技工学校", "高级工班", "人力资源管理", True),
        ("技工学校", "高级工班", "商务礼仪服务", False),  # 中级 list only
    ],
)
def test_she_4_clause3_related_major_per_school_type_and_program(check, school_, program, major, met):
    data = check("3-01-01-04", "四级", person(education=[school(school_, program, major)]))
    assert data["met"][3] is met and data["eligible"] is met


def test_she_4_clause3_final_year_counts_enrolled_does_not(check):
    row = school("普通高等学校", "本科", "行政管理", status="final_year")
    assert check("3-01-01-04", "四级", person(education=[row]))["met"][3] is True
    row = school("普通高等学校", "本科", "行政管理", status="enrolled")
    data = check("3-01-01-04", "四级", person(education=[row]))
    assert data["met"][3] is False and data["earliest_date"] is None


# ====================================================================== 3-01-01-04 三级


def test_she_3_clause1_ten_years_cumulative(check):
    assert check("3-01-01-04", "三级", person(work=[job(SHE, "2016-11-22")]))["satisfied"] == [1]
    data = check("3-01-01-04", "三级", person(work=[job(SHE, "2016-11-23")]))
    assert data["met"][1] is False and data["earliest_date"] == "2026-11-23"


def test_she_3_clause2_four_years_after_the_4_certificate(check):
    base = {"work": [job("村务和社区工作者", "2020-01-01")], "certificates": [cert("四级", "2022-11-22")]}
    assert check("3-01-01-04", "三级", person(**base))["satisfied"] == [2]
    base["certificates"] = [cert("四级", "2022-11-23")]
    data = check("3-01-01-04", "三级", person(**base))
    assert data["met"][2] is False and data["earliest_date"] == "2026-11-23"
    base["certificates"] = [cert("五级", "2020-01-01")]  # a lower level does not do
    assert check("3-01-01-04", "三级", person(**base))["met"][2] is False


def test_she_3_clause3_one_year_after_a_matching_junior_title(check):
    base = {"work": [job(SHE, "2024-01-01")], "titles": [title("初级", "2025-11-22")]}
    assert check("3-01-01-04", "三级", person(**base))["satisfied"] == [3]
    data = check("3-01-01-04", "三级", person(**base), as_of="2026-11-21")
    assert data["met"][3] is False and data["earliest_date"] == "2026-11-22"
    base["titles"] = [title("初级", "2020-01-01", matches_field=False)]  # 符合专业对应关系 only
    assert check("3-01-01-04", "三级", person(**base))["met"][3] is False


@pytest.mark.parametrize(
    "row, met",
    [
        (school("技工学校", "高级工班", "行政管理"), True),
        (school("技师学院", "技师班", "人力资源管理"), True),  # 高级工班及以上
        (school("高级技工学校", "预备技师班", "行政管理"), True),
        (school("技工学校", "高级工班", "行政管理", status="final_year"), True),
        (school("技工学校", "高级工班", "行政管理", status="enrolled"), False),
        (school("技工学校", "中级工班", "行政管理"), False),  # below 高级工班
        (school("技工学校", "高级工班", "会计"), False),
        (school("普通高等学校", "本科", "行政管理"), False),  # 技工院校 only
    ],
)
def test_she_3_clause4_skilled_worker_school_senior_class(check, row, met):
    assert check("3-01-01-04", "三级", person(education=[row]))["met"][4] is met


def test_she_3_clause5_4_certificate_and_higher_vocational_diploma(check):
    diploma = school("普通高等学校", "本科", "行政管理")
    data = check(
        "3-01-01-04", "三级", person(certificates=[cert("四级", "2024-01-01", "政务服务办事员")], education=[diploma])
    )
    assert data["satisfied"] == [5]
    final = school("高等职业学校", "专科", "社区管理与服务", status="final_year")
    assert check("3-01-01-04", "三级", person(certificates=[cert("四级", "2024-01-01")], education=[final]))["met"][5]
    assert check("3-01-01-04", "三级", person(education=[diploma]))["met"][5] is False  # no certificate
    other = school("普通高等学校", "本科", "会计学")
    assert (
        check("3-01-01-04", "三级", person(certificates=[cert("四级", "2024-01-01")], education=[other]))["met"][5]
        is False
    )
    secondary = school("中等职业学校", "中职", "文秘")
    assert (
        check("3-01-01-04", "三级", person(certificates=[cert("四级", "2024-01-01")], education=[secondary]))["met"][5]
        is False
    )


def test_she_3_clause6_assessed_diploma(check):
    assessed = school("高等职业学校", "专科", "社会工作", assessed=True)
    assert check("3-01-01-04", "三级", person(education=[assessed]))["satisfied"] == [6]
    assert (
        check("3-01-01-04", "三级", person(education=[school("高等职业学校", "专科", "社会工作")]))["met"][6] is False
    )
    final = school("普通高等学校", "本科", "信息资源管理", status="final_year", assessed=True)
    assert check("3-01-01-04", "三级", person(education=[final]))["met"][6] is True
    unrelated = school("普通高等学校", "本科", "会计学", assessed=True)
    assert check("3-01-01-04", "三级", person(education=[unrelated]))["met"][6] is False


# ====================================================================== 3-01-01-04 二级


def test_she_2_clause1_five_years_after_the_3_certificate(check):
    base = {"work": [job(SHE, "2015-01-01")], "certificates": [cert("三级", "2021-11-22")]}
    assert check("3-01-01-04", "二级", person(**base))["satisfied"] == [1]
    base["certificates"] = [cert("三级", "2021-11-23")]
    data = check("3-01-01-04", "二级", person(**base))
    assert data["eligible"] is False and data["earliest_date"] == "2026-11-23"


def test_she_2_clause2_junior_title_five_years_and_one_year_after_the_3_certificate(check):
    base = {
        "work": [job(SHE, "2020-01-01")],
        "titles": [title("初级", "2021-01-01")],
        "certificates": [cert("三级", "2025-11-22")],
    }
    assert check("3-01-01-04", "二级", person(**base))["satisfied"] == [2]
    base["certificates"] = [cert("三级", "2025-11-23")]  # 1 day short of the year after the certificate
    data = check("3-01-01-04", "二级", person(**base))
    assert data["met"][2] is False and data["earliest_date"] == "2026-11-23"
    base["certificates"] = [cert("三级", "2024-01-01")]
    base["titles"] = [title("初级", "2021-11-23")]  # 1 day short of 5 years after the title
    data = check("3-01-01-04", "二级", person(**base))
    assert data["met"][2] is False and data["earliest_date"] == "2026-11-23"


def test_she_2_clause3_one_year_after_an_intermediate_title(check):
    base = {"work": [job(SHE, "2020-01-01")], "titles": [title("中级", "2025-11-22")]}
    assert check("3-01-01-04", "二级", person(**base))["satisfied"] == [3]
    base["titles"] = [title("初级", "2015-01-01")]
    assert check("3-01-01-04", "二级", person(**base))["met"][3] is False
    base["titles"] = [title("中级", "2015-01-01", matches_field=False)]
    assert check("3-01-01-04", "二级", person(**base))["met"][3] is False


def test_she_2_clause4_senior_technical_school_graduate_with_3_certificate(check):
    base = {
        "work": [job(SHE, "2024-11-22")],
        "certificates": [cert("三级", "2024-06-01")],
        "education": [school("高级技工学校", "高级工班", "会计")],
    }
    assert check("3-01-01-04", "二级", person(**base))["satisfied"] == [4]
    base["education"] = [school("技师学院", "技师班")]
    assert check("3-01-01-04", "二级", person(**base))["met"][4] is True
    base["education"] = [school("技工学校", "高级工班", "行政管理")]  # not 高级技工学校/技师学院
    assert check("3-01-01-04", "二级", person(**base))["met"][4] is False
    base["education"] = [school("高级技工学校", "高级工班", "会计")]
    base["work"] = [job(SHE, "2024-11-23")]  # 1 day short of 2 years
    data = check("3-01-01-04", "二级", person(**base))
    assert data["met"][4] is False and data["earliest_date"] == "2026-11-23"


def test_she_2_clause5_technician_class_student_holding_3_certificate_two_years(check):
    base = {
        "certificates": [cert("三级", "2024-11-22")],
        "education": [school("技师学院", "技师班", status="enrolled")],
    }
    assert check("3-01-01-04", "二级", person(**base))["satisfied"] == [5]
    base["education"] = [school("技师学院", "预备技师班", status="final_year")]
    assert check("3-01-01-04", "二级", person(**base))["met"][5] is True
    base["certificates"] = [cert("三级", "2024-11-23")]
    data = check("3-01-01-04", "二级", person(**base))
    assert data["met"][5] is False and data["earliest_date"] == "2026-11-23"
    base["certificates"] = [cert("三级", "2020-01-01")]
    base["education"] = [school("技师学院", "高级工班", status="enrolled")]  # not a 技师班 student
    assert check("3-01-01-04", "二级", person(**base))["met"][5] is False


# ====================================================================== 3-01-01-04 一级


def test_she_1_clause1_five_years_after_the_2_certificate(check):
    base = {"work": [job("公关员", "2015-01-01")], "certificates": [cert("二级", "2021-11-22", "公关员")]}
    assert check("3-01-01-04", "一级", person(**base))["satisfied"] == [1]
    base["certificates"] = [cert("三级", "2010-01-01", "公关员")]
    assert check("3-01-01-04", "一级", person(**base))["eligible"] is False


def test_she_1_clause2_intermediate_title_five_years_and_one_year_after_the_2_certificate(check):
    base = {
        "work": [job(SHE, "2019-01-01")],
        "titles": [title("中级", "2020-01-01")],
        "certificates": [cert("二级", "2025-11-22")],
    }
    assert check("3-01-01-04", "一级", person(**base))["satisfied"] == [2]
    base["titles"] = [title("初级", "2020-01-01")]
    assert check("3-01-01-04", "一级", person(**base))["met"][2] is False
    base["titles"] = [title("中级", "2020-01-01")]
    base["certificates"] = [cert("二级", "2026-01-01")]
    data = check("3-01-01-04", "一级", person(**base))
    assert data["met"][2] is False and data["earliest_date"] == "2027-01-01"


def test_she_1_clause3_one_year_after_a_senior_title(check):
    base = {"work": [job(SHE, "2020-01-01")], "titles": [title("副高", "2025-11-22")]}
    assert check("3-01-01-04", "一级", person(**base))["satisfied"] == [3]
    base["titles"] = [title("正高", "2025-11-23")]
    data = check("3-01-01-04", "一级", person(**base))
    assert data["met"][3] is False and data["earliest_date"] == "2026-11-23"
    base["titles"] = [title("中级", "2010-01-01")]
    assert check("3-01-01-04", "一级", person(**base))["met"][3] is False


# ====================================================================== 3-01-04-03 五级


def test_lb_5_clause1_preparatory_training_hours_and_certificate(check):
    assert check("3-01-04-03", "五级", person(training=[training("五级", 30)]))["satisfied"] == [1]
    assert check("3-01-04-03", "五级", person(training=[training("五级", 29)]))["met"][1] is False
    assert check("3-01-04-03", "五级", person(training=[training("五级", 120, False)]))["met"][1] is False
    assert check("3-01-04-03", "五级", person(training=[training("四级", 80)]))["met"][1] is False  # another level


def test_lb_5_clause2_half_a_year_continuous(check):
    assert check("3-01-04-03", "五级", person(work=[job(LB, "2026-01-01", "2026-06-30")]))["satisfied"] == [2]
    data = check("3-01-04-03", "五级", person(work=[job(LB, "2026-01-01", "2026-06-29")]))
    assert data["met"][2] is False and data["earliest_date"] is None
    assert check("3-01-04-03", "五级", person(work=[job(LB, "2026-05-22")]))["met"][2] is True
    data = check("3-01-04-03", "五级", person(work=[job(LB, "2026-05-23")]))
    assert data["met"][2] is False and data["earliest_date"] == "2026-11-23"


def test_lb_5_clause2_continuous_touching_vs_one_day_gap(check):
    touching = [job(LB, "2025-01-01", "2025-03-31"), job(LB, "2025-04-01", "2025-06-30")]
    assert check("3-01-04-03", "五级", person(work=touching))["met"][2] is True
    overlapping = [job(LB, "2025-01-01", "2025-04-10"), job(LB, "2025-04-01", "2025-06-30")]
    assert check("3-01-04-03", "五级", person(work=overlapping))["met"][2] is True
    gap = [job(LB, "2025-01-01", "2025-03-31"), job(LB, "2025-04-02", "2025-06-30")]
    data = check("3-01-04-03", "五级", person(work=gap))
    assert data["met"][2] is False


def test_lb_5_clause2_own_occupation_only(check):
    data = check("3-01-04-03", "五级", person(work=[job(SHE, "2020-01-01"), job("公关员", "2020-01-01")]))
    assert data["eligible"] is False and data["earliest_date"] is None


@pytest.mark.parametrize(
    "row, met3, met4",
    [
        (school("技工学校", "中级工班", status="final_year"), True, False),
        (school("中等职业学校", "中职", "会计", status="final_year"), True, False),
        (school("高等职业学校", "专科", status="final_year"), True, True),
        (school("普通高等学校", "本科", "会计学", status="final_year"), False, True),
        (school("普通高等学校", "研究生", status="final_year"), False, True),
        (school("技工学校", "中级工班", status="enrolled"), False, False),
        (school("普通高等学校", "本科", status="enrolled"), False, False),
        (school("普通高等学校", "本科"), False, False),  # graduated: no longer in the 毕业学年
    ],
)
def test_lb_5_clauses3_4_final_year_internship(check, row, met3, met4):
    data = check("3-01-04-03", "五级", person(education=[row]))
    assert (data["met"][3], data["met"][4]) == (met3, met4)


# ====================================================================== 3-01-04-03 四级


def test_lb_4_clause1_preparatory_training(check):
    assert check("3-01-04-03", "四级", person(training=[training("四级", 80)]))["satisfied"] == [1]
    assert check("3-01-04-03", "四级", person(training=[training("四级", 79.5)]))["met"][1] is False
    assert check("3-01-04-03", "四级", person(training=[training("四级", 80, False)]))["met"][1] is False
    assert check("3-01-04-03", "四级", person(training=[training("五级", 80)]))["met"][1] is False


def test_lb_4_clause2_two_years_continuous(check):
    assert check("3-01-04-03", "四级", person(work=[job(LB, "2024-11-22")]))["satisfied"] == [2]
    data = check("3-01-04-03", "四级", person(work=[job(LB, "2024-11-23")]))
    assert data["met"][2] is False and data["earliest_date"] == "2026-11-23"
    # 连续 is not 累计: two stretches of 1.5 years split by one day
    split = [job(LB, "2022-01-01", "2023-06-30"), job(LB, "2023-07-02", "2024-12-31")]
    assert check("3-01-04-03", "四级", person(work=split))["met"][2] is False
    joined = [job(LB, "2022-01-01", "2023-06-30"), job(LB, "2023-07-01", "2023-12-31")]
    assert check("3-01-04-03", "四级", person(work=joined))["met"][2] is True


def test_lb_4_clause2_one_year_continuous_after_the_5_certificate(check):
    base = {"work": [job(LB, "2025-06-01")], "certificates": [cert("五级", "2025-11-22", LB)]}
    assert check("3-01-04-03", "四级", person(**base))["satisfied"] == [2]
    # work before the certificate does not count: 1 year 5 months of work, 11 months after it
    base["certificates"] = [cert("五级", "2025-12-22", LB)]
    data = check("3-01-04-03", "四级", person(**base))
    assert data["met"][2] is False and data["earliest_date"] == "2026-12-22"
    # the certificate must be of this occupation (本职业)
    base["certificates"] = [cert("五级", "2025-01-01", SHE)]
    assert check("3-01-04-03", "四级", person(**base))["met"][2] is False


def test_lb_4_clause3_vocational_graduate_one_year_continuous(check):
    grad = school("中等职业学校", "中职", "会计", graduated="2025-07-01")
    assert check("3-01-04-03", "四级", person(education=[grad], work=[job(LB, "2025-08-01")]))["satisfied"] == [3]
    data = check("3-01-04-03", "四级", person(education=[grad], work=[job(LB, "2025-11-23")]))
    assert data["met"][3] is False and data["earliest_date"] == "2026-11-23"
    tech = school("技工学校", "中级工班", graduated="2024-07-01")
    assert check("3-01-04-03", "四级", person(education=[tech], work=[job(LB, "2025-01-01", "2025-12-31")]))["met"][3]
    uni = school("普通高等学校", "本科", graduated="2020-07-01")  # not a 技工院校/职业院校
    assert (
        check("3-01-04-03", "四级", person(education=[uni], work=[job(LB, "2025-01-01", "2025-12-31")]))["met"][3]
        is False
    )


def test_lb_4_clause4_college_diploma_half_a_year_continuous(check):
    college = school("高等职业学校", "专科", "会计")
    assert check("3-01-04-03", "四级", person(education=[college], work=[job(LB, "2026-05-22")]))["satisfied"] == [4]
    data = check("3-01-04-03", "四级", person(education=[college], work=[job(LB, "2026-05-23")]))
    assert data["met"][4] is False and data["earliest_date"] == "2026-11-23"
    secondary = school("中等职业学校", "中职", "会计", graduated="2010-07-01")
    assert check("3-01-04-03", "四级", person(education=[secondary], work=[job(LB, "2026-05-22")]))["met"][4] is False
    final = school("普通高等学校", "本科", status="final_year")  # 学历 means a diploma held
    assert check("3-01-04-03", "四级", person(education=[final], work=[job(LB, "2026-05-22")]))["met"][4] is False


# ====================================================================== 3-01-04-03 三级


def test_lb_3_clause1_4_certificate_one_year_and_training(check):
    base = {
        "work": [job(LB, "2024-01-01")],
        "certificates": [cert("四级", "2025-11-22", LB)],
        "training": [training("三级", 80)],
    }
    assert check("3-01-04-03", "三级", person(**base))["satisfied"] == [1]
    base["training"] = [training("三级", 80, False)]
    data = check("3-01-04-03", "三级", person(**base))
    assert data["met"][1] is False and data["eligible"] is False
    base["training"] = [training("三级", 60)]
    assert check("3-01-04-03", "三级", person(**base))["met"][1] is False
    base["training"] = [training("三级", 80)]
    base["certificates"] = [cert("四级", "2025-11-23", LB)]
    data = check("3-01-04-03", "三级", person(**base))
    assert data["met"][1] is False and data["earliest_date"] == "2026-11-23"


def test_lb_3_clause2_two_years_continuous_after_the_4_certificate(check):
    base = {"work": [job(LB, "2020-01-01")], "certificates": [cert("四级", "2024-11-22", LB)]}
    assert check("3-01-04-03", "三级", person(**base))["satisfied"] == [2]
    base["certificates"] = [cert("四级", "2024-11-23", LB)]  # 6 years of work, but only 1y11m after
    data = check("3-01-04-03", "三级", person(**base))
    assert data["met"][2] is False and data["earliest_date"] == "2026-11-23"
    # 连续: 1y6m, a one-day gap, 1y, another gap, then an ongoing stretch that counts afresh
    gap = [job(LB, "2023-01-01", "2024-06-30"), job(LB, "2024-07-02", "2025-07-01"), job(LB, "2025-07-03")]
    base = {"work": gap, "certificates": [cert("四级", "2022-01-01", LB)]}
    data = check("3-01-04-03", "三级", person(**base))
    assert data["met"][2] is False and data["earliest_date"] == "2027-07-03"


def test_lb_3_clause3_technician_class_graduate_one_year(check):
    grad = school("技师学院", "技师班", graduated="2024-07-01")
    assert check("3-01-04-03", "三级", person(education=[grad], work=[job(LB, "2025-11-22")]))["satisfied"] == [3]
    data = check("3-01-04-03", "三级", person(education=[grad], work=[job(LB, "2025-11-23")]))
    assert data["met"][3] is False and data["earliest_date"] == "2026-11-23"
    senior = school("技工学校", "高级工班", graduated="2024-07-01")
    assert check("3-01-04-03", "三级", person(education=[senior], work=[job(LB, "2020-01-01")]))["met"][3] is False


def test_lb_3_clause4_bachelor_one_year(check):
    bachelor = school("普通高等学校", "本科", "会计学")
    assert check("3-01-04-03", "三级", person(education=[bachelor], work=[job(LB, "2025-11-22")]))["satisfied"] == [4]
    data = check("3-01-04-03", "三级", person(education=[bachelor], work=[job(LB, "2025-11-23")]))
    assert data["met"][4] is False and data["earliest_date"] == "2026-11-23"
    college = school("普通高等学校", "专科")
    assert check("3-01-04-03", "三级", person(education=[college], work=[job(LB, "2020-01-01")]))["met"][4] is False
    # 3-01-04-03 lists no related occupation: other work does not count
    assert check("3-01-04-03", "三级", person(education=[bachelor], work=[job(SHE, "2020-01-01")]))["met"][4] is False


# ====================================================================== applications


@pytest.fixture
def people(make_user, token_for):
    make_user("applicant", center="甲中心")
    make_user("head", role="center_admin", center="甲中心")
    make_user("grader1", role="grader", center="甲中心")
    return {name: token_for(name) for name in ("applicant", "head", "grader1")}


def _apply(client, headers, candidate, standard="3-01-01-04", level="四级"):
    return client.post(
        "/api/v1/applications", json={"standard": standard, "level": level, "candidate": candidate}, headers=headers
    )


def _count(client, headers) -> int:
    return len(client.get("/api/v1/applications", headers=headers).get_json()["applications"])


def test_application_eligible_then_approved(client, people):
    response = _apply(client, people["applicant"], person(work=[job(SHE, "2010-01-01")]))
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "eligible" and isinstance(data["id"], int)
    assert data["eligibility"]["eligible"] is True and data["eligibility"]["satisfied"] == [1]
    assert {"eligible", "satisfied", "clauses", "earliest_date"} <= set(data["eligibility"])
    approved = client.post(
        f"/api/v1/applications/{data['id']}/approve", json={"reason": "材料齐全"}, headers=people["head"]
    )
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"


def test_application_ineligible_then_rejected(client, people):
    response = _apply(client, people["applicant"], person(work=[job("会计", "2010-01-01")]))
    assert response.status_code == 201 and response.get_json()["status"] == "ineligible"
    assert response.get_json()["eligibility"]["eligible"] is False
    app_id = response.get_json()["id"]
    rejected = client.post(
        f"/api/v1/applications/{app_id}/reject", json={"reason": "不符合申报条件"}, headers=people["head"]
    )
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"


def test_application_roles(client, people):
    assert _apply(client, people["head"], person(work=[job(SHE, "2010-01-01")])).status_code == 403
    app_id = _apply(client, people["applicant"], person(work=[job(SHE, "2010-01-01")])).get_json()["id"]
    for who in ("applicant", "grader1"):
        assert (
            client.post(f"/api/v1/applications/{app_id}/approve", json={"reason": "x"}, headers=people[who]).status_code
            == 403
        )
    assert client.post("/api/v1/applications", json={"standard": "3-01-01-04", "level": "四级"}).status_code == 401


def test_application_bad_input_is_refused_and_nothing_stored(client, people):
    headers = people["applicant"]
    bad = [
        ({"standard": "nope", "level": "四级", "candidate": person()}, "standard"),
        ({"standard": "3-01-04-03", "level": "一级", "candidate": person()}, "level"),
        ({"standard": "3-01-01-04", "level": "四级", "candidate": person(work=[job(SHE, "2020-02-30")])}, "start"),
        (
            {
                "standard": "3-01-01-04",
                "level": "四级",
                "candidate": person(work=[job(SHE, "2020-01-01", "2019-01-01")]),
            },
            "end",
        ),
        ({"standard": "3-01-01-04", "level": "四级", "candidate": person(work=[job(SHE, "2999-01-01")])}, "start"),
    ]
    for body, field in bad:
        response = client.post("/api/v1/applications", json=body, headers=headers)
        assert response.status_code == 422, body
        assert field in response.get_json()["error"]["details"]["field"]
    assert _count(client, headers) == 0


def test_eligibility_needs_a_signed_in_user(client):
    response = client.post("/api/v1/eligibility", json={"standard": "3-01-01-04", "level": "五级", "as_of": AS_OF})
    assert response.status_code == 401 and response.get_json()["error"]["code"]
