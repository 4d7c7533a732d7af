"""Pages of the papers domain (to be filled by its issue)."""

from flask import Blueprint

bp = Blueprint("papers", __name__, url_prefix="/papers")
