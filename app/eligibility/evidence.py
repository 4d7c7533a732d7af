"""Evidence files (证明材料): PDF, JPEG or PNG only, judged by parsing the content (the image
decodes with Pillow, the PDF parses with pypdf and has a page) rather than the name, the browser's
claim or the first bytes; stored outside the web root under a random name; served as a download
under a safe name, never inline; shown only to the owner, platform admins and the admins of a
center that reviews one of the owner's applications."""

from __future__ import annotations

import io
import os
import re
import secrets
from typing import BinaryIO

from flask import current_app
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.operations import record
from app.auth.models import Role, User
from app.boundary import after_commit
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db

from .models import Application, EvidenceFile
from .operations import visible_applications

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAGIC = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the magic bytes, or None for anything else."""
    for magic, content_type, ext in MAGIC:
        if head.startswith(magic):
            return content_type, ext
    return None


def clean_filename(name: str | None) -> str:
    """The browser's file name without a path, control characters (a NUL or CR/LF would break the
    download's Content-Disposition header) or quotes; at most 255 characters."""
    base = re.split(r"[/\\]", name or "")[-1]
    return "".join(ch for ch in base if ch.isprintable() and ch not in {'"', "<", ">"}).strip()[:255]


def parses(content: bytes, content_type: str) -> bool:
    """True when the whole file is what its magic bytes claim: a PNG header on an .exe body, or a
    "%PDF-" line on anything else, is refused."""
    try:
        if content_type == "application/pdf":
            return len(PdfReader(io.BytesIO(content), strict=False).pages) > 0
        expected = {"image/png": "PNG", "image/jpeg": "JPEG"}[content_type]
        with Image.open(io.BytesIO(content)) as image:
            if image.format != expected:
                return False
            image.load()  # decodes every pixel: a truncated or forged body fails here
        return True
    except Exception:  # noqa: BLE001 - any parser failure (PdfReadError, OSError, DecompressionBombError…)
        return False


def download_name(file: EvidenceFile) -> str:
    """The name a download is saved under: the uploader's name without its extension (cleaned), and
    the extension of what the content was found to be (``x.html`` holding a PNG saves as ``x.png``)."""
    stem = os.path.splitext(clean_filename(file.original_name))[0] or "证明材料"
    return f"{stem}{os.path.splitext(file.stored_name)[1]}"


def evidence_dir() -> str:
    return os.path.join(current_app.config["UPLOAD_FOLDER"], "evidence")


def read_upload(stream: BinaryIO, label: str) -> bytes:
    """An uploaded file's bytes, at most ``max_bytes()``; 422 naming the field by ``label`` when it is
    empty or larger (read one byte past the limit, never the whole of an oversized upload)."""
    limit = max_bytes()
    content = stream.read(limit + 1)
    if not content:
        raise Invalid(f"{label}：文件为空", field="file")
    if len(content) > limit:
        raise Invalid(f"{label}：文件超过 {limit // (1024 * 1024)} MB", field="file")
    return content


def store_evidence(user: User, label: str, filename: str, stream: BinaryIO) -> EvidenceFile:
    label = (label or "").strip()
    if not label:
        raise Invalid("材料名称：请填写", field="label")
    content = read_upload(stream, "证明材料文件")
    kind = sniff(content[:8])
    if kind is None or not parses(content, kind[0]):
        raise Invalid("证明材料文件：只接受 PDF、JPEG 或 PNG 文件（文件无法打开或已损坏）", field="file")
    content_type, ext = kind
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    record = EvidenceFile(
        user_id=user.id,
        label=label[:200],
        original_name=clean_filename(filename) or stored_name,
        stored_name=stored_name,
        content_type=content_type,
        size=len(content),
    )
    db.session.add(record)
    db.session.flush()
    folder = evidence_dir()
    after_commit(lambda: write_file(folder, stored_name, content))
    return record


def write_file(folder: str, name: str, content: bytes) -> None:
    """Write an upload once its record is committed (``after_commit``): a failed request leaves no file."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as out:
        out.write(content)


def remove_file(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)


def list_evidence(user: User) -> list[EvidenceFile]:
    return list(
        db.session.scalars(select(EvidenceFile).where(EvidenceFile.user_id == user.id).order_by(EvidenceFile.id))
    )


def _cited(file: EvidenceFile) -> bool:
    applications = db.session.scalars(select(Application).where(Application.user_id == file.user_id))
    return any(item.get("id") == file.id for a in applications for item in a.evidence or [])


def can_view(user: User, file: EvidenceFile) -> bool:
    if user.id == file.user_id or user.role == Role.admin:
        return True
    if user.role != Role.center_admin:
        return False
    reviewable = db.session.scalars(visible_applications(user).where(Application.user_id == file.user_id))
    return any(item.get("id") == file.id for a in reviewable for item in a.evidence or [])


def get_evidence(user: User, file_id: int) -> tuple[EvidenceFile, str]:
    """(record, path on disk); 404 for anyone who may not see it."""
    file = db.session.get(EvidenceFile, file_id)
    if file is None or not can_view(user, file):
        raise NotFound("文件不存在")
    return file, os.path.join(evidence_dir(), file.stored_name)


def delete_evidence(user: User, file_id: int) -> None:
    file = db.session.get(EvidenceFile, file_id)
    if file is None or file.user_id != user.id:
        raise NotFound("文件不存在")
    if _cited(file):
        raise Conflict("该材料已随申报提交，不能删除")
    path = os.path.join(evidence_dir(), file.stored_name)
    record("evidence.deleted", file, {"label": file.label, "name": file.original_name}, center_id=user.center_id)
    db.session.delete(file)
    db.session.flush()
    after_commit(lambda: remove_file(path))  # the file goes only once the record is gone for good
