"""继续教育学时证明: one A4 PDF (matplotlib's PDF backend, SimHei embedded as in app/results/render.py)
with the center's name, the person, the year, each credited record and the totals against the
requirement."""

from __future__ import annotations

import io

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages

from app.results.render import A4_INCHES, pdf_font

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

MAX_ROWS = 28


def transcript_pdf(center_name: str, person_name: str, username: str, year: int, records: list, summary: dict) -> bytes:
    family = pdf_font()
    with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": "sans-serif", "font.sans-serif": [family]}):
        fig = plt.figure(figsize=A4_INCHES)
        fig.text(0.5, 0.93, "继续教育学时证明", ha="center", fontsize=24)
        fig.text(0.1, 0.87, f"姓名：{person_name}（{username}）    年度：{year}", fontsize=12)
        fig.text(0.1, 0.84, f"出具机构：{center_name}", fontsize=12)
        y = 0.79
        fig.text(0.1, y, "日期", fontsize=10, color="#444")
        fig.text(0.24, y, "内容", fontsize=10, color="#444")
        fig.text(0.62, y, "形式 · 科目", fontsize=10, color="#444")
        fig.text(0.86, y, "认定学时", fontsize=10, color="#444")
        for row in records[:MAX_ROWS]:
            y -= 0.024
            fig.text(0.1, y, row.date.isoformat(), fontsize=9)
            fig.text(0.24, y, row.title[:22], fontsize=9)
            fig.text(0.62, y, f"{row.form} · {row.category}", fontsize=8)
            fig.text(0.88, y, f"{row.credited:g}", fontsize=9)
        if len(records) > MAX_ROWS:
            y -= 0.024
            fig.text(0.1, y, f"…… 另有 {len(records) - MAX_ROWS} 条记录", fontsize=9)
        credited = summary["credited"]
        y -= 0.05
        fig.text(
            0.1,
            y,
            f"合计 {summary['total']} 学时（公需科目 {credited['公需科目']}，专业科目 {credited['专业科目']}）",
            fontsize=12,
        )
        y -= 0.03
        verdict = "已达到" if summary["met"] else "未达到"
        fig.text(0.1, y, f"本年度要求 {summary['required']} 学时，{verdict}要求。", fontsize=12)
        fig.text(0.6, 0.1, f"{center_name}", fontsize=12)
        fig.text(0.6, 0.07, "（盖章）", fontsize=10, color="#444")
        buffer = io.BytesIO()
        with PdfPages(buffer, metadata={"Title": f"继续教育学时证明 {username} {year}"}) as pdf:
            pdf.savefig(fig)
        plt.close(fig)
    return buffer.getvalue()
