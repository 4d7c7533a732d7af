"""scoring.rating: each formula leaf at its boundary (以上/≥ include the number, < and > do not),
the exact total and grade, spread, agreement — pure, no app."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.rating.frameworks import FRAMEWORKS_DIR, load_framework_file
from scoring.rating import FormulaInputError, exact_sum, exact_total, formula_score, grade_for, leaf_result

FRAMEWORK = load_framework_file(FRAMEWORKS_DIR / "changzhou-vocational.yaml")
GRADES = FRAMEWORK.grade_list()


def score(code: str, **inputs) -> Fraction:
    leaf = FRAMEWORK.node(code)
    return formula_score(leaf.formula.params, leaf.points, inputs)


@pytest.mark.parametrize(("staff", "points"), [(0, 0), (1, 0), (2, 6), (3, 8), (4, 10), (5, 10), (12, 10)])
def test_full_time_staff(staff, points):
    # 2.3.1.1 配备专职工作人员2名（6分），每增加1人加2分，加满10分为止
    assert score("2.3.1.1", full_time_staff=staff) == points


@pytest.mark.parametrize(
    ("code", "inputs", "points"),
    [
        ("2.2.2.2", {"members": 300, "council": 100}, 5),  # 不超过三分之一: exactly a third holds
        ("2.2.2.2", {"members": 300, "council": 101}, 0),
        ("2.2.2.2", {"members": 301, "council": 100}, 5),
        ("2.2.2.3", {"council": 30, "standing_council": 10}, 5),
        ("2.2.2.3", {"council": 30, "standing_council": 11}, 0),
        ("2.3.1.2", {"staff": 10, "under_50": 5}, 5),  # 占50%以上: 50% holds
        ("2.3.1.2", {"staff": 10, "under_50": 4}, 0),
        ("2.3.1.3", {"staff": 9, "college": 5}, 5),
        ("2.3.1.3", {"staff": 9, "college": 4}, 0),
        ("2.4.4.1", {"liabilities": 4.99, "assets": 100}, 5),  # 资产负债率<5%: 5% fails
        ("2.4.4.1", {"liabilities": 5, "assets": 100}, 0),
        ("2.4.4.1", {"liabilities": 0, "assets": 0}, 0),
        ("2.4.4.2", {"net_assets_start": 100, "net_assets_end": 105}, 0),  # 增值率>5%: 5% fails
        ("2.4.4.2", {"net_assets_start": 100, "net_assets_end": 105.01}, 5),
        ("2.4.4.3", {"business_expense": 50, "total_expense": 100}, 5),  # 50%以上 holds at 50%
        ("2.4.4.3", {"business_expense": 49.99, "total_expense": 100}, 0),
        ("4.1.2.2", {"members": 200, "dues_paid": 150}, 10),  # ≥75%
        ("4.1.2.2", {"members": 200, "dues_paid": 149}, 0),
        ("4.1.2.3", {"members": 200, "attended": 160}, 10),  # ≥80%
        ("4.1.2.3", {"members": 200, "attended": 159}, 0),
    ],
)
def test_ratio_leaves_at_their_boundaries(code, inputs, points):
    assert score(code, **inputs) == points


@pytest.mark.parametrize(
    ("series", "points"),
    [
        ([10000, 10300, 10609, 10927.27], 10),  # exactly 3% a year for 3 years
        ([10000, 10300, 10609, 10927], 0),  # just under
        ([10000, 10300, 10609], 10),  # a younger organization: 2 years of growth
        ([10000, 10300, 10608], 0),
        ([100, 90, 120, 110], 10),  # compound: 110/100 over 3 years ≥ 1.03³
        ([0, 10, 20], 0),
    ],
)
def test_member_growth(series, points):
    # 4.1.2.1 近三年内会员的平均年增长率≥3%
    assert score("4.1.2.1", members_by_year=series) == points


def test_missing_or_bad_inputs_name_the_input():
    with pytest.raises(FormulaInputError) as missing:
        score("2.2.2.2", members=10)
    assert missing.value.name == "council"
    with pytest.raises(FormulaInputError):
        score("2.3.1.2", staff=10, under_50=11)  # a part larger than its whole
    with pytest.raises(FormulaInputError):
        score("4.1.2.1", members_by_year=[100])
    with pytest.raises(FormulaInputError):
        score("2.3.1.1", full_time_staff=2.5)


def test_grades_compared_without_rounding():
    assert grade_for(Fraction(2852, 3), GRADES) == "4A"  # 950.6667: a third under 951
    assert grade_for(951, GRADES) == "5A"
    assert grade_for(Fraction(2552, 3), GRADES) == "2A"  # 850.6667: under 3A's 851
    assert grade_for(750.9999, GRADES) is None
    assert grade_for(751, GRADES) == "1A"


def test_leaf_mean_spread_and_exact_total():
    result = leaf_result([4, 4, 3])
    assert result.exact == Fraction(11, 3) and result.spread == 1 and result.score == pytest.approx(11 / 3)
    assert exact_total({"a": Fraction(1, 3), "b": Fraction(2, 3), "c": 950}) == 951


def test_sums_are_exact_over_mixed_denominators():
    """Scores are read as the decimals they were written as and added exactly (over one common
    denominator): 0.1 + 0.2 is 3/10, not 0.30000000000000004; halves, tenths, thirds and integers mix."""
    assert exact_sum([0.1, 0.2]) == Fraction(3, 10)
    assert exact_sum([2.5, 0.25, Fraction(1, 3), 7, 0.05]) == Fraction(5, 2) + Fraction(1, 4) + Fraction(
        1, 3
    ) + 7 + Fraction(1, 20)
    assert exact_sum([]) == 0 and exact_sum([-0.5, 0.5]) == 0
    assert leaf_result([3.5, 4, 3.3]).exact == Fraction(18, 5)  # 10.8 / 3, exactly
    tenths = {f"leaf{k}": 0.1 for k in range(10)}  # sum() of ten 0.1 floats is 0.9999999999999999
    assert exact_total(tenths) == 1 and grade_for(exact_total({**tenths, "rest": 950}), GRADES) == "5A"
