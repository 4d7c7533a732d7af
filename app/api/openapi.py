"""The OpenAPI 3.1 document of /api/v1, generated from the code (api-contract v1.2: The API described).

Nothing here lists routes by hand: every rule of ``current_app.url_map`` under the blueprint's prefix
becomes an operation. From the code of each view it reads
- the path parameters and their types (the rule's converters: ``int`` → integer, ``any(...)`` → enum);
- who may call it (``api_auth`` leaves ``api_roles`` on the view: none → public, no 401/403);
- its success status (a ``201`` / ``204`` the handler returns, else 200);
- the JSON body it takes: the pydantic model it parses with (``parse_body(Model)``, resolved in the
  handler's module), whose JSON Schema becomes the requestBody (``optional=True``: not required);
  a multipart upload (``request.files``) gets a multipart/form-data body;
- the JSON it answers, where ``RESPONSES`` (app/api/responses.py) names a model for the endpoint: that
  model's JSON Schema (open: more fields may come); otherwise any JSON;
- the error statuses that apply (400 malformed JSON, 401, 403, 404 with path records or a body naming
  records (``RECORD_FIELDS``), 409/422 on
  writes, 429 when rate-limited), each answering the contract's error body.
"""

from __future__ import annotations

import inspect
import re

from flask import current_app

from app.http_input import ID_MAX

from .responses import RESPONSES
from .schemas import THROTTLED

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_PARAM = re.compile(r"<(?:[^<>]*:)?(\w+)>")
_STATUS = re.compile(r"\b(201|204)\b")
_PARSES = re.compile(r"parse_body\((\w+)(, optional=True)?")
ERRORS = {
    "400": "请求体不是合法的 JSON 对象 (malformed JSON)",
    "401": "未登录或令牌无效 (no or bad credentials)",
    "403": "当前用户无权执行此操作 (not allowed for this user)",
    "404": "记录不存在 (not found; also where existence must not leak)",
    "409": "状态不允许 (wrong state: already submitted, finalized, past deadline)",
    "422": "格式正确但内容无效，details 指明字段与序号 (invalid; details names the field and index)",
    "429": "尝试次数过多 (too many attempts)",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "snake_case"},
                "message": {"type": "string", "description": "human-readable (Chinese)"},
                "details": {"type": "object", "description": "names the field and, for lists, the index"},
            },
        }
    },
}


def _views_of(view):
    """The view and every function it wraps (decorators made with functools.wraps)."""
    while view is not None:
        yield view
        view = getattr(view, "__wrapped__", None)


def _source(fn) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return ""


def body_model(fn):
    """(model, optional) of the body the handler parses — ``parse_body(Model)`` in it — or None."""
    found = _PARSES.search(_source(fn))
    if found is None:
        return None
    return fn.__globals__[found.group(1)], bool(found.group(2))


# Body fields that name a record (by id, username or name): unknown, or another center's (scoping) → 404.
RECORD_FIELDS = {"username", "audience", "survey", "template", "session", "training", "room", "center", "evidence",
                 "trainers", "experts", "present", "framework"}  # fmt: skip


def names_records(model) -> bool:
    return bool(RECORD_FIELDS & set(model.model_fields))


