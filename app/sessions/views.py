"""Pages of the sessions domain (to be filled by its issue)."""

from flask import Blueprint

bp = Blueprint("sessions", __name__, url_prefix="/sessions")
