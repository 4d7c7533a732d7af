from flask import jsonify, request

from app.auth.operations import authenticate, issue_token

from . import bp
from .common import json_body


@bp.post("/auth/token")
def create_token():
    data = json_body()
    user = authenticate(str(data.get("username") or ""), str(data.get("password") or ""), request.remote_addr or "")
    token = issue_token(user)
    return jsonify({"token": token, "role": user.role.value})
