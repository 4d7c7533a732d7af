"""Pages of the eligibility domain (to be filled by its issue)."""

from flask import Blueprint

bp = Blueprint("eligibility", __name__, url_prefix="/eligibility")
