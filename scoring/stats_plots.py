"""Charts of the results and statistics pages, matplotlib with Chinese labels (font: scoring.plots).

Each ``*_png`` returns PNG bytes; the ``*_figure`` builders beside them return the open figure (for
tests that inspect the fonts the labels resolved to). Pure: plain lists in, bytes out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

from scoring.agreement import CONSISTENCY_LIMIT, SEVERITY_LIMIT
from scoring.display import percent_text
from scoring.item_statistics import LOW_DISCRIMINATION, TOO_EASY, TOO_HARD
from scoring.plots import figure_png, setup_cjk_font
from scoring.results import PASS_MARK, component_passed

COMPONENT_LABELS = {"theory": "理论知识考试", "practical": "操作技能考核", "review": "综合评审"}
BINS = list(range(0, 101, 10))
PASS_COLOR = "#c0392b"
BAR_COLOR = "#2e86c1"
FLAG_COLOR = "#e67e22"


def _empty(ax, text: str = "暂无数据") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="gray")
    ax.set_xticks([])
    ax.set_yticks([])


def score_histogram_figure(scores_by_component: Mapping[str, Sequence[float]], narrow: bool = False):
    """One histogram per component (0–100 in bins of 10; 100 falls in the last), the pass line at 60
    (1.9.2), the count and pass rate in each panel's title. A None score (缺考/违纪) draws no bar but
    counts as a fail in the rate, as in the statistics' ``pass_rates``. ``narrow``: the panels one
    under another, for a phone (issue 27 item 13: the text stays readable at 390 px)."""
    setup_cjk_font()
    components = list(scores_by_component.items()) or [("", [])]
    if narrow:
        fig, axes = plt.subplots(len(components), 1, figsize=(4.2, 3.4 * len(components)), squeeze=False)
        panels = [row[0] for row in axes]
    else:
        fig, axes = plt.subplots(1, len(components), figsize=(4.2 * len(components), 3.6), squeeze=False)
        panels = list(axes[0])
    for ax, (component, raw) in zip(panels, components, strict=True):
        label = COMPONENT_LABELS.get(component, component)
        scores = [float(score) for score in raw if score is not None]
        if not scores:
            _empty(ax, "暂无成绩")
            ax.set_title(label)
            continue
        ax.hist(scores, bins=BINS, color=BAR_COLOR, edgecolor="white")
        ax.axvline(PASS_MARK, color=PASS_COLOR, linestyle="--", label=f"合格线（{PASS_MARK}分）")
        # None is 缺考/违纪: not a bar, but a fail in the rate (as pass_rates counts it, contract v1.1).
        rate = sum(1 for score in scores if component_passed(score)) / len(raw)
        missing = len(raw) - len(scores)
        counted = f"{len(raw)}人，其中缺考/违纪{missing}人" if missing else f"{len(raw)}人"
        ax.set_title(
            f"{label}\n（{counted}，合格率{percent_text(rate)}）"
            if narrow
            else f"{label}（{counted}，合格率{percent_text(rate)}）"
        )
        ax.set_xlim(0, 100)
        ax.set_xticks(BINS)
        ax.set_xlabel("成绩（分）")
        ax.set_ylabel("人数")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize="small", loc="upper left")
    fig.suptitle("成绩分布")
    fig.tight_layout()
    return fig


def score_histogram_png(scores_by_component: Mapping[str, Sequence[float]], narrow: bool = False) -> bytes:
    return figure_png(score_histogram_figure(scores_by_component, narrow))


def agreement_figure(
    graders: Sequence[str],
    severity: Sequence[float | None],
    consistency: Sequence[float | None],
    flagged: Sequence[bool] | None = None,
):
    """Two panels of horizontal bars, one bar per grader: severity (points; the ±5 limits of the
    flag rule dashed) and consistency (r; the 0.3 limit dashed). A figure that cannot be computed
    shows "无法计算"; flagged graders' bars are orange."""
    setup_cjk_font()
    flagged = list(flagged) if flagged is not None else [False] * len(graders)
    height = max(2.6, 0.5 * len(graders) + 1.6)
    fig, (ax_sev, ax_con) = plt.subplots(1, 2, figsize=(10, height), sharey=True)
    if not graders:
        _empty(ax_sev)
        _empty(ax_con)
    positions = list(range(len(graders)))
    colors = [FLAG_COLOR if flag else BAR_COLOR for flag in flagged]
    panels = (
        (ax_sev, severity, "严宽度：与小组均值之差（分，负为偏严）", (-SEVERITY_LIMIT, SEVERITY_LIMIT)),
        (ax_con, consistency, "一致性：与其他考评员均分的相关系数", (CONSISTENCY_LIMIT,)),
    )
    for ax, values, title, limits in panels:
        if not graders:
            ax.set_title(title, fontsize="medium")
            continue
        ax.barh(positions, [value or 0.0 for value in values], color=colors)
        for position, value in zip(positions, values, strict=True):
            if value is None:
                ax.text(0, position, " 无法计算", va="center", ha="left", color="gray", fontsize="small")
        ax.axvline(0, color="black", linewidth=0.8)
        for limit in limits:
            ax.axvline(limit, color=PASS_COLOR, linestyle="--", linewidth=1)
        ax.set_title(title, fontsize="medium")
    if graders:
        widest = max([abs(v) for v in severity if v is not None] + [SEVERITY_LIMIT]) * 1.25
        ax_sev.set_xlim(-widest, widest)
        ax_con.set_xlim(-1, 1)
        ax_sev.set_yticks(positions, list(graders))
        ax_sev.invert_yaxis()
        ax_sev.set_ylabel("考评员")
    fig.suptitle("考评一致性（橙色为偏离小组的考评员）" if any(flagged) else "考评一致性")
    fig.tight_layout()
    return fig


