"""scoring.item_statistics, pure: every figure hand-computed on a small response matrix.

Form A: items 1 2 3 4, one point each, 5 attempts. Attempt a4 left items 2 and 3 unanswered (0) and
got item 1 wrong; nobody answered item 4 right (zero variance).
Form B: items 2 1 5 6 (sharing 1 and 2 with form A, in another order), item 5 worth 2 points.
"""

from __future__ import annotations

import math

import pytest

from scoring.item_statistics import (
    ALPHA_LABELS,
    FLAG_LABELS,
    alpha_band,
    cronbach_alpha,
    form_statistics,
    item_flags,
    item_statistics,
    option_rates,
    pass_rate,
)

A_ITEMS = [1, 2, 3, 4]
A_POINTS = [1, 1, 1, 1]
A = [
    [1, 1, 1, 0],  # a1 total 3
    [1, 1, 0, 0],  # a2 total 2
    [1, 0, 1, 0],  # a3 total 2
    [0, 0, 0, 0],  # a4 total 0 (items 2 and 3 unanswered)
    [1, 1, 1, 0],  # a5 total 3
]
B_ITEMS = [2, 1, 5, 6]
B_POINTS = [1, 1, 2, 1]
B = [
    [1, 1, 2, 1],  # b1 total 5
    [0, 1, 1, 0],  # b2 total 2
    [1, 0, 0, 1],  # b3 total 2
]
FORMS = [(A_ITEMS, A, A_POINTS), (B_ITEMS, B, B_POINTS)]


def test_form_a_mean_and_sample_sd_out_of_100():
    # Scores out of 100 = total × 100 / 4: 75 50 50 0 75, mean 50;
    # deviations 25 0 0 −50 25, Σ² = 3750, sample variance 3750 / 4 = 937.5.
    stats = form_statistics(A, A_POINTS)
    assert stats["attempts"] == 5
    assert stats["mean"] == pytest.approx(50.0)
    assert stats["sd"] == pytest.approx(math.sqrt(937.5))
    assert isinstance(stats["mean"], float) and isinstance(stats["sd"], float)


def test_form_a_kr20_by_hand():
    # One-point items: p = 0.8, 0.6, 0.6, 0; Σ p(1 − p) = 0.16 + 0.24 + 0.24 + 0 = 0.64.
    # Population variance of the totals 3 2 2 0 3 (mean 2): (1 + 0 + 0 + 4 + 1) / 5 = 1.2.
    # KR-20 = 4/3 · (1 − 0.64 / 1.2) = 28/45 = 0.6222
    assert form_statistics(A, A_POINTS)["alpha"] == pytest.approx(28 / 45)
    assert alpha_band(28 / 45) == "unsatisfactory"


def test_form_b_alpha_with_a_two_point_item():
    # Scores out of 100 = total × 100 / 5: 100 40 40, mean 60, sample variance (1600 + 400 + 400) / 2.
    # Cronbach: item variances (n − 1) 1/3, 1/3, 1 (item 5: 2 1 0), 1/3 -> Σ 2; totals 5 2 2 -> variance 3.
    # alpha = 4/3 · (1 − 2/3) = 4/9
    stats = form_statistics(B, B_POINTS)
    assert stats == pytest.approx({"attempts": 3, "mean": 60.0, "sd": math.sqrt(1200), "alpha": 4 / 9})


def test_form_statistics_not_computable():
    assert form_statistics([], A_POINTS) == {"attempts": 0, "mean": None, "sd": None, "alpha": None}
    one = form_statistics([[1, 0, 1, 0]], A_POINTS)
    assert one == {"attempts": 1, "mean": 50.0, "sd": None, "alpha": None}
    same = form_statistics([[1, 0, 1, 0], [1, 0, 1, 0]], A_POINTS)
    assert same["sd"] == 0.0 and same["alpha"] is None  # totals do not vary
    assert cronbach_alpha([[1], [0]], [1]) is None  # one item


