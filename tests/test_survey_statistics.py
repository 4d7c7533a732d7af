"""scoring.surveys and scoring.survey_plots: exact counts, means and 满意率 on the contract's scale
(5 = 非常满意 … 1 = 非常不满意), the t-interval of the mean against the tables' t values, the withholding
boundary (5 answers on an anonymous survey), and charts in the CJK font without missing glyphs."""

from __future__ import annotations

import math
import random
import warnings
from datetime import date

import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager

from scoring import surveys as s
from scoring.survey_plots import comparison_figure, comparison_png, likert_figure, likert_png
from tests.test_stats_plots import PNG_SIGNATURE, chinese_texts

DEFAULT = ("非常满意", "满意")


def test_counts_mean_and_rate_are_exact():
    summary = s.likert_summary(["非常满意", "满意", "满意", "基本满意", "不满意", None], DEFAULT)
    assert summary.counts == {"非常满意": 1, "满意": 2, "基本满意": 1, "不满意": 1, "非常不满意": 0}
    assert summary.valid == 5  # the unanswered one is no valid answer
    assert summary.mean == 3.6 and summary.satisfaction_rate == 0.6
    assert summary.sd == math.sqrt(1.3)  # Σ(x − 3.6)² = 5.2, n − 1 = 4


def test_the_scale_runs_five_to_one():
    assert s.LIKERT_SCORES == {"非常满意": 5, "满意": 4, "基本满意": 3, "不满意": 2, "非常不满意": 1}
    assert s.likert_summary(["非常不满意"] * 3, DEFAULT).mean == 1.0
    assert s.likert_summary(["非常满意", "非常不满意"], DEFAULT).mean == 3.0


def test_the_satisfied_levels_decide_the_rate():
    answers = ["非常满意", "满意", "基本满意", "基本满意", "不满意", "非常不满意"]
    assert s.likert_summary(answers, ("非常满意",)).satisfaction_rate == 1 / 6
    assert s.likert_summary(answers, DEFAULT).satisfaction_rate == 2 / 6
    assert s.likert_summary(answers, ("非常满意", "满意", "基本满意")).satisfaction_rate == 4 / 6


@pytest.mark.parametrize(
    ("n", "t_table"),  # two-sided 95% Student's t from the tables: df 1, 4, 9, 29
    [(2, 12.706), (5, 2.776), (10, 2.262), (30, 2.045)],
)
def test_the_interval_uses_students_t(n, t_table):
    values = [5.0, 3.0] * (n // 2) + [4.0] * (n % 2)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    low, high = s.mean_ci(values)
    assert (low + high) / 2 == pytest.approx(mean)
    assert (high - low) / 2 == pytest.approx(t_table * sd / math.sqrt(n), rel=2e-4)


def test_no_interval_below_two_answers_and_none_wide_without_spread():
    assert s.mean_ci([4.0]) is None
    assert s.likert_summary(["满意"], DEFAULT).ci95 is None
    assert s.likert_summary(["满意"] * 4, DEFAULT).ci95 == (4.0, 4.0)


def test_no_answer_no_figures():
    summary = s.likert_summary([None, None], DEFAULT)
    assert (summary.valid, summary.mean, summary.satisfaction_rate, summary.ci95) == (0, None, None, None)


def test_a_value_off_the_scale_is_a_bug_not_a_count():
    with pytest.raises(ValueError):
        s.likert_summary(["很满意"], DEFAULT)


def test_choice_counts_count_each_option_chosen():
    counts, valid = s.choice_counts([["培训", "证书"], ["培训"], [], None, "考试"], ["培训", "考试", "证书"])
    assert counts == {"培训": 2, "考试": 1, "证书": 1} and valid == 3


def test_the_overall_rate_pools_every_answer():
    a = s.likert_summary(["满意"] * 3 + ["不满意"], DEFAULT)  # 3 of 4
    b = s.likert_summary(["不满意", "满意"], DEFAULT)  # 1 of 2
    assert s.overall_rate([a, b]) == 4 / 6  # pooled, not the mean of 0.75 and 0.5
    assert s.overall_rate([]) is None


def test_withholding_starts_below_five_on_anonymous_surveys_only():
    assert s.withheld(True, 4) and not s.withheld(True, 5)
    assert not s.withheld(False, 1)


def test_below_target_compares_exactly():
    assert not s.below_target(0.9, 0.9)  # at the target is not below it
    assert s.below_target(0.8999999, 0.9)
    assert not s.below_target(None, 0.9)


@pytest.mark.parametrize(
    ("levels", "ok"),
    [
        (["非常满意"], True),
        (["非常满意", "满意"], True),
        (["非常满意", "满意", "基本满意"], True),
        (["满意"], False),
        (["非常满意", "基本满意"], False),
        (["非常满意", "满意", "基本满意", "不满意"], False),
        ([], False),
    ],
)
def test_the_satisfied_levels_are_the_top_of_the_scale(levels, ok):
    assert s.satisfied_prefix_ok(levels) is ok


@pytest.mark.parametrize(
    "render",
    [
        lambda: likert_png("您对考务组织的评价", {"非常满意": 3, "满意": 2, "不满意": 1}, DEFAULT),
        lambda: likert_png("您对考场环境的评价", None),
        lambda: comparison_png([(date(2026, 11, 1), 0.8, "十一月批次"), (date(2026, 12, 1), 0.95, "十二月批次")], 0.9),
        lambda: comparison_png([], 0.9),
    ],
)
def test_charts_are_png_without_missing_glyphs(render):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert render().startswith(PNG_SIGNATURE)


def assert_cjk_font(fig) -> list[str]:
    """Every Chinese label resolves to a Noto Sans CJK file (mplfonts' own, or the same family installed by
    the system: findfont may pick either, both carry the glyphs)."""
    fig.canvas.draw()
    texts = chinese_texts(fig)
    assert texts
    for label in texts:
        assert "NotoSansCJK" in str(font_manager.findfont(label.get_fontproperties())), label.get_text()
    plt.close(fig)
    return [t.get_text() for t in texts]


def test_chart_labels_are_drawn_in_the_cjk_font():
    labels = assert_cjk_font(likert_figure("总体评价", {"非常满意": 1}, DEFAULT))
    assert "非常不满意" in labels
    assert any("回答不足" in label for label in assert_cjk_font(likert_figure("总体评价", None)))
    assert any(
        "目标满意率" in label for label in assert_cjk_font(comparison_figure([(date(2026, 1, 1), 0.5, "一")], 0.9))
    )


def test_the_summary_from_counts_matches_the_scores_one_by_one():
    """likert_summary works from the five counts (mean and spread as exact fractions); the figures are
    those of the scores taken one by one, and the mean's interval is mean_ci's of the same scores."""
    rng = random.Random(25)
    answers = [rng.choice(s.LIKERT_LEVELS + (None,)) for _ in range(10_000)]
    summary = s.likert_summary(answers, DEFAULT)
    scores = [float(s.LIKERT_SCORES[a]) for a in answers if a is not None]
    mean = math.fsum(scores) / len(scores)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in scores) / (len(scores) - 1))
    assert summary.valid == len(scores) and summary.mean == mean
    assert summary.sd == pytest.approx(sd, rel=1e-12)
    assert summary.ci95 == pytest.approx(s.mean_ci(scores), rel=1e-12)


def test_an_option_the_question_does_not_offer_is_a_bug_not_a_count():
    with pytest.raises(ValueError, match="外卖|not an option"):
        s.choice_counts([["培训", "外卖"]], ["培训", "考试"])
