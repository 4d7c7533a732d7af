"""Charts of the survey report, matplotlib with Chinese labels (font: scoring.plots). Pure: counts in,
PNG bytes out; the ``*_figure`` builders return the open figure for tests that inspect it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import matplotlib.pyplot as plt

from scoring.display import percent_text
from scoring.plots import figure_png, setup_cjk_font
from scoring.surveys import LIKERT_LEVELS, MIN_ANONYMOUS

LEVEL_COLORS = ["#1f7a3f", "#52b26b", "#f2c14e", "#e67e22", "#b42318"]
TARGET_COLOR = "#b42318"


def likert_figure(title: str, counts: Mapping[str, int] | None, satisfied: Sequence[str] = ()):
    """Horizontal bars, one per level (非常满意 on top), the count and share at each bar's end; levels
    that count as satisfied are named in the title. ``counts`` None: withheld (anonymous, < 5 answers)."""
    setup_cjk_font()
    fig, ax = plt.subplots(figsize=(6.2, 2.9))
    short = title if len(title) <= 28 else title[:27] + "…"
    if counts is None:
        ax.text(
            0.5,
            0.5,
            f"回答不足 {MIN_ANONYMOUS} 份：匿名问卷不显示分布",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="gray",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(short, fontsize="medium")
        return fig
    values = [counts.get(level, 0) for level in LIKERT_LEVELS]
    total = sum(values)
    positions = list(range(len(LIKERT_LEVELS)))
    ax.barh(positions, values, color=LEVEL_COLORS)
    ax.set_yticks(positions, LIKERT_LEVELS)
    ax.invert_yaxis()
    for y, value in zip(positions, values, strict=True):
        share = percent_text(value / total) if total else "—"
        ax.text(value, y, f" {value}（{share}）", va="center", fontsize="small")
    ax.set_xlim(0, max(values + [1]) * 1.3)
    ax.set_xlabel("人数")
    ax.xaxis.get_major_locator().set_params(integer=True)
    counted = "、".join(satisfied)
    ax.set_title(f"{short}（{total}人；计为满意：{counted}）" if counted else short, fontsize="medium")
    fig.tight_layout()
    return fig


def likert_png(title: str, counts: Mapping[str, int] | None, satisfied: Sequence[str] = ()) -> bytes:
    return figure_png(likert_figure(title, counts, satisfied))


def comparison_figure(points: Sequence[tuple[date, float, str]], target: float):
    """满意率 of each survey by its opening date (one point per survey, labelled), the target dashed."""
    setup_cjk_font()
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    if not points:
        ax.text(0.5, 0.5, "暂无可比较的满意率", ha="center", va="center", transform=ax.transAxes, color="gray")
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    days = [p[0] for p in points]
    rates = [p[1] * 100 for p in points]
    ax.plot(days, rates, marker="o", color="#0b63ce")
    for day, rate, label in zip(days, rates, (p[2] for p in points), strict=True):
        ax.annotate(label[:12], (day, rate), fontsize=7, xytext=(3, 4), textcoords="offset points")
    ax.axhline(
        target * 100, color=TARGET_COLOR, linestyle="--", label=f"目标满意率（{percent_text(target, trim=True)}）"
    )
    ax.set_ylim(0, 105)
    ax.set_ylabel("满意率（%）")
    ax.set_title("各次问卷的总体满意率（按开始日期）", fontsize="medium")
    ax.legend(fontsize="small", loc="lower left")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def comparison_png(points: Sequence[tuple[date, float, str]], target: float) -> bytes:
    return figure_png(comparison_figure(points, target))
