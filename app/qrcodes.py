"""QR codes (segno), one home: the 准考证's code (admission tickets, printed by the center and
viewed by the candidate) and the certificate's code pointing to the public verification page."""

from __future__ import annotations

import numpy as np
import segno
from markupsafe import Markup

ERROR = "m"  # error correction M (15 %): survives a smudged print


def qr_svg(text: str, *, scale: int, border: int, omitsize: bool = False) -> Markup:
    """An inline SVG of the QR code of ``text`` (segno's own markup of our text, safe to embed)."""
    svg = segno.make(text, error=ERROR).svg_inline(scale=scale, border=border, omitsize=omitsize)
    return Markup(svg)  # noqa: S704 - segno's own SVG


def ticket_qr(text: str) -> Markup:
    """The 准考证's code: small modules, a one-module quiet zone inside the printed card."""
    return qr_svg(text, scale=3, border=1)


def certificate_qr(url: str) -> Markup:
    """The certificate's code: larger, the standard 4-module quiet zone, sized by its page."""
    return qr_svg(url, scale=4, border=4, omitsize=True)


def qr_matrix(text: str) -> np.ndarray:
    """The modules as a float image (1 white, 0 black) for matplotlib's imshow."""
    return np.array([[1 - bool(cell) for cell in row] for row in segno.make(text, error=ERROR).matrix], dtype=float)
