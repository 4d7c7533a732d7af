from flask import jsonify, request

from app.auth.operations import authenticate, issue_token, revoke_token
from app.errors import Unauthorized

from . import bp
from .common import api_auth, bearer_token, json_body


@bp.post("/auth/token")
def create_token():
    data = json_body()
    user = authenticate(str(data.get("username") or ""), str(data.get("password") or ""), request.remote_addr or "")
    token = issue_token(user)
    return jsonify({"token": token, "role": user.role.value})


@bp.delete("/auth/token")
@api_auth()
def delete_token():
    """Sign-out of an API client (contract v1.1): the token in the Authorization header is revoked."""
    token = bearer_token()
    if token is None:  # signed in by the page cookie: there is no token to revoke
        raise Unauthorized("需要 Authorization: Bearer <token>")
    revoke_token(token)
    return "", 204
