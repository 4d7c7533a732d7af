"""scoring.stats_plots: PNG bytes, Chinese labels in the CJK font, no missing-glyph warnings."""

from __future__ import annotations

import re
import warnings

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from scoring.stats_plots import (
    agreement_chart_png,
    agreement_figure,
    facility_discrimination_figure,
    facility_discrimination_png,
    score_histogram_figure,
    score_histogram_png,
)
from tests.cjk import in_cjk_font

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CJK = re.compile(r"[\u4e00-\u9fff]")

SCORES = {"theory": [59.99, 60, 72.5, 88, 100, 45], "practical": [61, 75, 90], "review": []}
GRADERS = (["张老师", "李考评员", "王五"], [-6.0, 1.0, 5.0], [0.91, None, 0.12], [True, False, True])
ITEMS = [
    {"external_id": "A-0001", "facility": 0.75, "discrimination": 0.32},
    {"external_id": "A-0002", "facility": 0.98, "discrimination": 0.05},
    {"external_id": "A-0004", "facility": 0.0, "discrimination": None},
]


def chinese_texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and CJK.search(t.get_text())]


def assert_cjk_font(fig) -> list[str]:
    fig.canvas.draw()
    texts = chinese_texts(fig)
    assert texts, "the figure has Chinese labels"
    for text in texts:
        assert in_cjk_font(text) is None, in_cjk_font(text)
    labels = [t.get_text() for t in texts]
    plt.close(fig)
    return labels


@pytest.mark.parametrize(
    "render",
    [
        lambda: score_histogram_png(SCORES),
        lambda: agreement_chart_png(*GRADERS),
        lambda: agreement_chart_png(GRADERS[0], GRADERS[1], GRADERS[2]),
        lambda: facility_discrimination_png(ITEMS),
        lambda: score_histogram_png({}),
        lambda: agreement_chart_png([], [], []),
        lambda: facility_discrimination_png([]),
    ],
)
def test_png_bytes_without_missing_glyphs(render):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" would raise here
        png = render()
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) > 5000


def test_histogram_labels_in_the_cjk_font_and_bins():
    fig = score_histogram_figure(SCORES)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches if isinstance(p, Rectangle)]
    # Bins of 10 from 0: 45 -> 40–50, 59.99 -> 50–60, 60 -> 60–70, 72.5, 88, and 100 in the last bin.
    assert heights == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert any(line.get_xdata()[0] == 60 for line in ax.get_lines())  # the pass line of 1.9.2
    labels = assert_cjk_font(fig)
    assert "理论知识考试（6人，合格率66.66%）" in labels  # 4 of 6 pass (59.99 does not); cut, not 66.67
    assert "暂无成绩" in labels and "综合评审" in labels
    assert "合格线（60分）" in labels


def test_agreement_chart_labels_in_the_cjk_font():
    fig = agreement_figure(*GRADERS)
    labels = assert_cjk_font(fig)
    assert {"张老师", "李考评员", "王五"} <= set(labels)
    assert "无法计算" in {label.strip() for label in labels}
    assert any("偏离" in label for label in labels)


def test_facility_discrimination_labels_in_the_cjk_font():
    fig = facility_discrimination_figure(ITEMS)
    labels = assert_cjk_font(fig)
    assert "通过率（难度系数）" in labels
    assert "区分度无法计算" in labels


def test_histogram_counts_absent_as_fail_in_the_rate():
    # 缺考/违纪 (None) have no bar but fail (1.9.2, contract pass_rates): 2 of 4 pass, not 2 of 2.
    fig = score_histogram_figure({"theory": [60, 95, None, None]})
    ax = fig.axes[0]
    assert sum(p.get_height() for p in ax.patches if isinstance(p, Rectangle)) == 2
    labels = assert_cjk_font(fig)
    assert "理论知识考试（4人，其中缺考/违纪2人，合格率50.00%）" in labels
