"""An organization's rating report (评估报告) as PDF (matplotlib, the PDF's embedded TrueType CJK
font of app.results.render): points per first-level indicator against their maximum as a chart,
then every leaf that lost points with the panel's score and the experts' comments."""

from __future__ import annotations

import io
import textwrap

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages

from app.results.render import A4_INCHES, pdf_font
from scoring.display import score_text

from .models import RatingOrganization
from .panel import compute, scores_of
from .rounds import framework_of

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

LINES_PER_PAGE = 38


def first_level(org: RatingOrganization) -> list[tuple[str, float, int]]:
    """(title, points earned, maximum) per first-level indicator."""
    framework = framework_of(org.round)
    leaves = org.leaves or compute(org)[0]
    out = []
    for top in framework.nodes:
        prefix = top.code + "."
        earned = sum(v["score"] for c, v in leaves.items() if c.startswith(prefix))
        out.append((f"{top.code} {top.title}", earned, top.points))
    return out


def lost_points(org: RatingOrganization) -> list[dict]:
    framework = framework_of(org.round)
    leaves = org.leaves or compute(org)[0]
    comments: dict[str, list[str]] = {}
    for row in scores_of(org):
        if row.comment:
            comments.setdefault(row.code, []).append(row.comment)
    out = []
    for leaf in framework.leaves():
        got = leaves.get(leaf.code, {}).get("score")
        if got is not None and got < leaf.points:
            out.append(
                {
                    "code": leaf.code,
                    "title": leaf.title,
                    "points": leaf.points,
                    "score": got,
                    "comments": comments.get(leaf.code, []),
                }
            )
    return out


def organization_pdf(org: RatingOrganization) -> bytes:
    family = pdf_font()
    rows = first_level(org)
    lost = lost_points(org)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": "sans-serif", "font.sans-serif": [family]}):
        with PdfPages(buffer) as pdf:
            fig = plt.figure(figsize=A4_INCHES)
            fig.text(0.5, 0.94, f"{org.round.name} 评估报告", ha="center", fontsize=18)
            total = score_text(org.total, "未定分")  # two decimals cut, as on the pages (issue 27 item 11)
            fig.text(
                0.5, 0.90, f"{org.center.name}　总分 {total}　等级 {org.grade or '未达等级'}", ha="center", fontsize=12
            )
            ax = fig.add_axes((0.28, 0.50, 0.64, 0.34))
            labels = [r[0] for r in rows]
            ax.barh(labels, [r[2] for r in rows], color="#e5e7eb", label="满分")
            ax.barh(labels, [r[1] for r in rows], color="#2563eb", label="得分")
            for y, (_, earned, maximum) in enumerate(rows):
                ax.text(maximum, y, f" {score_text(earned)} / {maximum}", va="center", fontsize=9)
            ax.invert_yaxis()
            ax.set_xlabel("分值")
            ax.legend(loc="lower right", fontsize=8)
            ax.set_title("一级指标得分与满分")
            lines = [f"失分指标 {len(lost)} 项（得分为评估专家评分的平均值）："]
            for item in lost:
                lines.append(f"{item['code']} {item['title'][:30]}：{score_text(item['score'])} / {item['points']}")
                for comment in item["comments"]:
                    lines.extend("　　" + part for part in textwrap.wrap(f"专家意见：{comment}", 44))
            first, rest = lines[:14], lines[14:]
            fig.text(0.08, 0.44, "\n".join(first), va="top", fontsize=9, linespacing=1.6)
            pdf.savefig(fig)
            plt.close(fig)
            while rest:
                page, rest = rest[:LINES_PER_PAGE], rest[LINES_PER_PAGE:]
                fig = plt.figure(figsize=A4_INCHES)
                fig.text(0.08, 0.95, "\n".join(page), va="top", fontsize=9, linespacing=1.6)
                pdf.savefig(fig)
                plt.close(fig)
    return buffer.getvalue()
