"""Demo step of the papers domain (after the banks' seed): one pair of parallel forms for the demo center."""

from __future__ import annotations

from app.auth.models import User

from .operations import assemble_papers


def demo_papers(users: dict[str, User]) -> None:
    # two draft forms to look at on the papers page (drafts do not count as item usage)
    assemble_papers("3-01-01-04", "四级", 2, 0.2, 2026, user=users["center_admin"], record_usage=False)
