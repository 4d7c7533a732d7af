"""Pages of the practical domain (to be filled by its issue)."""

from flask import Blueprint

bp = Blueprint("practical", __name__, url_prefix="/practical")
