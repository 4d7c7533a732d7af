"""/api/v1/banks — question banks (api-contract: Question banks)."""

from flask import jsonify, request

from app.auth.roles import ADMINS
from app.banks import operations as ops
from app.standards.registry import get_standard

from . import bp
from .common import api_auth, api_user, fields, parse_body
from .schemas import BankImport


@bp.post("/banks/<standard_id>/items")
@api_auth(*ADMINS)
def import_bank_items(standard_id: str):
    get_standard(standard_id)
    body = parse_body(BankImport, items_of="items")  # 422 {"index", "field"} of the first bad item
    imported = ops.import_items(standard_id, fields(body)["items"], api_user())
    return jsonify({"imported": imported}), 201


@bp.get("/banks/<standard_id>/items")
@api_auth(*ADMINS)
def list_bank_items(standard_id: str):
    items = ops.list_items(
        standard_id,
        level=request.args.get("level") or None,
        area=request.args.get("area") or None,
        item_type=request.args.get("type") or None,
        text=request.args.get("q") or None,
        include_retired=request.args.get("retired") in {"1", "true"},
        user=api_user(),
    )
    return jsonify({"items": [item.to_dict() for item in items]})
