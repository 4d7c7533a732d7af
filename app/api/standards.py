from flask import jsonify

from app.standards.registry import all_standards, get_standard
from app.standards.serialize import standard_detail, standard_summary

from . import bp
from .common import api_auth


@bp.get("/standards")
@api_auth()
def list_standards():
    return jsonify([standard_summary(s) for s in all_standards().values()])


@bp.get("/standards/<standard_id>")
@api_auth()
def show_standard(standard_id: str):
    return jsonify(standard_detail(get_standard(standard_id)))
