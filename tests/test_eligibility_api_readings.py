"""The eligibility readings decided in contract v1.2, through POST /api/v1/eligibility: 同等学力
(``equivalent``), the 见习期 (``probation_end``) and ``as_of`` defaulting to today's Beijing date.
Cases sit on the clauses' own boundaries (3-01-04-03 1.9.1, seeds/001)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from datetime import time as clock_time
from zoneinfo import ZoneInfo

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
