"""Shared plumbing of the /api/v1 blueprint: who is calling, JSON bodies, errors.

Handlers stay thin: parse input, check permission (``api_auth``), call one operation, render.
"""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from app.auth.models import Role, User
from app.auth.operations import principal_for_token, user_for_token
from app.errors import DomainError, Forbidden, Unauthorized
from app.http_input import MalformedJSON

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def error_response(status: int, code: str, message: str, details: dict | None = None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return jsonify(body), status


def domain_error_response(exc: DomainError):
    return error_response(exc.status, exc.code, exc.message, exc.details)


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def resolve_api_user() -> None:
    """Bearer token first; otherwise the page session cookie (with its CSRF token on writes)."""
    g.api_user = None
    g.api_auth_error = None
    header = request.headers.get("Authorization", "")
    if header:
        token = bearer_token()
        view = current_app.view_functions.get(request.endpoint)
        lookup = principal_for_token if getattr(view, "trusts_token_cache", False) else user_for_token
        user = lookup(token) if token else None
        if user is None:
            g.api_auth_error = "令牌无效或已过期"
        g.api_user = user
        return
    if current_user.is_authenticated:
        if request.method in UNSAFE_METHODS:
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except (ValidationError, CSRFError):
                g.api_auth_error = "缺少或无效的 CSRF 令牌"
                return
        g.api_user = current_user._get_current_object()


def api_user() -> User:
    """The signed-in user (for a ``@trusts_token_cache`` view signed in by token: a cached
    ``Principal`` with ``id``, ``role`` and ``digest``)."""
    return g.api_user


def trusts_token_cache(view):
    """Mark a view that checks its bearer token again inside its own write, so that its sign-in may
    come from the per-process token cache (app/auth/token_cache.py). Place it right under the route."""
    view.trusts_token_cache = True
    return view


def api_auth(*roles: Role | str):
    """401 without valid credentials; 403 when the user's role is not among ``roles`` (any role if empty)."""
    allowed = {Role(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = getattr(g, "api_user", None)
            if user is None:
                raise Unauthorized(getattr(g, "api_auth_error", None) or "需要登录（Authorization: Bearer <token>）")
            if allowed and user.role not in allowed:
                raise Forbidden("当前角色无权执行此操作")
            return view(*args, **kwargs)

        wrapped.api_roles = tuple(sorted(r.value for r in allowed))  # read by app/api/openapi.py
        return wrapped

    return decorator


def json_body() -> dict:
    """The request body as a JSON object, or 400."""
    data = request.get_json(silent=True)
    if data is None:
        raise MalformedJSON("请求体不是合法的 JSON")
    if not isinstance(data, dict):
        raise MalformedJSON("请求体必须是 JSON 对象")
    return data
