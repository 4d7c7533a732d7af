"""scoring.agreement, pure: rater agreement against published values and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.agreement import (
    RULE,
    consistency,
    flag_graders,
    icc_a1,
    icc_c1,
    kendall_w,
    mean_squares,
    panel_agreement,
    severity,
    spread,
)

# Shrout & Fleiss (1979), Table 2: 6 targets (rows) × 4 judges (columns).
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def test_shrout_fleiss_mean_squares_as_published():
    # Their Table 3: BMS 11.24, JMS 32.49, EMS 1.02.
    msr, msc, mse = mean_squares(SHROUT_FLEISS)
    assert round(msr, 2) == 11.24
    assert round(msc, 2) == 32.49
    assert round(mse, 2) == 1.02


def test_shrout_fleiss_icc_a1_is_0_290():
    # R psych::ICC "ICC2" 0.29; DescTools::ICC 0.2898 (ICC2 single). Exact: 1.226 / 4.2337...
    value = icc_a1(SHROUT_FLEISS)
    assert isinstance(value, float)
    assert round(value, 2) == 0.29
    assert round(value, 4) == 0.2898


def test_shrout_fleiss_icc_c1_is_0_715():
    # ICC(3,1) in Shrout & Fleiss: 0.71 (psych "ICC3" 0.71, DescTools 0.7148).
    assert round(icc_c1(SHROUT_FLEISS), 4) == 0.7148


def test_icc_absolute_agreement_punishes_an_offset_that_consistency_ignores():
    base = np.array([[50, 52, 49], [60, 61, 62], [70, 69, 71], [80, 82, 79]], dtype=float)
    shifted = base + np.array([0, 0, 15])  # one grader 15 points more lenient on everyone
    assert icc_c1(shifted) == pytest.approx(icc_c1(base))
    assert icc_a1(shifted) < icc_a1(base) - 0.1


def test_icc_perfect_agreement_is_one_and_degenerate_tables_are_none():
    assert icc_a1([[60, 60, 60], [70, 70, 70], [85, 85, 85]]) == pytest.approx(1.0)
    assert icc_a1([[70, 70, 70], [70, 70, 70]]) is None  # zero variance: denominator 0
    assert icc_a1([[60, 70, 80]]) is None  # one candidate
    assert icc_a1([[60], [70]]) is None  # one grader
    assert icc_a1([]) is None


def test_kendall_w_shrout_fleiss_with_ties():
    # Ranks per judge (ties share the mean rank) and the tie terms T = Σ(t³ − t):
    #   judge 1: 9 6 8 7 10 6 -> 5 1.5 4 3 6 1.5          T = 2³−2 = 6
    #   judge 2: 2 1 4 1 5 2  -> 3.5 1.5 5 1.5 6 3.5      T = 6 + 6 = 12
    #   judge 3: 5 3 6 2 6 4  -> 4 2 5.5 1 5.5 3          T = 6
    #   judge 4: 8 2 8 6 9 7  -> 4.5 1 4.5 2 6 3          T = 6
    # Rank sums R = 17, 6, 19, 7.5, 23.5, 11 (mean 14, total 84 = m·n(n+1)/2);
    # S = 3² + 8² + 5² + 6.5² + 9.5² + 3² = 239.5; ΣT = 30.
    # W = 12·239.5 / (4²·(6³ − 6) − 4·30) = 2874 / 3240 = 0.887037...
    # (without the correction 2874 / 3360 = 0.8554: irr::kendall(correct = FALSE)).
    assert kendall_w(SHROUT_FLEISS) == pytest.approx(2874 / 3240)
    assert round(kendall_w(SHROUT_FLEISS), 3) == 0.887


def test_kendall_w_small_table_with_ties():
    # 4 candidates × 3 graders.
    #   grader A: 10 8 8 5 -> 4 2.5 2.5 1   T = 6
    #   grader B: 8 8 6 6  -> 3.5 3.5 1.5 1.5   T = 6 + 6 = 12
    #   grader C: 9 7 7 3  -> 4 2.5 2.5 1   T = 6
    # R = 11.5, 8.5, 6.5, 3.5 (mean 7.5); S = 4² + 1² + 1² + 4² = 34; ΣT = 24.
    # W = 12·34 / (3²·(4³ − 4) − 3·24) = 408 / 468 = 34/39 = 0.8718
    table = [[10, 8, 9], [8, 8, 7], [8, 6, 7], [5, 6, 3]]
    assert kendall_w(table) == pytest.approx(34 / 39)
    assert kendall_w(table) != pytest.approx(408 / 540)  # the uncorrected value differs


def test_kendall_w_without_ties_is_12s_over_m2_n3_minus_n():
    # Ranks A 1 2 3 4, B 2 1 3 4, C 1 3 2 4 -> R = 4, 6, 8, 12 (mean 7.5);
    # S = 3.5² + 1.5² + 0.5² + 4.5² = 35; W = 12·35 / (3²·(4³ − 4)) = 420 / 540 = 7/9.
    table = [[55, 62, 50], [60, 58, 65], [70, 75, 61], [80, 90, 85]]
    assert kendall_w(table) == pytest.approx(7 / 9)


def test_kendall_w_bounds_and_degenerate_tables():
    same_order = [[60, 61, 65], [70, 72, 75], [80, 83, 85]]
    assert kendall_w(same_order) == pytest.approx(1.0)
    assert kendall_w([[60, 70], [70, 60]]) == pytest.approx(0.0)  # opposite orders
    assert kendall_w([[70, 70, 70], [70, 70, 70], [70, 70, 70]]) is None  # all tied: 0/0
    assert kendall_w([[60, 70, 80]]) is None
    assert kendall_w([[60], [70]]) is None


# 3 candidates × 3 graders; panel means per candidate 76, 62, 84.
THREE = [[70, 76, 82], [60, 64, 62], [80, 82, 90]]


def test_severity_by_hand():
    # g1: (70−76, 60−62, 80−84) = (−6, −2, −4) -> −4 (harsh); g2: (0, 2, −2) -> 0; g3: (6, 0, 6) -> 4.
    assert severity(THREE) == pytest.approx([-4.0, 0.0, 4.0])
    assert all(isinstance(value, float) for value in severity(THREE))


def test_consistency_by_hand():
    # g1 (70, 60, 80) vs others' mean (79, 63, 86): deviations (0, −10, 10) and (3, −13, 10)
    #   -> r = 230 / √(200·278)
    # g2 (76, 64, 82) vs (76, 61, 85): (2, −10, 8) and (2, −13, 11) -> r = 222 / √(168·294)
    # g3 (82, 62, 90) vs (73, 62, 81): (4, −16, 12) and (1, −10, 9) -> r = 272 / √(416·182)
    expected = [230 / math.sqrt(200 * 278), 222 / math.sqrt(168 * 294), 272 / math.sqrt(416 * 182)]
    assert consistency(THREE) == pytest.approx(expected)


def test_zero_variance_and_too_few_candidates_give_none():
    flat = [[70, 65, 82], [70, 64, 62], [70, 82, 90]]  # g1 gives everyone 70
    assert consistency(flat)[0] is None
    assert consistency(flat)[1] is not None
    assert severity([[70, 80, 90]]) == [None, None, None]  # one candidate: not computable
    assert consistency([[70, 80, 90]]) == [None, None, None]
    assert consistency([[70], [80]]) == [None]  # nobody to compare with


def test_flag_graders_rule():
    # g3 is 8 points more lenient than the panel on every candidate: flagged on severity.
    lenient = [[70, 71, 83], [60, 62, 73], [80, 79, 91], [65, 66, 77]]
    assert severity(lenient)[2] > 5
    assert flag_graders(lenient) == [False, False, True]
    # g3 ranks the candidates backwards: flagged on consistency.
    backwards = [[60, 61, 80], [70, 71, 70], [80, 79, 60]]
    assert consistency(backwards)[2] < 0.3
    assert flag_graders(backwards)[2] is True
    assert flag_graders(THREE) == [False, False, False]
    # The limits are parameters; at 3 points the harsh g1 of THREE (−4) is far.
    assert flag_graders(THREE, severity_limit=3.0) == [True, False, True]
    assert "5分" in RULE and "0.3" in RULE


def test_panel_agreement_gathers_every_figure():
    result = panel_agreement(THREE)
    assert result["candidates"] == 3
    assert result["icc"] == pytest.approx(icc_a1(THREE))
    assert result["kendall_w"] == pytest.approx(kendall_w(THREE))
    assert result["severity"] == pytest.approx([-4.0, 0.0, 4.0])
    assert result["flagged"] == [False, False, False]
    assert result["rule"] == RULE
    empty = panel_agreement([], graders=3)
    assert empty["candidates"] == 0
    assert empty["icc"] is None and empty["kendall_w"] is None
    assert empty["severity"] == [None, None, None]


def test_spread():
    assert spread([78.5, 62.0, 80.0]) == pytest.approx(18.0)
    assert spread([70]) == 0.0
    with pytest.raises(ValueError):
        spread([])


def test_incomplete_rows_are_refused():
    with pytest.raises(ValueError):
        icc_a1([[70, float("nan"), 80], [60, 65, 70]])
