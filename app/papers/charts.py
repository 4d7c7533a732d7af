"""The difficulty histogram of a paper (matplotlib Agg, Chinese labels via scoring.plots)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from scoring.plots import figure_png, setup_cjk_font


def difficulty_histogram(title: str, difficulties: list[float], band: tuple[float, float]) -> bytes:
    """Bars of item difficulty in 0.05 bins, the mean and the requested band for the mean."""
    setup_cjk_font()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    bins = [i / 20 for i in range(21)]
    ax.hist(difficulties, bins=bins, color="#4c8bd6", edgecolor="#ffffff")
    mean = sum(difficulties) / len(difficulties) if difficulties else 0.0
    ax.axvspan(band[0], band[1], color="#f7b955", alpha=0.25, label=f"平均难度要求 {band[0]:.2f}–{band[1]:.2f}")
    ax.axvline(mean, color="#b42318", linewidth=2, label=f"本卷平均 {mean:.3f}")
    ax.set_xlim(0, 1)
    ax.set_xlabel("难度（预计答对比例）")
    ax.set_ylabel("题数")
    ax.set_title(title)
    ax.legend(fontsize="small", loc="upper left")
    return figure_png(fig)
