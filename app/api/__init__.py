"""The /api/v1 blueprint (../shared/api-contract.md): one module per domain, all thin."""

from flask import Blueprint

from app.errors import DomainError

from .common import domain_error_response, resolve_api_user

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(resolve_api_user)
bp.register_error_handler(DomainError, domain_error_response)

# Route modules register themselves on ``bp``.
from . import (  # noqa: E402,F401
    audit,
    auth,
    banks,
    certificates,
    eligibility,
    exams,
    papers,
    practical,
    results,
    sessions,
    standards,
    statistics,
)
