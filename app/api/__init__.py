"""The /api/v1 blueprint (described by /api/v1/openapi.json and the README): one module per domain, all thin."""

from flask import Blueprint

from app.errors import DomainError
from app.extensions import db

from .common import domain_error_response, resolve_api_user

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(resolve_api_user)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    """Roll back what the operation flushed before it failed: the request boundary commits after every
    response, and a 4xx must leave nothing behind (contract: a request that fails changes nothing)."""
    db.session.rollback()
    return domain_error_response(exc)


# Route modules register themselves on ``bp``.
from . import (  # noqa: E402,F401
    audit,
    auth,
    banks,
    certificates,
    continuing_education,
    described,
    eligibility,
    exams,
    papers,
    practical,
    qti,
    rating,
    results,
    score_settings,
    sessions,
    standards,
    statistics,
    surveys,
    training,
    uploads,
)
