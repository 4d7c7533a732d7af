"""Whether a label is drawn in the CJK font: the Noto Sans CJK SC family that scoring.plots registers
(the mplfonts copy), or the same family installed by the system (fonts-noto-cjk, which the browser
tests install) — either way a font holding every character of the label."""

from __future__ import annotations

from matplotlib import font_manager

from scoring.plots import CJK_FONT_FILE


def in_cjk_font(text) -> str | None:
    """None when ``text`` (a matplotlib Text) resolves to the CJK family with all its characters; else why not."""
    family = font_manager.FontProperties(fname=str(CJK_FONT_FILE)).get_name()
    found = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
    if font_manager.FontProperties(fname=found).get_name() != family:
        return f"{text.get_text()}: {found} is not {family}"
    charmap = font_manager.get_font(found).get_charmap()
    missing = [c for c in text.get_text() if not c.isspace() and ord(c) not in charmap]
    return f"{text.get_text()}: {found} lacks {missing}" if missing else None
