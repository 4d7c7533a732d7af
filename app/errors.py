"""Domain errors. Operations raise them; the API maps them to the contract's error bodies and
the pages to flashed messages. A failed request changes nothing (the request boundary rolls back)."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """Wrong state: already submitted, finalized, past deadline, illegal transition."""

    status = 409
    code = "conflict"


class Invalid(DomainError):
    """Well-formed but invalid input; ``field`` (and ``index`` for lists) name what is wrong."""

    status = 422
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        index: int | None = None,
        code: str | None = None,
        details: dict | None = None,
    ) -> None:
        merged = dict(details or {})
        if field is not None:
            merged.setdefault("field", field)
        if index is not None:
            merged.setdefault("index", index)
        super().__init__(message, code=code, details=merged)


# Pages and API messages in Chinese, in place of Werkzeug's English defaults.
HTTP_MESSAGES = {
    400: "请求有误，请返回上一页检查后重试。",
    401: "请先登录。",
    403: "您的账号无权访问此页面。如需访问，请以有权限的账号登录。",
    404: "您要找的页面不存在，或已被删除；也可能是链接有误。",
    405: "不支持这种访问方式。",
    413: "上传的文件过大。",
    429: "操作过于频繁，请稍后再试。",
    500: "服务器内部错误，请稍后再试。",
}


def http_message(exc) -> str:
    """The description of an HTTP error in Chinese: our own text when one was given, else ours by code."""
    own = exc.description if exc.description and exc.description != type(exc).description else None
    return own or HTTP_MESSAGES.get(exc.code or 500, "请求未能完成。")


class StorageUnavailable(DomainError):
    """A file could not be written (disk full, read-only): nothing is kept, the client may retry."""

    status = 503
    code = "storage_unavailable"
