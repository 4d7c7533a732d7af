"""scoring.results, pure: the 60-point pass rule of 1.9.2 at its boundaries, and carry-over (成绩保留)."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from app.timeutil import utcnow
from scoring.results import (
    CARRY_DAYS,
    PASS_MARK,
    carried_components,
    carry_until,
    component_passed,
    level_passed,
    within_carry_window,
)

BEIJING = timezone(timedelta(hours=8))
TWO = ["theory", "practical"]  # 3-01-04-03 every level; 3-01-01-04 五级–三级
THREE = ["theory", "practical", "review"]  # 3-01-01-04 二级/一级 (1.9.2: 综合评审)


def test_pass_mark_is_60_of_1_9_2():
    assert PASS_MARK == 60
    assert CARRY_DAYS == 365


@pytest.mark.parametrize(
    ("score", "passed"),
    [
        (59.99, False),
        (59.999999, False),
        (60, True),
        (60.0, True),
        (60.0000001, True),
        (100, True),
        (0, False),
        (None, False),  # 缺考 / 违纪
        (float("nan"), False),
    ],
)
def test_component_passed_without_rounding(score, passed):
    assert component_passed(score) is passed


def test_mean_of_three_graders_just_below_60_fails():
    # Panel totals 60, 60, 59.97: mean 59.99 — fails although it would print as "60.0" rounded to 1 place.
    mean = (60 + 60 + 59.97) / 3
    assert f"{mean:.1f}" == "60.0"
    assert component_passed(mean) is False


def test_level_passed_needs_every_required_component():
    assert level_passed({"theory": 60, "practical": 75.5}, TWO) is True
    assert level_passed({"theory": 59.99, "practical": 95}, TWO) is False
    assert level_passed({"theory": 80, "practical": None}, TWO) is False  # 缺考 in practical
    assert level_passed({"theory": 80}, TWO) is False  # missing
    assert level_passed({"theory": 80, "practical": 80}, THREE) is False  # 二级 needs 综合评审
    assert level_passed({"theory": 80, "practical": 80, "review": 60}, THREE) is True
    assert level_passed({"theory": 80, "practical": 80, "review": 10}, TWO) is True  # not required
    with pytest.raises(ValueError):
        level_passed({"theory": 80}, [])


def test_carry_inside_the_year():
    now = utcnow()
    prior = [(now - timedelta(days=200), {"theory": 72.5, "practical": 58})]
    assert carried_components(prior, now, TWO) == {"theory": 72.5}


def test_carry_at_exactly_365_days_and_not_at_366():
    now = utcnow()
    at_365 = [(now - timedelta(days=365), {"theory": 66, "practical": 40})]
    at_366 = [(now - timedelta(days=366), {"theory": 66, "practical": 40})]
    assert carried_components(at_365, now, TWO) == {"theory": 66.0}
    assert carried_components(at_366, now, TWO) == {}


def test_window_counts_calendar_days_in_as_of_time_zone():
    as_of = utcnow().astimezone(BEIJING).replace(hour=23, minute=30, second=0, microsecond=0)
    # Published at 08:00 on the day 365 days earlier: 365 days 15.5 hours ago, yet the 365th day.
    published = (as_of - timedelta(days=365)).replace(hour=8, minute=0)
    assert as_of - published > timedelta(days=365)
    assert within_carry_window(published, as_of) is True
    assert within_carry_window(published - timedelta(days=1), as_of) is False  # the 366th day
    # 20:00 UTC is 04:00 the next day in Beijing: the day is counted in as_of's zone.
    day_366_utc_evening = (published - timedelta(days=1)).astimezone(timezone.utc).replace(hour=20, minute=0)
    assert day_366_utc_evening.astimezone(BEIJING).date() == published.date()
    assert within_carry_window(day_366_utc_evening, as_of) is True
    assert within_carry_window(as_of, as_of) is True
    assert within_carry_window(as_of + timedelta(days=1), as_of) is False  # published after as_of
    assert within_carry_window(published.date(), as_of.date()) is True  # plain dates work too
    assert within_carry_window(published.date() - timedelta(days=1), as_of.date()) is False
    assert carry_until(published.date()) == as_of.date()


def test_a_level_already_passed_carries_nothing():
    now = utcnow()
    prior = [
        (now - timedelta(days=300), {"theory": 70, "practical": 50}),
        (now - timedelta(days=100), {"theory": 75, "practical": 80}),  # passed the level
    ]
    assert carried_components(prior, now, TWO) == {}


def test_the_most_recent_pass_is_kept():
    now = utcnow()
    prior = [
        (now - timedelta(days=100), {"theory": 65, "practical": 59.99}),
        (now - timedelta(days=300), {"theory": 90, "practical": 30}),
        (now - timedelta(days=20), {"theory": None, "practical": 61}),  # theory 缺考 this time
    ]
    # theory: passes 300 and 100 days ago -> the one 100 days ago (65), not the higher older one.
    # practical: passed 20 days ago -> 61. Both carried; level never passed within one result.
    assert carried_components(prior, now, TWO) == {"theory": 65.0, "practical": 61.0}


def test_only_required_components_carry_and_failed_ones_never():
    now = utcnow()
    prior = [(now - timedelta(days=10), {"theory": 80, "practical": 40, "review": 70})]
    assert carried_components(prior, now, TWO) == {"theory": 80.0}
    assert carried_components(prior, now, THREE) == {"theory": 80.0, "review": 70.0}
    assert carried_components([(now - timedelta(days=10), {"theory": 59.99})], now, TWO) == {}
    assert carried_components([], now, TWO) == {}


def test_a_pass_outside_the_year_does_not_cancel_carry_from_a_later_attempt():
    now = utcnow()
    prior = [
        (now - timedelta(days=700), {"theory": 90, "practical": 90}),  # old pass, out of the window
        (now - timedelta(days=30), {"theory": 61, "practical": 20}),
    ]
    assert carried_components(prior, now, TWO) == {"theory": 61.0}


def test_the_pass_mark_is_the_standards_own():
    """Issue 24 item 6: the mark is read from the standard, not a constant of the code."""
    assert component_passed(69.99, 70) is False and component_passed(70, 70) is True
    assert component_passed(60, 70) is False and component_passed(60) is True
