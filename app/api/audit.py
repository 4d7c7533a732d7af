"""/api/v1/audit: the audit log, read only (an addition to the contract, same conventions: errors as
``{"error": …}``, 422 naming the query field). Platform admins read every entry, center admins their
center's (404 for another's entry), everyone else 403. No endpoint edits or deletes an entry."""

from __future__ import annotations

from flask import jsonify, request

from app.audit import operations as ops
from app.audit.serialize import entry_dict
from app.auth.models import Role

from . import bp
from .common import api_auth, api_user

READERS = (Role.center_admin, Role.admin)
NO_CACHE = {"Cache-Control": "no-store"}


@bp.get("/audit")
@api_auth(*READERS)
def list_audit_entries():
    filters, number, per_page = ops.parse_filters(request.args)
    page = ops.page_of(api_user(), filters, number, per_page)
    body = {
        "entries": [entry_dict(e) for e in page.entries],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }
    return jsonify(body), 200, NO_CACHE


@bp.get("/audit/<int:entry_id>")
@api_auth(*READERS)
def get_audit_entry(entry_id: int):
    return jsonify(entry_dict(ops.get_entry(api_user(), entry_id))), 200, NO_CACHE
