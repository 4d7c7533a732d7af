"""The pure rules (scoring/training.py, scoring/continuing_education.py) and the 1.8 data's schema."""

from __future__ import annotations

from datetime import date

import pytest

from app.standards.loader import TEMPLATES_DIR, TemplateError, load_standard_file
from scoring.continuing_education import Requirement, credit_problem, summarize
from scoring.training import HeldCertificate, HeldTitle, completes, held_years, trainer_verdict, venue_problem
from tests.conftest import corrupted_copy

LEVELS = ["五级", "四级", "三级", "二级", "一级"]
ONE = [{"certificate": "一级", "years": 2}, {"title": "高级", "years": 2}]
VENUE = {"theory": ["标准教室", "计算机机房"], "practical": ["专业实操场地", "协会等社会团体"], "min_stations": 3}


def test_two_years_include_the_anniversary():
    assert held_years(date(2020, 3, 1), date(2022, 3, 1), 2)
    assert not held_years(date(2020, 3, 1), date(2022, 2, 28), 2)
    assert held_years(date(2020, 2, 29), date(2022, 2, 28), 2)  # relativedelta: 29 Feb + 2 years = 28 Feb


def test_level_one_trainer_by_certificate_or_title():
    as_of = date(2026, 6, 1)
    short = [HeldCertificate("一级", date(2024, 6, 2))]
    assert not trainer_verdict(ONE, "1.8.2", short, [], LEVELS, as_of).met
    assert trainer_verdict(ONE, "1.8.2", [HeldCertificate("一级", date(2024, 6, 1))], [], LEVELS, as_of).met
    title = [HeldTitle("高级", True, date(2020, 1, 1))]
    assert trainer_verdict(ONE, "1.8.2", short, title, LEVELS, as_of).met
    assert not trainer_verdict(ONE, "1.8.2", [], [HeldTitle("高级", False, date(2020, 1, 1))], LEVELS, as_of).met


def test_a_higher_certificate_covers_the_lower_requirement():
    options = [{"certificate": "三级"}, {"title": "中级"}]
    as_of = date(2026, 1, 1)
    assert trainer_verdict(options, "r", [HeldCertificate("一级", date(2025, 12, 31))], [], LEVELS, as_of).met
    assert not trainer_verdict(options, "r", [HeldCertificate("四级", date(2020, 1, 1))], [], LEVELS, as_of).met
    assert not trainer_verdict(options, "r", [HeldCertificate("三级", date(2026, 1, 2))], [], LEVELS, as_of).met


@pytest.mark.parametrize(
    ("kind", "venue", "ok"),
    [
        ("practical", {"type": "专业实操场地", "stations": 2}, False),
        ("practical", {"type": "workshop", "stations": 3}, True),
        ("theory", {"type": "计算机机房"}, True),
        ("theory", {"type": "专业实操场地", "stations": 9}, False),
        ("both", {"type": "标准教室", "stations": 2}, False),
        ("practical", {"name": "实训室", "type": "实训室", "stations": 3}, True),
        ("practical", {"name": "场地", "stations": 3}, True),  # no type given: the stations decide
        ("theory", {"type": "会议厅"}, False),
    ],
)
def test_venue(kind, venue, ok):
    assert (venue_problem(kind, venue, VENUE) is None) is ok
    assert venue_problem(kind, venue, None) is None  # no 1.8.3: nothing to check


def test_completion_and_credit_boundaries():
    assert completes(120, 120) and not completes(119.5, 120)
    assert credit_problem(8, 8) is None and credit_problem(8, 8.5) and credit_problem(8, -1)
    body = summarize(2026, [("专业科目", 59), ("公需科目", 31)], Requirement())
    assert body["total"] == 90 and not body["met"] and body["shortfall"] == {"total": 0, "专业科目": 1}


def test_a_trainer_rule_for_an_unknown_level_stops_loading(tmp_path):
    bad = corrupted_copy(
        TEMPLATES_DIR / "3-01-01-04.yaml", tmp_path, "    - levels: [三级]\n", "    - levels: [六级]\n"
    )
    with pytest.raises(TemplateError, match="training.trainers"):
        load_standard_file(bad)
