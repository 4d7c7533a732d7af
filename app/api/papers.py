"""/api/v1 routes of this domain (to be filled by its issue)."""

from . import bp  # noqa: F401
