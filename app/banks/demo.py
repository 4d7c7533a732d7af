"""Demo step of the banks domain: the seed banks."""

from __future__ import annotations

from app.auth.models import User

from .seed import import_seed


def demo_banks(users: dict[str, User]) -> None:
    del users
    import_seed()