_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _tidy(schema):
    """JSON Schema as OpenAPI 3.1 reads it: ``Number`` (int | float, kept as sent) is one ``number``,
    and the bounds pydantic leaves on a union (``ge``/``le``) become ``minimum``/``maximum``."""
    if isinstance(schema, list):
        return [_tidy(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {k: _tidy(v) for k, v in schema.items()}
    members = schema.get("anyOf")
    if members and {"type": "integer"} in members and {"type": "number"} in members:
        rest = [m for m in members if m not in ({"type": "integer"}, {"type": "number"})]
        del schema["anyOf"]
        if rest:
            schema["anyOf"] = [{"type": "number"}, *rest]
        else:
            schema["type"] = "number"
    for short, keyword in _BOUNDS.items():
        if short in schema and isinstance(schema[short], int | float) and "properties" not in schema:
            schema[keyword] = schema.pop(short)
    return schema


def _component(model, schemas: dict) -> dict:
    """``model``'s JSON Schema as a component (its nested models beside it); the ``$ref`` to it."""
    schema = _tidy(model.model_json_schema(ref_template="#/components/schemas/{model}"))
    for name, sub in schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _param_schema(converter) -> dict:
    name = type(converter).__name__
    if "Integer" in name or "Id64" in name:
        return {"type": "integer", "minimum": 0, "maximum": ID_MAX}  # beyond: no id column holds it
    if name == "AnyConverter":
        return {"type": "string", "enum": sorted(converter.items)}
    return {"type": "string"}


def _operation(rule, method: str, view, schemas: dict) -> dict:
    inner = list(_views_of(view))[-1]
    source = _source(inner)
    roles = next((v.api_roles for v in _views_of(view) if hasattr(v, "api_roles")), None)
    doc = inspect.getdoc(inner) or ""
    op: dict = {
        "operationId": rule.endpoint.removeprefix("api."),
        "tags": [inner.__module__.rsplit(".", 1)[-1]],
        "summary": doc.split("\n", 1)[0] or rule.endpoint,
    }
    params = [
        {"name": name, "in": "path", "required": True, "schema": _param_schema(rule._converters[name])}
        for name in _PARAM.findall(rule.rule)
    ]
    if params:
        op["parameters"] = params
    parsed = body_model(inner) if method in WRITE_METHODS else None
    takes_json = parsed is not None
    if parsed is not None:
        model, optional = parsed
        body_schema = _component(model, schemas)
        op["requestBody"] = {"required": not optional, "content": {"application/json": {"schema": body_schema}}}
    elif method in WRITE_METHODS and "request.files" in source:
        op["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": {"type": "object", "additionalProperties": True}}},
        }
    found = set(_STATUS.findall(source))
    success = "204" if "204" in found else "201" if "201" in found else "200"
    responses: dict = {success: {"description": "No Content" if success == "204" else "OK"}}
    if success != "204":
        zipped = 'mimetype="application/zip"' in source  # a download (QTI package), not JSON
        body = {"application/zip": {"schema": {"type": "string", "format": "binary"}}} if zipped else None
        answer = RESPONSES.get(rule.endpoint)
        schema = _component(answer, schemas) if answer is not None else {}
        responses[success]["content"] = body or {"application/json": {"schema": schema}}
    codes = set()
    if takes_json:
        codes |= {"400", "422"}
    if roles is not None:
        codes |= {"401", "403"}
        op["security"] = [{"bearer": []}]
        if roles:
            op["x-roles"] = list(roles)
    else:
        op["security"] = []
    if params or (parsed is not None and roles is not None and names_records(parsed[0])):
        codes.add("404")
    if method in WRITE_METHODS:
        codes |= {"409", "422"}
    if "limiter.limit" in source or "verify_limits." in source or rule.endpoint in THROTTLED:
        codes.add("429")
    if "authenticate(" in source:  # a sign-in: bad credentials are a 401 even where no token is needed
        codes.add("401")
    for code in sorted(codes):
        responses[code] = {"$ref": f"#/components/responses/E{code}"}
    op["responses"] = responses
    return op


def api_rules(app, prefix: str = "/api/v1"):
    """(rule, method) for every /api/v1 route, HEAD and OPTIONS aside."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith(prefix + "/") or rule.rule == prefix:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def openapi_path(rule, prefix: str = "/api/v1") -> str:
    return _PARAM.sub(r"{\1}", rule.rule.removeprefix(prefix))


def build_document(app) -> dict:
    paths: dict = {}
    schemas: dict = {"Error": ERROR_SCHEMA}
    seen: set[str] = set()
    for rule, method in api_rules(app):
        op = _operation(rule, method, app.view_functions[rule.endpoint], schemas)
        if op["operationId"] in seen:
            op["operationId"] = f"{op['operationId']}_{method.lower()}_{len(seen)}"
        seen.add(op["operationId"])
        paths.setdefault(openapi_path(rule), {})[method.lower()] = op
    error_response = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "技能等级认定平台 Integration API",
            "version": "1.2",
            "description": "由代码生成（app/api/openapi.py）：每条 /api/v1 路由、参数、请求体与响应码。",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {f"E{code}": {"description": text, **error_response} for code, text in ERRORS.items()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "POST /auth/token"}},
        },
    }


def document() -> dict:
    """The document of the running app, built once (its routes do not change once it serves)."""
    app = current_app._get_current_object()
    if "openapi_document" not in app.extensions:
        app.extensions["openapi_document"] = build_document(app)
    return app.extensions["openapi_document"]