def agreement_chart_png(
    graders: Sequence[str],
    severity: Sequence[float | None],
    consistency: Sequence[float | None],
    flagged: Sequence[bool] | None = None,
) -> bytes:
    return figure_png(agreement_figure(graders, severity, consistency, flagged))


def facility_discrimination_figure(items: Sequence[Mapping], narrow: bool = False):
    """Scatter of the items: facility (x) against discrimination (y), the flag limits dashed
    (facility 0.2 and 0.95, discrimination 0.2). Items whose discrimination cannot be computed are
    crosses on the bottom edge. Up to 40 items are labelled with their ``external_id`` (or ``label``)."""
    setup_cjk_font()
    fig, ax = plt.subplots(figsize=(4.2, 4.6) if narrow else (7, 5))
    known = [item for item in items if item.get("facility") is not None and item.get("discrimination") is not None]
    unknown = [item for item in items if item.get("facility") is not None and item.get("discrimination") is None]
    if not known and not unknown:
        _empty(ax)
    ax.scatter([i["facility"] for i in known], [i["discrimination"] for i in known], color=BAR_COLOR, label="试题")
    if unknown:
        ax.scatter(
            [i["facility"] for i in unknown],
            [-1.0] * len(unknown),
            marker="x",
            color="gray",
            label="区分度无法计算",
            clip_on=False,
        )
    if len(items) <= 40:
        for item in known + unknown:
            name = item.get("external_id") or item.get("label")
            if name:
                y = item["discrimination"] if item["discrimination"] is not None else -1.0
                ax.annotate(str(name), (item["facility"], y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    for x in (TOO_HARD, TOO_EASY):
        ax.axvline(x, color=PASS_COLOR, linestyle="--", linewidth=1)
    ax.axhline(LOW_DISCRIMINATION, color=PASS_COLOR, linestyle="--", linewidth=1)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlim(0, 1)
    ax.set_ylim(-1, 1)
    ax.set_xlabel("通过率（难度系数）")
    ax.set_ylabel("区分度（与其余得分的相关系数）")
    title = (
        f"试题分析（{len(items)}题）\n虚线为过难、过易与区分度低的界限"
        if narrow
        else f"试题分析（{len(items)}题；虚线为过难、过易与区分度低的界限）"
    )
    ax.set_title(title, fontsize="medium")
    if known or unknown:
        ax.legend(fontsize="small", loc="upper left")
    fig.tight_layout()
    return fig


def facility_discrimination_png(items: Sequence[Mapping], narrow: bool = False) -> bytes:
    return figure_png(facility_discrimination_figure(items, narrow))
