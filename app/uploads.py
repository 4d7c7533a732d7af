"""Uploads (证明材料、材料文件): one home for every uploaded file — parse, bound, store, serve.

PDF, JPEG or PNG only, judged by parsing the content (the image decodes with Pillow, the PDF parses
with pypdf and has a page) rather than the name, the browser's claim or the first bytes; a PDF that
would run something when opened or used (JavaScript, an /OpenAction or /AA action, a launch) is
refused; stored outside the web root under a random name; served as a download under a safe name,
never inline.

An upload belongs to the person who uploaded it (``EvidenceFile.user_id``). Who else may read it is
decided by the domains that cite uploads (an application under review, a continuing-education
claim, an organization's self-assessment): each registers a predicate with ``register_viewer`` and
this module, which imports no domain, asks them.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime
from typing import BinaryIO

from flask import current_app, send_file
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Role, User
from app.boundary import on_rollback
from app.errors import Invalid, NotFound, StorageUnavailable
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Decompression bombs (issue 28 item 9): a 164 KB PNG of 13000 × 13000 pixels decodes to 850 MB. An
# image's size is read from its header and refused above this bound before any pixel is decoded
# (a 48-megapixel phone photo, 8000 × 6000, passes); at most DECODES_AT_ONCE decodes run per process.
DEFAULT_MAX_PIXELS = 50_000_000
DECODES_AT_ONCE = 2
_decoding = threading.BoundedSemaphore(DECODES_AT_ONCE)
MAGIC = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
ACCEPTED = "只接受 PDF、JPEG 或 PNG 文件（文件无法打开或已损坏）"


class EvidenceFile(db.Model):
    """An uploaded PDF/JPEG/PNG, stored under UPLOAD_FOLDER/evidence by a random name (never the user's)."""

    __tablename__ = "evidence_files"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="type_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


# ---- checking what was uploaded


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(current_app.config.get("UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS))


class TooManyPixels(ValueError):
    """The header announces more pixels than ``max_pixels()``: refused before decoding."""


@contextmanager
def opened_image(content: bytes):
    """``Image.open`` of an upload whose header announces at most ``max_pixels()`` pixels (else
    ``TooManyPixels``, nothing decoded), holding one of the process's few decode slots meanwhile."""
    with _decoding, Image.open(io.BytesIO(content)) as image:
        width, height = image.size
        if width * height > max_pixels():
            raise TooManyPixels(f"{width} × {height}")
        yield image


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


class ActiveContent(ValueError):
    """A PDF that runs something when opened or used; the message names where (e.g. ``/OpenAction``)."""


SCRIPT_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/Rendition"}


def _runs_script(action, depth: int = 0) -> bool:
    """An action (or a chain of them through /Next) that runs a script or a program."""
    if depth > 20:
        return True  # a chain this long is not a reading aid
    action = action.get_object() if action is not None else None
    if isinstance(action, ArrayObject):  # a destination ([page /Fit]) or a list of /Next actions
        return any(_runs_script(item, depth + 1) for item in action if isinstance(item.get_object(), DictionaryObject))
    if not isinstance(action, DictionaryObject):
        return False
    if "/JS" in action or action.get("/S") in SCRIPT_ACTIONS:
        return True
    return _runs_script(action.get("/Next"), depth + 1)


def active_content(reader: PdfReader) -> str | None:
    """Where the PDF would run something: the document's /OpenAction running a script, any /AA
    (additional actions: on open, close, print, page view), the /JavaScript names tree, or a page's
    annotation whose action runs a script. None for a document that only shows pages."""
    root = reader.trailer["/Root"].get_object()
    if _runs_script(root.get("/OpenAction")):
        return "/OpenAction"
    if "/AA" in root:
        return "/AA"
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        return "/JavaScript"
    for page in reader.pages:
        if "/AA" in page:
            return "/AA"
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if isinstance(annotation, DictionaryObject) and ("/AA" in annotation or _runs_script(annotation.get("/A"))):
                return "/Annots"
    return None


def parses(content: bytes, content_type: str) -> bool:
    """True when the whole file is what its magic bytes claim: a PNG header on an .exe body, or a
    "%PDF-" line on anything else, is refused. A PDF that parses but carries active content raises
    ``ActiveContent`` (the callers name the field: ``refused_active``)."""
    try:
        if content_type == "application/pdf":
            reader = PdfReader(io.BytesIO(content), strict=False)
            if not len(reader.pages):
                return False
            where = active_content(reader)
            if where is not None:
                raise ActiveContent(where)
            return True
        expected = {"image/png": "PNG", "image/jpeg": "JPEG"}[content_type]
        with opened_image(content) as image:
            if image.format != expected:
                return False
            image.load()  # decodes every pixel: a truncated or forged body fails here
        return True
    except ActiveContent:
        raise
    except Exception:  # noqa: BLE001 - any parser failure (PdfReadError, OSError, DecompressionBombError…)
        return False


def refused_active(label: str, exc: ActiveContent) -> Invalid:
    """422 naming the field: the PDF would run a script or an action (``exc`` says where)."""
    return Invalid(
        f"{label}：PDF 含有打开或操作时自动执行的脚本或动作（{exc}），不予接受；请另存为不含脚本的 PDF 后再上传",
        field="file",
        code="pdf_active_content",
        details={"where": str(exc)},
    )


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


def checked_kind(content: bytes, label: str) -> tuple[str, str]:
    """(content type, extension) of a file that parses as what it claims; 422 naming ``label`` otherwise."""
    kind = sniff(content[:8])
    try:
        if kind is None or not parses(content, kind[0]):
            raise Invalid(f"{label}：{ACCEPTED}", field="file")
    except ActiveContent as exc:
        raise refused_active(label, exc) from None
    return kind


# ---- files on disk (written after the commit: a failed request leaves no file)


def write_file(folder: str, name: str, content: bytes) -> None:
    """Write a file whole or not at all: to a temporary name, flushed to the disk, then renamed (a
    reader never meets half a file). Raises ``StorageUnavailable`` (nothing left behind) when it cannot."""
    os.makedirs(folder, exist_ok=True)
    final = os.path.join(folder, name)
    temporary = os.path.join(folder, f".{name}.part")
    try:
        with open(temporary, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, final)
    except OSError as exc:
        remove_file(temporary)
        current_app.logger.error("upload not written (%s): %s", final, exc)
        raise StorageUnavailable("服务器存储空间不足或不可写，文件未保存，请稍后再试") from None


def stage_file(folder: str, name: str, content: bytes) -> None:
    """Write a file BEFORE its record commits (issue 28 item 5: a 4 MB upload on a disk with 1.5 MB free
    used to commit its row and keep a truncated file): the request fails whole when the disk does,
    and the file is removed again if the transaction rolls back."""
    write_file(folder, name, content)
    on_rollback(lambda: remove_file(os.path.join(folder, name)))


def remove_file(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)


def evidence_dir() -> str:
    return os.path.join(current_app.config["UPLOAD_FOLDER"], "evidence")


def path_of(file: EvidenceFile) -> str:
    return os.path.join(evidence_dir(), file.stored_name)


def download_name(file) -> str:
    """The name a download is saved under: the uploader's name without its extension (cleaned), and
    the extension of what the content was found to be (``x.html`` holding a PNG saves as ``x.png``).
    ``file``: anything with ``original_name`` and ``stored_name`` (an upload, a 综合评审 material)."""
    stem = os.path.splitext(clean_filename(file.original_name))[0] or "证明材料"
    return f"{stem}{os.path.splitext(file.stored_name)[1]}"


# ---- the records


def store_upload(user: User, label: str, filename: str | None, stream: BinaryIO) -> EvidenceFile:
    """Check and keep one file of ``user``'s; the bytes reach the disk when the request commits."""
    label = (label or "").strip()
    if not label:
        raise Invalid("材料名称：请填写", field="label")
    content = read_upload(stream, "证明材料文件")
    content_type, ext = checked_kind(content, "证明材料文件")
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    file = EvidenceFile(
        user_id=user.id,
        label=label[:200],
        original_name=clean_filename(filename) or stored_name,
        stored_name=stored_name,
        content_type=content_type,
        size=len(content),
    )
    db.session.add(file)
    db.session.flush()
    stage_file(evidence_dir(), stored_name, content)
    return file


Viewer = Callable[[User, EvidenceFile], bool]
_VIEWERS: list[Viewer] = []


def register_viewer(predicate: Viewer) -> Viewer:
    """A domain that cites uploads says who, besides the owner and platform admins, may read one."""
    _VIEWERS.append(predicate)
    return predicate


def can_view(user: User, file: EvidenceFile) -> bool:
    if user.id == file.user_id or user.role == Role.admin:
        return True
    return any(predicate(user, file) for predicate in _VIEWERS)


def get_upload(user: User, file_id: int) -> EvidenceFile:
    """The upload, or 404 for anyone who may not see it (its existence must not leak)."""
    file = db.session.get(EvidenceFile, file_id)
    if file is None or not can_view(user, file):
        raise NotFound("文件不存在")
    return file


def owned_uploads(user: User, ids: object, field: str = "evidence") -> list[EvidenceFile]:
    """The uploads ``ids`` names, each one ``user``'s own; 422 naming the index otherwise.

    Used by every record that cites evidence (a claim, a self-assessment): one may only cite one's
    own files."""
    if ids is None:
        return []
    if not isinstance(ids, list):
        raise Invalid("证明材料：须为上传文件编号的列表", field=field)
    files: list[EvidenceFile] = []
    for index, file_id in enumerate(ids):
        if isinstance(file_id, bool) or not isinstance(file_id, int):
            raise Invalid(f"证明材料第 {index + 1} 项：须为上传文件编号", field=f"{field}.{index}")
        file = db.session.get(EvidenceFile, file_id)
        if file is None or file.user_id != user.id:
            raise Invalid(f"证明材料第 {index + 1} 项：文件不存在", field=f"{field}.{index}")
        if file not in files:
            files.append(file)
    return files


def uploads_of(user: User) -> list[EvidenceFile]:
    return list(
        db.session.scalars(select(EvidenceFile).where(EvidenceFile.user_id == user.id).order_by(EvidenceFile.id))
    )


def describe(files: Iterable[EvidenceFile]) -> list[dict]:
    """The frozen description a record keeps of the files it cites."""
    return [{"id": f.id, "label": f.label, "name": f.original_name, "content_type": f.content_type} for f in files]


def send_upload(file: EvidenceFile):
    """The file as a download (never rendered inline), not cached, its type not sniffed."""
    return send_stored(path_of(file), file.content_type, download_name(file))


def send_stored(path: str, content_type: str, name: str):
    """A stored file as a download under ``name`` (a ``download_name``): never inline, not cached,
    its type not sniffed."""
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
