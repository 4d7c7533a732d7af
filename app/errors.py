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
