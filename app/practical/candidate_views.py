"""Pages for candidates: their 综合评审 materials (PDF) before the deadline; the file itself for
whoever may read it (the candidate, the session's reviewers, the center's admins)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user, login_required

from app import timeutil
from app.auth.decorators import roles_required
from app.boundary import page_action
from app.errors import Invalid
from app.sessions.enrolment import enrollment_of
from app.uploads import download_name, send_stored

from . import review as review_ops
from .blueprint import bp
from .models import MATERIAL_LABELS


@bp.route("/<int:session_id>/materials", methods=["GET", "POST"])
@roles_required("candidate")
def materials(session_id: int):
    session = review_ops.candidate_session(session_id, current_user)
    row = review_ops.review_row(session)
    enrollment = enrollment_of(session, current_user)
    if request.method == "POST":
        upload = request.files.get("file")

        def run():
            if upload is None or not upload.filename:
                raise Invalid("请选择要上传的 PDF 文件", field="file")
            return review_ops.upload(
                session, current_user, request.form.get("kind", ""), upload.filename, upload.stream, timeutil.utcnow()
            )

        return page_action(
            run,
            url_for("practical.materials", session_id=session_id),
            lambda m: f"已上传{m.kind_label}：{m.original_name}",
            failure="上传失败：",
        )
    return render_template(
        "practical/materials.html",
        s=session,
        row=row,
        materials=review_ops.materials_of(enrollment),
        labels=MATERIAL_LABELS,
        now=timeutil.utcnow(),
    )


@bp.post("/<int:session_id>/materials/<int:material_id>/delete")
@roles_required("candidate")
def delete_material(session_id: int, material_id: int):
    session = review_ops.candidate_session(session_id, current_user)
    return page_action(
        lambda: review_ops.delete(session, current_user, material_id, timeutil.utcnow()),
        url_for("practical.materials", session_id=session_id),
        "已删除材料",
    )


@bp.get("/materials/<int:material_id>")
@login_required
def material_file(material_id: int):
    material, path = review_ops.get_material(current_user, material_id)
    # An attachment under a cleaned name, never inline: a reviewer's browser must not run what a PDF
    # carries (app/uploads.py refuses active content at upload; this holds for files kept before).
    return send_stored(path, "application/pdf", download_name(material))
