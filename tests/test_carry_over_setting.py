"""成绩保留 is a platform rule (平台规则), not a clause of 3-01-01-04 or 3-01-04-03 (neither text says
how long a pass is kept): its period is the CARRY_OVER_DAYS setting, 365 days by default, and the pages
label it as the platform's."""

from __future__ import annotations

from datetime import date, timedelta

from app.results.operations import carry_over_days
from scoring.results import CARRY_DAYS, carried_components, carry_until, within_carry_window
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)
from tests.test_carry_over import _age_results, _first_sitting


def test_the_period_is_a_parameter_of_the_pure_rule():
    as_of = date(2027, 3, 1)
    assert CARRY_DAYS == 365
    assert within_carry_window(as_of - timedelta(days=365), as_of) is True
    assert within_carry_window(as_of - timedelta(days=30), as_of, days=30) is True
    assert within_carry_window(as_of - timedelta(days=31), as_of, days=30) is False
    assert carry_until(as_of, days=30) == as_of + timedelta(days=30)
    prior = [(as_of - timedelta(days=31), {"theory": 70, "practical": 40})]
    assert carried_components(prior, as_of, ["theory", "practical"]) == {"theory": 70.0}
    assert carried_components(prior, as_of, ["theory", "practical"], days=30) == {}


def test_default_is_365_days(app):
    with app.app_context():
        assert app.config["CARRY_OVER_DAYS"] == 365 and carry_over_days() == 365


def test_a_shorter_setting_keeps_nothing_beyond_it(app, flow):
    first = _first_sitting(flow, theory=72.5, practical=55)
    _age_results(app, first, 31)
    app.config["CARRY_OVER_DAYS"] = 30
    second = flow.session(["c1"])
    with app.app_context():
        assert flow.enrollment(second, "c1").carried == {}
    app.config["CARRY_OVER_DAYS"] = 365
    third = flow.session(["c1"])
    with app.app_context():
        assert set(flow.enrollment(third, "c1").carried) == {"theory"}


def test_pages_label_it_a_platform_rule(app, login, flow):
    _first_sitting(flow, theory=72.5, practical=55)
    second = flow.session(["c1"])
    page = login("admin1").get(f"/sessions/{second}").get_data(True)
    assert "成绩保留（平台规则）" in page and "365 天" in page
    mine = login("c1").get("/results/mine").get_data(True)
    assert "平台规则" in mine and "365 天" in mine
