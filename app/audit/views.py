"""The audit log's page (/audit, with its CSV export) and API (GET /api/v1/audit): read only, for
platform admins (everything) and center admins (their center's entries). No route edits or deletes
an entry."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from app.auth.decorators import roles_required
from app.auth.models import Role
from app.errors import Invalid
from app.spreadsheets import csv_text
from app.timeutil import CHINA

from . import operations as ops
from .display import shown, usernames_in
from .labels import ACTION_LABELS, SUBJECT_LABELS, subject_label
from .serialize import EXPORT_HEADERS, export_row

bp = Blueprint("audit", __name__, url_prefix="/audit")
READERS = (Role.center_admin, Role.admin)
NO_CACHE = {"Cache-Control": "no-store"}


@bp.get("/")
@roles_required(*READERS)
def index():
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    error, page = None, None
    try:
        filters, number, per_page = ops.parse_filters(request.args)
        page = ops.page_of(current_user, filters, number, per_page)
    except Invalid as exc:
        error = exc.message
    names = ops.display_names(usernames_in(page.entries)) if page else {}
    html = render_template(
        "audit/index.html",
        page=page,
        error=error,
        platform=current_user.role == Role.admin,
        args=args,
        actions=ACTION_LABELS,
        subjects=SUBJECT_LABELS,
        shown=[shown(entry, names) for entry in page.entries] if page else [],
        subject_label=subject_label,
        china=CHINA,
    )
    return html, (422 if error else 200)


@bp.get("/export.csv")
@roles_required(*READERS)
def export_csv():
    filters, _, _ = ops.parse_filters(request.args)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADERS)
    for entry in ops.export_entries(current_user, filters):
        writer.writerow([csv_text(value) for value in export_row(entry)])  # no cell runs as a formula
    body = "\ufeff" + out.getvalue()  # a BOM: Excel in China reads the file as UTF-8
    headers = {**NO_CACHE, "Content-Disposition": "attachment; filename=audit-log.csv"}
    return Response(body.encode("utf-8"), mimetype="text/csv", headers=headers)
