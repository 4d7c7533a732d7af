"""Pages of the exams domain (to be filled by its issue)."""

from flask import Blueprint

bp = Blueprint("exams", __name__, url_prefix="/exams")
