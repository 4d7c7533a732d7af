"""A certificate rendered: the QR code (segno) pointing to the public verification page, and an A4
PDF drawn with matplotlib's PDF backend with a Chinese font embedded as TrueType (``pdf.fonttype``
42), so that the text shows on any reader and prints as drawn.

The PDF uses the TrueType SimHei (黑体) that the mplfonts wheel ships: its Noto Sans CJK is an
OpenType/CFF font, which matplotlib's Type 42 embedding declares as TrueType — poppler then warns
"Mismatch between font type and embedded font file" and stricter readers may refuse the glyphs.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_pdf import PdfPages
from PIL import Image

from app.qrcodes import qr_matrix
from scoring.plots import CJK_FONT_FILE

from .models import Certificate

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

A4_INCHES = (8.27, 11.69)
PDF_FONT_FILE = CJK_FONT_FILE.parent / "SimHei.ttf"
_pdf_font: str | None = None


def pdf_font() -> str:
    """Register SimHei once; its family name."""
    global _pdf_font
    if _pdf_font is None:
        font_manager.fontManager.addfont(str(PDF_FONT_FILE))
        _pdf_font = font_manager.FontProperties(fname=str(PDF_FONT_FILE)).get_name()
    return _pdf_font


def facts(certificate: Certificate) -> list[tuple[str, str]]:
    """The fields of 人社鉴发〔2021〕1号 in the order they are printed."""
    return [
        ("姓名", certificate.holder_name),
        ("证件类型", certificate.id_type or "未登记"),
        ("证件号码", certificate.id_number or "未登记"),
        ("职业名称", certificate.occupation),
        ("工种/职业方向", certificate.direction or "--"),
        ("职业技能等级", certificate.level_title),
        ("证书编号", certificate.number),
        ("发证日期", f"{certificate.issued_on.year}年{certificate.issued_on.month}月{certificate.issued_on.day}日"),
        ("评价机构名称", certificate.center_name),
    ]


def certificate_pdf(
    certificate: Certificate, verify_url: str, photo_path: str | None, qr_text: str | None = None
) -> bytes:
    """One A4 page: title, the holder's photo, the fields, the QR code and the revocation mark."""
    family = pdf_font()
    with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": "sans-serif", "font.sans-serif": [family]}):
        fig = plt.figure(figsize=A4_INCHES)
        fig.patch.set_facecolor("white")
        frame = fig.add_axes((0.05, 0.04, 0.9, 0.92))
        frame.set_axis_off()
        frame.add_patch(plt.Rectangle((0, 0), 1, 1, fill=False, linewidth=3, edgecolor="#8a6d1d"))
        frame.add_patch(plt.Rectangle((0.015, 0.012), 0.97, 0.976, fill=False, linewidth=0.8, edgecolor="#8a6d1d"))
        fig.text(0.5, 0.89, "中华人民共和国", ha="center", fontsize=16)
        fig.text(0.5, 0.84, certificate.title, ha="center", fontsize=30, color="#7a1f1f")
        photo_ax = fig.add_axes((0.39, 0.61, 0.22, 0.19))
        photo_ax.set_xticks([])
        photo_ax.set_yticks([])
        if photo_path:
            with Image.open(photo_path) as image:
                photo_ax.imshow(np.asarray(image.convert("RGB")))
            photo_ax.set_aspect("equal")
        else:
            photo_ax.text(0.5, 0.5, "照片未登记", ha="center", va="center", fontsize=11, color="#777")
        y = 0.56
        for label, value in facts(certificate):
            fig.text(0.17, y, f"{label}：", fontsize=13, color="#444")
            fig.text(0.38, y, value, fontsize=13)
            y -= 0.042
        qr_ax = fig.add_axes((0.7, 0.07, 0.18, 0.13))
        qr_ax.imshow(qr_matrix(qr_text or verify_url), cmap="gray", interpolation="nearest", vmin=0, vmax=1)
        qr_ax.set_axis_off()
        fig.text(0.79, 0.055, "扫码查验", ha="center", fontsize=9, color="#444")
        fig.text(0.12, 0.1, "查验地址：", fontsize=9, color="#444")
        fig.text(0.12, 0.08, verify_url, fontsize=8, color="#444")
        if certificate.revoked:
            fig.text(
                0.5, 0.42, "已撤销", ha="center", va="center", fontsize=90, color="#c00000", alpha=0.35, rotation=25
            )
        buffer = io.BytesIO()
        with PdfPages(buffer, metadata={"Title": f"{certificate.title} {certificate.number}"}) as pdf:
            pdf.savefig(fig)
        plt.close(fig)
    return buffer.getvalue()
