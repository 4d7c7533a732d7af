"""/api/v1/banks/<standard>/items.qti — a bank as an IMS QTI 2.1 content package (api-contract v1.2,
Banks in QTI): export filtered by level and area; import under the JSON import's all-or-nothing rules."""

from urllib.parse import quote

from flask import Response, jsonify, request

from app.auth.roles import ADMINS
from app.banks import qti_export, qti_import
from app.banks.qti_package import MAX_PACKAGE_BYTES
from app.errors import Invalid

from . import bp
from .common import api_auth, api_user


@bp.get("/banks/<standard_id>/items.qti")
@api_auth(*ADMINS)
def export_bank_qti(standard_id: str):
    """The bank's active items (``level``: those serving it; ``area``) as a QTI 2.1 content package (zip)."""
    data = qti_export.export_package(
        standard_id, level=request.args.get("level") or None, area=request.args.get("area") or None, user=api_user()
    )
    name = quote(f"题库-{standard_id}-qti21.zip")
    return Response(
        data, mimetype="application/zip", headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    )


@bp.post("/banks/<standard_id>/items.qti")
@api_auth(*ADMINS)
def import_bank_qti(standard_id: str):
    """Import a QTI 2.1 content package (multipart field ``package``; defaults ``level``, ``area``,
    ``points``, ``difficulty`` for items of other tools, as form fields or query parameters) → 201."""
    upload = request.files.get("package")
    if upload is None or not upload.filename:
        raise Invalid("请上传 QTI 包（multipart 字段 package）", field="package")
    data = upload.stream.read(MAX_PACKAGE_BYTES + 1)
    defaults = {**request.args.to_dict(), **request.form.to_dict()}  # query parameters or form fields
    imported = qti_import.import_package(standard_id, data, defaults, api_user())
    return jsonify({"imported": imported}), 201
