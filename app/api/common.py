"""Shared plumbing of the /api/v1 blueprint: who is calling, JSON bodies, errors.

Handlers stay thin: parse input (``parse_body(Model)``), check permission (``api_auth``), call one
operation, render.
"""

from __future__ import annotations

from functools import wraps
from typing import TypeVar

import pydantic
from flask import current_app, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from app.auth.models import Role, User
from app.auth.operations import principal_for_token, user_for_token
from app.errors import DomainError, Forbidden, Invalid, Unauthorized
from app.http_input import MalformedJSON

from .field_labels import label

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


# ---------------------------------------------------------------- request bodies, parsed by their models

Model = TypeVar("Model", bound=pydantic.BaseModel)

MESSAGES = {
    "missing": "请填写{label}",
    "string_type": "{label}必须是文本",
    "string_too_short": "请填写{label}",
    "string_too_long": "{label}不能超过 {max_length} 个字符",
    "bool_type": "{label}必须是 true 或 false",
    "int_type": "{label}必须是整数",
    "int_from_float": "{label}必须是整数",
    "float_type": "{label}必须是数字",
    "list_type": "{label}必须是列表",
    "dict_type": "{label}必须是对象",
    "model_type": "{label}必须是对象",
    "model_attributes_type": "{label}必须是对象",
    "too_long": "{label}最多 {max_length} 项",
    "too_short": "{label}至少 {min_length} 项",
    "literal_error": "{label}必须是 {expected} 之一",
    "enum": "{label}必须是 {expected} 之一",
    "greater_than_equal": "{label}不能小于 {ge}",
    "greater_than": "{label}必须大于 {gt}",
    "less_than_equal": "{label}不能大于 {le}",
    "less_than": "{label}必须小于 {lt}",
    "union_type": "{label}的类型不对",
}
# The tags pydantic puts in an error's location for the member of a union (``answer.list[str].0``):
# they name a type, not a field, and are cut from the path.
_TYPE_TAGS = {"str", "int", "float", "bool", "none", "list", "dict", "date"}


def _is_type_tag(part) -> bool:
    return isinstance(part, str) and (
        part in _TYPE_TAGS or "[" in part or part.startswith(("function-", "constrained-"))
    )


def _location(loc: tuple) -> tuple:
    for at, part in enumerate(loc):
        if _is_type_tag(part):
            return loc[:at]
    return loc


def _message(error: dict, loc: tuple) -> str:
    names = [part for part in loc if isinstance(part, str)]
    name = label(names[-1]) if names else "请求体"
    numbers = [part for part in loc if isinstance(part, int)]
    if numbers and names:  # 「工作经历第 2 条的结束」
        name = f"{label(names[0])}第 {numbers[0] + 1} 条的{name}" if len(names) > 1 else f"{name}第 {numbers[0] + 1} 项"
    ctx = {k: str(v).replace("'", "") for k, v in (error.get("ctx") or {}).items()}
    template = MESSAGES.get(error["type"])
    if template is None:  # a model's own rule (PydanticCustomError): its message is already Chinese
        msg = error["msg"].removeprefix("Value error, ")
        return f"{name}的值无效" if msg.isascii() else f"{name}：{msg}"
    try:
        return template.format(label=name, **ctx)
    except KeyError:
        return f"{name}的值无效"


def field_path(loc) -> str:
    """``("candidate", "work", 0, "start")`` → ``candidate.work.0.start``."""
    return ".".join(map(str, loc))


def invalid_body(exc: pydantic.ValidationError, items_of: str | None = None, whole: tuple[str, ...] = ()) -> Invalid:
    """The first error of ``exc`` as the contract's 422: ``details.field`` the dotted path
    (``candidate.work.0.start``) and ``details.index`` the first list position on it. Where the contract
    fixed another shape it is kept: ``items_of`` (bank import: ``items``) names the entry's own field
    with its index (``{"index": 7, "field": "points"}``); a field in ``whole`` (assembly: ``sections``,
    ``difficulty``) is named as a whole, with the index of the entry."""
    errors = exc.errors(include_url=False)
    error = errors[0]
    loc = _location(tuple(error["loc"]))
    if len(loc) < len(error["loc"]) and len({_location(tuple(e["loc"])) for e in errors}) == 1:
        error = {**error, "type": "union_type"}  # no member of a union fits
    message = _message(error, loc)
    index = next((part for part in loc if isinstance(part, int)), None)
    if items_of and len(loc) >= 2 and loc[0] == items_of and isinstance(loc[1], int):
        return Invalid(message, field=field_path(loc[2:]) or items_of, index=loc[1])
    if loc and loc[0] in whole:
        return Invalid(message, field=str(loc[0]), index=index)
    field = field_path(loc) or (error.get("ctx") or {}).get("field") or "body"
    return Invalid(message, field=field, index=index)


def parse_body(
    model: type[Model],
    *,
    optional: bool = False,
    items_of: str | None = None,
    whole: tuple[str, ...] = (),
) -> Model:
    """The request body parsed by ``model`` (app/api/schemas.py): 400 when it is not a JSON object,
    422 naming the first bad field (``invalid_body``). ``optional``: no body at all is an empty one
    (the decisions whose reason may be left out)."""
    data = {} if optional and not request.get_data(cache=True) else json_body()
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise invalid_body(exc, items_of, whole) from None


def fields(body: pydantic.BaseModel) -> dict:
    """What the client sent, checked: the fields it gave (defaults left to the operation), as JSON values."""
    return body.model_dump(mode="json", exclude_unset=True)
