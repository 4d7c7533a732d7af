"""Pages of the banks domain (to be filled by its issue)."""

from flask import Blueprint

bp = Blueprint("banks", __name__, url_prefix="/banks")
