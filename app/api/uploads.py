"""Uploads: ``POST /uploads`` (multipart ``file``, optional ``label``) → 201 ``{"id", …}``, the id a
continuing-education claim or a self-assessment cites as ``evidence``; ``GET /uploads/<id>`` the file
(its owner, platform admins, and whoever a citing record lets see it)."""

from __future__ import annotations

from flask import g, request

from app.errors import Invalid
from app.uploads import describe, get_upload, send_upload, store_upload, uploads_of

from . import bp
from .common import api_auth


def upload_json(file) -> dict:
    """The upload as a record that cites it describes it (``uploads.describe``), with its size."""
    return {**describe([file])[0], "size": file.size}


@bp.post("/uploads")
@api_auth()
def create_upload():
    part = request.files.get("file")
    if part is None:
        raise Invalid("证明材料文件：请选择文件（表单字段 file）", field="file")
    label = request.form.get("label") or part.filename or "证明材料"
    return upload_json(store_upload(g.api_user, label, part.filename, part.stream)), 201


@bp.get("/uploads")
@api_auth()
def list_uploads():
    return {"uploads": [upload_json(f) for f in uploads_of(g.api_user)]}


@bp.get("/uploads/<int:file_id>")
@api_auth()
def download_upload(file_id: int):
    return send_upload(get_upload(g.api_user, file_id))
