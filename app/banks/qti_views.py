"""Bank pages for QTI 2.1 packages (api-contract v1.2, Banks in QTI): download the filtered bank as a
package, upload one (with defaults for the fields other tools' packages lack). Registered on the bank
pages' blueprint (app/banks/views.py)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import roles_required
from app.auth.roles import ADMINS
from app.errors import DomainError
from app.extensions import db
from app.standards.registry import all_standards

from . import qti_export, qti_import
from .qti_package import MAX_PACKAGE_BYTES
from .validation import all_areas
from .views import _filters, _standard_arg, bp


@bp.get("/export.qti")
@roles_required(*ADMINS)
def export_qti():
    standard = _standard_arg()
    filters = _filters(standard)
    data = qti_export.export_package(standard.id, level=filters["level"], area=filters["area"], user=current_user)
    name = quote(f"题库-{standard.id}-qti21.zip")
    return Response(
        data, mimetype="application/zip", headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    )


@bp.route("/import-qti", methods=["GET", "POST"])
@roles_required(*ADMINS)
def import_qti():
    standard = _standard_arg()
    error = None
    if request.method == "POST":
        upload = request.files.get("package")
        if upload is None or not upload.filename:
            error = "请选择要导入的 QTI 包（.zip）"
        else:
            defaults = {key: request.form.get(key, "") for key in qti_import.DEFAULT_FIELDS}
            try:
                count = qti_import.import_package(
                    standard.id, upload.stream.read(MAX_PACKAGE_BYTES + 1), defaults, current_user
                )
            except DomainError as exc:
                db.session.rollback()
                error = exc.message
            else:
                flash(f"已从 QTI 包导入 {count} 题（{standard.name}）", "success")
                return redirect(url_for("banks.items", standard=standard.id))
    page = render_template(
        "banks/import_qti.html",
        standard=standard,
        standards=list(all_standards().values()),
        areas=all_areas(standard),
        error=error,
        form=request.form,
    )
    return page, 422 if error else 200
