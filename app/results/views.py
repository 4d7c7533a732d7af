"""Pages of the results domain (to be filled by its issue)."""

from flask import Blueprint

bp = Blueprint("results", __name__, url_prefix="/results")
