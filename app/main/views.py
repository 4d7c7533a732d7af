import os

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import login_required
from sqlalchemy import text

from app import db_identity, write_health
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
    """200 only when the database answers, holds the schema (its migration table and users) and takes
    writes; 503 ``{"status": problem}`` otherwise: ``unavailable`` (no database, an emptied or missing
    file), ``database_file_replaced`` (the pool holds a file no longer at the path, app/db_identity.py),
    ``read_only``, ``disk_full``, ``write_failed`` (app/write_health.py: cheap checks every time, a
    write probe at most every HEALTH_WRITE_PROBE_SECONDS, the last write error seen)."""
    config = current_app.config
    path = sqlite_path(db.engine.url)
    try:
        if path and _missing_or_empty(path):
            raise FileNotFoundError(path)  # a deleted or emptied file, even behind a pooled connection
        if db.session.execute(text("SELECT version_num FROM alembic_version")).first() is None:
            raise LookupError("no schema version")
        db.session.execute(text("SELECT 1 FROM users WHERE 1 = 0"))
        problem = None
        if db_identity.replaced(db.session.connection()):
            problem = write_health.REPLACED
            db.session.rollback()
            db.engine.dispose()  # the next connections open the file now at the path
        elif path:
            problem = write_health.file_problem(path, int(config.get("HEALTH_MIN_FREE_BYTES", 1 << 20)))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return _unhealthy("unavailable")
    db.session.rollback()  # the reads' transaction: the probe below writes on a connection of its own
    problem = problem or write_health.write_problem(
        db.engine,
        float(config.get("HEALTH_WRITE_PROBE_SECONDS", 5)),
        float(config.get("HEALTH_WRITE_ERROR_SECONDS", 10)),
    )
    if problem:
        return _unhealthy(problem)
    return jsonify({"status": "ok"})


def _missing_or_empty(path: str) -> bool:
    try:
        return os.stat(path).st_size == 0
    except OSError:
        return True


def _unhealthy(status: str):
    return jsonify({"status": status}), 503, {"Retry-After": "30", "Cache-Control": "no-store"}
