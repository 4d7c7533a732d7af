from flask import g, jsonify, request, session

from app.auth import credentials, registration, staff_accounts
from app.auth.operations import LOGIN_SESSION_KEY, _digest, authenticate, issue_token, revoke_token
from app.auth.roles import ADMINS
from app.errors import Unauthorized

from . import bp
from .common import api_auth, bearer_token, fields, parse_body
from .schemas import PasswordChange, PasswordReset, Registration, StaffAccount, TokenRequest


@bp.post("/auth/token")
def create_token():
    body = parse_body(TokenRequest)
    user = authenticate(body.username, body.password, request.remote_addr or "")
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


# ---- accounts: the operations of the account pages (app/auth/account_pages.py), as JSON


@bp.post("/auth/register")
def register_account():
    """A candidate registers (username, name, contact, password, password2, center id or empty)."""
    user = registration.register_candidate(fields(parse_body(Registration)), request.remote_addr or "")
    return jsonify({"username": user.username, "active": user.active, "pending_approval": user.pending_approval}), 201


@bp.post("/auth/password")
@api_auth()
def change_password():
    """The signed-in user's new password; their other sign-ins end, the one making this call stays."""
    token, key = bearer_token(), session.get(LOGIN_SESSION_KEY)
    result = credentials.change_password(
        g.api_user,
        fields(parse_body(PasswordChange)),
        request.remote_addr or "",
        keep_token=_digest(token) if token else None,
        keep_session=_digest(key) if key and not token else None,
    )
    return jsonify(result)


@bp.post("/auth/password-reset")
def reset_password():
    """Set a new password with an admin's one-time code (username, code, password, password2)."""
    user = credentials.redeem_reset_code(fields(parse_body(PasswordReset)), request.remote_addr or "")
    return jsonify({"username": user.username})


@bp.post("/users")
@api_auth(*ADMINS)
def create_account():
    """A staff account of the admin's center (the platform admin: any center, or an expert)."""
    user, password = staff_accounts.create_staff(g.api_user, fields(parse_body(StaffAccount)))
    center = user.center.name if user.center else None
    return jsonify({"username": user.username, "role": user.role.value, "center": center, "password": password}), 201


@bp.post("/users/<username>/reset-code")
@api_auth(*ADMINS)
def issue_reset_code(username: str):
    user = staff_accounts.account_named(g.api_user, username)
    code, expires = credentials.issue_reset_code(g.api_user, user)
    return jsonify({"username": user.username, "code": code, "expires_at": expires.isoformat()}), 201


@bp.post("/users/<username>/deactivate")
@api_auth(*ADMINS)
def deactivate_account(username: str):
    user = staff_accounts.set_active(g.api_user, staff_accounts.account_named(g.api_user, username).id, False)
    return jsonify({"username": user.username, "active": user.active})


@bp.post("/users/<username>/activate")
@api_auth(*ADMINS)
def activate_account(username: str):
    user = staff_accounts.set_active(g.api_user, staff_accounts.account_named(g.api_user, username).id, True)
    return jsonify({"username": user.username, "active": user.active})
