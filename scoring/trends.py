"""Pass rates per standard and level over time (the center dashboard, issue 10 item 5), pure.

A row is one session's outcome: how many of its candidates have every component final (``decided``)
and how many of those passed the level (``passed``: 1.9.2 of both standards, every component 60 or
more). Rows of one standard, level and period (a month, "YYYY-MM") add up; a point is provisional
(暂定) when one of its sessions with decided candidates is still 评分中 (results not yet published).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

from scoring.plots import figure_png, setup_cjk_font


def pass_rate_series(rows: Sequence[Mapping]) -> list[dict]:
    """``rows``: {"standard", "level", "period", "decided", "passed", "provisional"} per session.
    Returns one series per (standard, level) in order of first appearance:
    {"standard", "level", "points": [{"period", "sessions", "decided", "passed", "rate", "provisional"}]}
    with points in period order; ``rate`` is passed / decided, None when nobody is decided."""
    series: dict[tuple[str, str], dict[str, dict]] = {}
    for row in rows:
        if row["passed"] > row["decided"] or row["passed"] < 0:
            raise ValueError("passed: between 0 and decided")
        points = series.setdefault((row["standard"], row["level"]), {})
        point = points.setdefault(
            row["period"],
            {"period": row["period"], "sessions": 0, "decided": 0, "passed": 0, "provisional": False},
        )
        point["sessions"] += 1
        point["decided"] += int(row["decided"])
        point["passed"] += int(row["passed"])
        # Provisional only when a 评分中 session adds decided candidates (one with none changes nothing).
        point["provisional"] = point["provisional"] or (bool(row["provisional"]) and row["decided"] > 0)
    result = []
    for (standard, level), points in series.items():
        ordered = [points[period] for period in sorted(points)]
        for point in ordered:
            point["rate"] = point["passed"] / point["decided"] if point["decided"] else None
        result.append({"standard": standard, "level": level, "points": ordered})
    return result


def pass_rate_trend_figure(series: Sequence[Mapping], names: Mapping[str, str] | None = None, narrow: bool = False):
    """One line per standard and level over the months (rate in %); provisional points hollow.
    ``narrow``: drawn for a phone (issue 27 item 13): a narrow figure, so the text keeps its size on
    a 390 px screen, the legend under the plot."""
    setup_cjk_font()
    names = names or {}
    fig, ax = plt.subplots(figsize=(4.2, 4.8) if narrow else (8, 4.2))
    periods = sorted({p["period"] for s in series for p in s["points"]})
    position = {period: k for k, period in enumerate(periods)}
    drawn = False
    for s in series:
        known = [p for p in s["points"] if p["rate"] is not None]
        if not known:
            continue
        label = f"{names.get(s['standard'], s['standard'])} {s['level']}"
        xs = [position[p["period"]] for p in known]
        ys = [p["rate"] * 100 for p in known]
        (line,) = ax.plot(xs, ys, marker="o", label=label)
        hollow = [(x, y) for x, y, p in zip(xs, ys, known, strict=True) if p["provisional"]]
        if hollow:
            ax.scatter(
                [x for x, _ in hollow], [y for _, y in hollow], s=70, facecolors="white", edgecolors=line.get_color(),
                zorder=3,
            )  # fmt: skip
        drawn = True
    if not drawn:
        ax.text(0.5, 0.5, "暂无已定分的批次", ha="center", va="center", transform=ax.transAxes, color="gray")
    ax.set_xticks(range(len(periods)), periods, rotation=45 if narrow and len(periods) > 3 else 0)
    ax.set_ylim(0, 105)
    ax.set_xlabel("考试月份")
    ax.set_ylabel("合格率（%）")
    title = (
        "各职业等级合格率\n（空心点含评分中批次，为暂定）"
        if narrow
        else "各职业等级合格率（空心点含评分中批次，为暂定）"
    )
    ax.set_title(title, fontsize="medium")
    if drawn and narrow:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, frameon=False)
    elif drawn:
        ax.legend(fontsize="small", loc="lower left")
    fig.tight_layout()
    return fig


def pass_rate_trend_png(
    series: Sequence[Mapping], names: Mapping[str, str] | None = None, narrow: bool = False
) -> bytes:
    return figure_png(pass_rate_trend_figure(series, names, narrow))
