"""综合评审 materials: the candidate's 技术总结 or 论文 (PDF), uploaded on their session page before the
deadline the center sets, read by the reviewers in the platform.

3-01-01-04 1.9.2: 综合评审主要针对二级/技师和一级/高级技师，采取审阅申报材料、答辩等方式进行全面评议和审查.
Files are judged by parsing (PDF only; one with active content — JavaScript, /OpenAction, /AA — is
refused, ``app.uploads.parses``), stored outside the web root under a random name, kept under the
uploader's name cleaned (``app.uploads.clean_filename``), served as attachments (``send_stored``),
and written or deleted only after the commit (``app.boundary.after_commit``).
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from app import timeutil
from app.audit.operations import record
from app.auth.models import Role, User
from app.boundary import after_commit
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.sessions.enrolment import enrollment_of
from app.sessions.models import Enrollment, ExamSession, SessionComponent, SessionStatus
from app.sessions.planning import parse_datetime
from app.uploads import (
    ActiveContent,
    clean_filename,
    parses,
    read_upload,
    refused_active,
    remove_file,
    sniff,
    stage_file,
)

from .models import MATERIAL_LABELS, MaterialKind, ReviewMaterial
from .sheets import existing_result


def candidate_session(session_id: int, user: User) -> ExamSession:
    """The candidate's own session, or 404 (another session's existence must not leak)."""
    session = db.session.get(ExamSession, session_id)
    if session is None or enrollment_of(session, user) is None:
        raise NotFound("考试批次不存在")
    return session


def review_dir() -> str:
    return os.path.join(current_app.config["UPLOAD_FOLDER"], "review")


def review_row(session: ExamSession) -> SessionComponent:
    row = session.component_row("review")
    if row is None:
        raise NotFound("本考试批次的等级没有综合评审")
    return row


def set_deadline(session: ExamSession, due, now: datetime | None = None) -> SessionComponent:
    """The 材料提交截止 of the session's 综合评审. One already past would lock every candidate out of
    uploading at once (issue 27 item 7), so it is refused at entry, naming the field."""
    row = review_row(session)
    if due in (None, ""):
        raise Invalid("请填写材料提交截止时间", field="due")
    deadline = parse_datetime(due, "due")
    now = now or timeutil.utcnow()
    if deadline <= now:
        raise Invalid(
            f"材料提交截止时间 {timeutil.beijing(deadline)}（北京时间）已经过去：考生将无法再提交材料，请填写今后的时间",
            field="due",
        )
    row.submissions_due = deadline
    db.session.flush()
    return row


def materials_of(enrollment: Enrollment) -> list[ReviewMaterial]:
    return list(
        db.session.scalars(
            select(ReviewMaterial).where(ReviewMaterial.enrollment_id == enrollment.id).order_by(ReviewMaterial.id)
        )
    )


def _check_open(session: ExamSession, enrollment: Enrollment, now: datetime) -> None:
    row = review_row(session)
    if row.submissions_due is None:
        raise Conflict("机构尚未设定综合评审材料的提交截止时间", code="no_deadline")
    if now >= row.submissions_due:
        raise Conflict("已超过综合评审材料的提交截止时间", code="past_deadline")
    if session.status == SessionStatus.published:
        raise Conflict("成绩已发布", code="session_published")
    result = existing_result("review", enrollment)
    if result is not None and result.locked:
        raise Conflict("综合评审已定分，不能再更改材料", code="finalized")


def upload(
    session: ExamSession, user: User, kind: str, filename: str, stream: BinaryIO, now: datetime
) -> ReviewMaterial:
    enrollment = enrollment_of(session, user)
    if enrollment is None:
        raise NotFound("您未报名本考试批次")
    _check_open(session, enrollment, now)
    if kind not in {k.value for k in MaterialKind}:
        raise Invalid("材料类型须为技术总结或论文", field="kind")
    content = read_upload(stream, "材料文件")
    try:
        if (sniff(content[:8]) or ("",))[0] != "application/pdf" or not parses(content, "application/pdf"):
            raise Invalid("材料文件：综合评审材料只接受 PDF 文件（文件无法打开或已损坏）", field="file")
    except ActiveContent as exc:
        raise refused_active("材料文件", exc) from None
    stored_name = f"{secrets.token_hex(16)}.pdf"
    material = ReviewMaterial(
        session_id=session.id,
        enrollment_id=enrollment.id,
        kind=MaterialKind(kind),
        original_name=clean_filename(filename) or f"{MATERIAL_LABELS[MaterialKind(kind)]}.pdf",
        stored_name=stored_name,
        size=len(content),
        uploaded_at=now,
    )
    db.session.add(material)
    db.session.flush()
    record("review.material_uploaded", material, {"kind": kind, "name": material.original_name, "size": material.size})
    stage_file(review_dir(), stored_name, content)
    return material


def delete(session: ExamSession, user: User, material_id: int, now: datetime) -> None:
    material = db.session.get(ReviewMaterial, material_id)
    enrollment = enrollment_of(session, user)
    if material is None or enrollment is None or material.enrollment_id != enrollment.id:
        raise NotFound("材料不存在")
    _check_open(session, enrollment, now)
    path = os.path.join(review_dir(), material.stored_name)
    record("review.material_deleted", material, {"kind": material.kind.value, "name": material.original_name})
    db.session.delete(material)
    db.session.flush()
    after_commit(lambda: remove_file(path))


def can_read(user: User, session: ExamSession, material: ReviewMaterial) -> bool:
    """The candidate themself, the session's reviewers, and the center's admins (platform admins)."""
    if user.role == Role.admin:
        return True
    if user.role == Role.center_admin:
        return user.center_id == session.center_id
    if user.role == Role.reviewer:
        return any(s.user_id == user.id and s.role.value == "reviewer" for s in session.staff)
    return material.enrollment.user_id == user.id


def get_material(user: User, material_id: int) -> tuple[ReviewMaterial, str]:
    material = db.session.get(ReviewMaterial, material_id)
    if material is None:
        raise NotFound("材料不存在")
    session = db.session.get(ExamSession, material.session_id)
    if not can_read(user, session, material):
        raise NotFound("材料不存在")  # existence must not leak
    return material, os.path.join(review_dir(), material.stored_name)
