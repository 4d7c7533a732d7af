"""The eligibility readings decided in contract v1.2, through POST /api/v1/eligibility: 同等学力
(``equivalent``), the 见习期 (``probation_end``) and ``as_of`` defaulting to today's Beijing date.
Cases sit on the clauses' own boundaries (3-01-04-03 1.9.1, seeds/001)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta

CHINA = timezone(timedelta(hours=8))


def test_as_of_defaults_to_the_beijing_date_on_a_utc_server(client, make_user, token_for):
    # 18:00Z is 02:00 the next day in Beijing: a UTC server's local date is still the day before.
    day = datetime.now(timezone.utc).date()
    evening = datetime.combine(day, clock_time(18, 0), tzinfo=ZoneInfo("UTC"))
    with time_machine.travel(evening, tick=False):
        assert time.strftime("%Z") == "UTC" and datetime.now().date() == day  # the server's own date
        beijing = datetime.now(CHINA).date()
        assert beijing == day + timedelta(days=1)
        make_user("checker")
        headers = token_for("checker")

        def fifth_level(birth_date):
            body = {"standard": "3-01-01-04", "level": "五级", "candidate": {"birth_date": birth_date.isoformat()}}
            response = client.post("/api/v1/eligibility", json=body, headers=headers)
            assert response.status_code == 200, response.get_json()
            return response.get_json()

        # 1.9.1 五级 (1) 年满16周岁: the 16th birthday falls on the Beijing date, which is today.
        sixteen = beijing - relativedelta(years=16)
        assert fifth_level(sixteen)["satisfied"] == [1]
        data = fifth_level(sixteen + timedelta(days=1))
        assert data["eligible"] is False and data["earliest_date"] == (beijing + timedelta(days=1)).isoformat()
        # A date on the Beijing today is not "after as_of".
        body = {
            "standard": "3-01-01-04",
            "level": "四级",
            "candidate": {"work": [{"occupation": "公关员", "start": beijing.isoformat()}]},
        }
        assert client.post("/api/v1/eligibility", json=body, headers=headers).status_code == 200


LB = "劳动保障协理员"  # 3-01-04-03
SHE = "社团会员管理员"  # 3-01-01-04
AS_OF = "2026-11-22"


@pytest.fixture
def api(client, make_user, token_for):
    """api(standard, level, candidate, as_of) -> (status, json) of POST /api/v1/eligibility."""
    make_user("reader")
    headers = token_for("reader")

    def call(standard: str, level: str, candidate: dict, as_of: str = AS_OF):
        body = {"standard": standard, "level": level, "candidate": candidate, "as_of": as_of}
        response = client.post("/api/v1/eligibility", json=body, headers=headers)
        return response.status_code, response.get_json()

    return call


def clause(api, standard: str, level: str, number: int, candidate: dict, as_of: str = AS_OF) -> dict:
    status, data = api(standard, level, candidate, as_of)
    assert status == 200, data
    found = next(c for c in data["clauses"] if c["clause"] == number)
    return {**found, "earliest_date": data["earliest_date"]}


def job(occupation: str, start: str) -> dict:
    return {"occupation": occupation, "start": start, "end": None}


def test_equivalent_college_counts_only_where_the_clause_says_so(api):
    college = {"equivalent": True, "program": "专科", "status": "graduated", "graduated": "2018-07-01"}
    # 3-01-04-03 四级 (4) 具有大学专科及以上学历（含同等学力），连续从事本职业工作半年以上
    met = clause(api, "3-01-04-03", "四级", 4, {"education": [college], "work": [job(LB, "2026-05-22")]})
    assert met["met"] is True and "同等学力" in met["reason"] and "审核人核验" in met["reason"]
    # half a year is the boundary there too: a day short is not met
    short = clause(api, "3-01-04-03", "四级", 4, {"education": [college], "work": [job(LB, "2026-05-23")]})
    assert short["met"] is False and short["earliest_date"] == "2026-11-23"
    # 3-01-01-04 四级 (3) …专科及以上普通高等学校毕业证书: no （含同等学力）, so the same row does not count
    major = {**college, "major": "行政管理"}
    missed = clause(api, "3-01-01-04", "四级", 3, {"education": [major]})
    assert missed["met"] is False and "同等学力不计" in missed["reason"]


def test_equivalent_of_another_level_is_refused_with_its_field(api):
    status, body = api(
        "3-01-04-03",
        "三级",
        {"education": [{"equivalent": True, "program": "研究生", "status": "graduated", "graduated": "2018-07-01"}]},
    )
    assert status == 422
    assert body["error"]["details"]["field"] == "candidate.education.0.program"
    assert body["error"]["details"]["index"] == 0


def test_probation_last_day_and_the_day_after(api):
    # 3-01-04-03 五级 (3) 技工院校（职业院校）毕业学年实习或见习期的人员
    row = {
        "school": "技工学校",
        "program": "中级工班",
        "status": "graduated",
        "graduated": "2026-07-01",
        "probation_end": AS_OF,
    }
    assert clause(api, "3-01-04-03", "五级", 3, {"education": [row]}, as_of=AS_OF)["met"] is True
    after = clause(api, "3-01-04-03", "五级", 3, {"education": [row]}, as_of="2026-11-23")
    assert after["met"] is False and "见习期已于2026-11-22结束" in after["reason"]
    # the end of the 见习期 may lie after as_of
    assert clause(api, "3-01-04-03", "五级", 3, {"education": [row]}, as_of="2026-09-01")["met"] is True


def test_probation_end_of_a_student_is_refused(api):
    row = {"school": "技工学校", "program": "中级工班", "status": "final_year", "probation_end": "2027-07-01"}
    status, body = api("3-01-04-03", "五级", {"education": [row]})
    assert status == 422 and body["error"]["details"]["field"] == "candidate.education.0.probation_end"


def test_lb_3_clause3_one_year_from_graduation_not_before(api):
    # 技工院校技师班毕业人员连续从事相关职业工作1年以上: 6 years of work, graduated 1 year / 11 months 30 days ago
    work = [job(LB, "2020-01-01")]

    def graduated(day: str) -> dict:
        return {
            "education": [{"school": "技师学院", "program": "技师班", "status": "graduated", "graduated": day}],
            "work": work,
        }

    assert clause(api, "3-01-04-03", "三级", 3, graduated("2025-11-22"))["met"] is True
    short = clause(api, "3-01-04-03", "三级", 3, graduated("2025-11-23"))
    assert short["met"] is False and "11个月30天" in short["reason"] and short["earliest_date"] == "2026-11-23"
