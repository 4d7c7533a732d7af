import os

from flask import Blueprint, jsonify, render_template
from flask_login import login_required
from sqlalchemy import text

from app.extensions import db
from app.faults import sqlite_path
from app.results import signing

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("main/index.html")


@bp.get("/.well-known/jwks.json")
def jwks():
    """The public keys that sign certificates (contract v1.2: Signed certificates), retired ones too."""
    response = jsonify(signing.jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/healthz")
def healthz():
    """200 only when the database answers and holds the schema (its migration table and users)."""
    path = sqlite_path(db.engine.url)
    try:
        if path and (not os.path.exists(path) or os.path.getsize(path) == 0):
            raise FileNotFoundError(path)  # a deleted or emptied file, even behind a pooled connection
        if db.session.execute(text("SELECT version_num FROM alembic_version")).first() is None:
            raise LookupError("no schema version")
        db.session.execute(text("SELECT 1 FROM users WHERE 1 = 0"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503, {"Retry-After": "30", "Cache-Control": "no-store"}
    return jsonify({"status": "ok"})
