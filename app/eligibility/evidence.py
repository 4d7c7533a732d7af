"""A candidate's evidence files (证明材料) for 申报 are their uploads (``app/uploads.py``: stored, listed
and served there), shown to the
owner, platform admins and the admins of a center that reviews one of the owner's applications
citing the file; a file cited by a submitted application cannot be deleted."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.operations import record
from app.auth.models import Role, User
from app.boundary import after_commit
from app.errors import Conflict, NotFound
from app.extensions import db
from app.uploads import EvidenceFile, path_of, register_viewer, remove_file

from .models import Application
from .operations import visible_applications


def _cited(file: EvidenceFile) -> bool:
    applications = db.session.scalars(select(Application).where(Application.user_id == file.user_id))
    return any(item.get("id") == file.id for a in applications for item in a.evidence or [])


@register_viewer
def reviews_an_application_citing(user: User, file: EvidenceFile) -> bool:
    """A center admin reviewing one of the owner's applications that cites the file."""
    if user.role != Role.center_admin:
        return False
    reviewable = db.session.scalars(visible_applications(user).where(Application.user_id == file.user_id))
    return any(item.get("id") == file.id for a in reviewable for item in a.evidence or [])


def delete_evidence(user: User, file_id: int) -> None:
    file = db.session.get(EvidenceFile, file_id)
    if file is None or file.user_id != user.id:
        raise NotFound("文件不存在")
    if _cited(file):
        raise Conflict("该材料已随申报提交，不能删除")
    path = path_of(file)
    record("evidence.deleted", file, {"label": file.label, "name": file.original_name}, center_id=user.center_id)
    db.session.delete(file)
    db.session.flush()
    after_commit(lambda: remove_file(path))  # the file goes only once the record is gone for good


def attached_evidence(user: User) -> set[int]:
    """Ids of the user's files cited by one of their applications: the page offers no 删除 for them
    (issue 27 item 14)."""
    applications = db.session.scalars(select(Application).where(Application.user_id == user.id))
    return {item.get("id") for a in applications for item in a.evidence or []}
