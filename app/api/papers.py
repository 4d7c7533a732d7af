"""/api/v1/papers — paper assembly (api-contract: Paper assembly)."""

from flask import jsonify

from app.auth.roles import ADMINS
from app.papers import operations as ops

from . import bp
from .common import api_auth, api_user, fields, parse_body
from .schemas import WHOLE, AssembleRequest


@bp.post("/papers/assemble")
@api_auth(*ADMINS)
def assemble_papers():
    body = parse_body(AssembleRequest, whole=WHOLE)
    given = body.model_fields_set
    papers = ops.assemble_papers(
        body.standard,
        body.level,
        body.forms,
        body.max_overlap if "max_overlap" in given else None,
        body.seed,
        sections=fields(body).get("sections"),
        difficulty=fields(body).get("difficulty"),
        user=api_user(),
        record_usage=False,  # a draft: the same seed gives the same papers (api-contract)
    )
    return jsonify({"papers": [paper.to_dict() for paper in papers]}), 201


@bp.get("/papers/<int:paper_id>")
@api_auth(*ADMINS)
def get_paper(paper_id: int):
    return jsonify(ops.get_paper(paper_id, api_user()).to_dict())
