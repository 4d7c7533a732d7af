"""Permissions declared on the view, not scattered through it."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import Role


def roles_required(*roles: Role | str):
    """Page views: signed in (else the sign-in page) and one of ``roles`` (else 403)."""
    allowed = {Role(r) for r in roles}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