def test_item_statistics_pooled_over_both_forms():
    items = item_statistics(FORMS)
    assert list(items) == [1, 2, 3, 4, 5, 6]
    assert {item: stats["responses"] for item, stats in items.items()} == {1: 8, 2: 8, 3: 5, 4: 5, 5: 3, 6: 3}

    # Item 1: scores A 1 1 1 0 1, B 1 1 0; rest of the attempt A 2 1 1 0 2, B 4 1 2.
    # facility 6/8; Sxy = 1.25, Sxx = 1.5, Syy = 31 − 8·1.625² = 9.875.
    assert items[1]["facility"] == pytest.approx(0.75)
    assert items[1]["discrimination"] == pytest.approx(1.25 / math.sqrt(1.5 * 9.875))

    # Item 2: scores A 1 1 0 0 1, B 1 0 1; rest A 2 1 2 0 2, B 4 2 1.
    # facility 5/8; Sxy = 10 − 8·0.625·1.75 = 1.25, Sxx = 5 − 8·0.625² = 1.875, Syy = 34 − 8·1.75² = 9.5.
    assert items[2]["facility"] == pytest.approx(0.625)
    assert items[2]["discrimination"] == pytest.approx(1.25 / math.sqrt(1.875 * 9.5))

    # Item 3 (form A only): scores 1 0 1 0 1, rest 2 2 1 0 2: Sxy 0.8, Sxx 1.2, Syy 3.2.
    assert items[3]["facility"] == pytest.approx(0.6)
    assert items[3]["discrimination"] == pytest.approx(0.8 / math.sqrt(1.2 * 3.2))

    # Item 4: nobody right -> facility 0, no variance -> discrimination None.
    assert items[4] == {"responses": 5, "facility": 0.0, "discrimination": None}

    # Item 5 (2 points): scores 2/2 1/2 0/2, rest 3 1 2 -> r = 0.5 / √(0.5 · 2) = 0.5.
    assert items[5]["facility"] == pytest.approx(0.5)
    assert items[5]["discrimination"] == pytest.approx(0.5)

    # Item 6: scores 1 0 1, rest 4 2 1 -> Sxy 1/3, Sxx 2/3, Syy 14/3 -> r = 1/√28.
    assert items[6]["discrimination"] == pytest.approx(1 / math.sqrt(28))


def test_item_flags_and_labels():
    items = item_statistics(FORMS)
    assert item_flags(items[4]["facility"], items[4]["discrimination"]) == ["too_hard"]
    assert item_flags(items[6]["facility"], items[6]["discrimination"]) == ["low_discrimination"]
    assert item_flags(items[1]["facility"], items[1]["discrimination"]) == []
    assert item_flags(0.96, 0.1) == ["too_easy", "low_discrimination"]
    assert item_flags(0.95, 0.2) == []  # the boundaries themselves are not flagged
    assert item_flags(0.2, None) == []
    assert item_flags(0.19, -0.3) == ["too_hard", "low_discrimination"]
    assert item_flags(None, None) == []
    assert set(FLAG_LABELS) == {"too_easy", "too_hard", "low_discrimination"}
    assert "区分度" in FLAG_LABELS["low_discrimination"]


def test_alpha_bands_of_moodle():
    assert alpha_band(0.6399) == "unsatisfactory"
    assert alpha_band(0.64) == "acceptable"
    assert alpha_band(0.7499) == "acceptable"
    assert alpha_band(0.75) == "satisfactory"
    assert alpha_band(0.93) == "satisfactory"
    assert alpha_band(None) is None
    assert set(ALPHA_LABELS) == {"unsatisfactory", "acceptable", "satisfactory"}


def test_option_rates_count_unanswered_in_the_denominator():
    choices = [None, "B", ["A", "C"], "B", "A"]
    assert option_rates(choices, 4) == pytest.approx([2 / 5, 2 / 5, 1 / 5, 0.0])
    assert option_rates([], 3) == [0.0, 0.0, 0.0]
    assert option_rates([None, None], 2) == [0.0, 0.0]
    with pytest.raises(ValueError):
        option_rates(["E"], 4)


def test_pass_rate():
    # 60 passes, 59.99 fails, None (缺考) fails: 2 of 4.
    assert pass_rate([60, 59.99, None, 88]) == pytest.approx(0.5)
    assert pass_rate([]) is None


def test_bad_matrices_are_refused():
    with pytest.raises(ValueError):
        form_statistics([[1, 2]], [1, 1])  # more than the item's points
    with pytest.raises(ValueError):
        form_statistics([[1, 0, 1]], [1, 1])  # a column too many
    with pytest.raises(ValueError):
        item_statistics([([1, 2], [[1, 0, 1]], [1, 1, 1])])  # ids do not match the columns
