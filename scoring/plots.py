"""Plots with Chinese labels (matplotlib Agg; Noto Sans CJK SC shipped in the mplfonts wheel)."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mplfonts  # noqa: E402
from matplotlib import font_manager  # noqa: E402

CJK_FONT_FILE = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
_font_ready = False


def setup_cjk_font() -> str:
    """Register the CJK font once and make it matplotlib's sans-serif; returns its family name."""
    global _font_ready
    family = "Noto Sans CJK SC"
    if not _font_ready:
        font_manager.fontManager.addfont(str(CJK_FONT_FILE))
        family = font_manager.FontProperties(fname=str(CJK_FONT_FILE)).get_name()
        matplotlib.rcParams["font.family"] = "sans-serif"
        matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
        matplotlib.rcParams["axes.unicode_minus"] = False
        _font_ready = True
    return family


def figure_png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def weights_chart(title: str, levels: list[str], tables: dict[str, dict[str, dict[str, int]]]) -> bytes:
    """Grouped horizontal bars: one panel per table (理论知识 / 操作技能), one bar per level and row.

    ``tables`` maps a panel title to {level: {row: weight}}; rows absent for a level are drawn as 0.
    """
    setup_cjk_font()
    panels = list(tables.items())
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 5), squeeze=False)
    for ax, (panel_title, table) in zip(axes[0], panels, strict=True):
        rows: list[str] = []
        for level in levels:
            for row in table.get(level, {}):
                if row not in rows:
                    rows.append(row)
        height = 0.8 / max(len(levels), 1)
        for i, level in enumerate(levels):
            values = [table.get(level, {}).get(row, 0) for row in rows]
            positions = [r + i * height for r in range(len(rows))]
            ax.barh(positions, values, height=height, label=level)
        ax.set_yticks([r + 0.4 - height / 2 for r in range(len(rows))], rows)
        ax.invert_yaxis()
        ax.set_xlabel("权重（%）")
        ax.set_title(panel_title)
        ax.legend(fontsize="small")
    fig.suptitle(title)
    return figure_png(fig)
