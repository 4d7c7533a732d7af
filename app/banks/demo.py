"""Demo step of the banks domain: the seed banks, and one pair of parallel forms for the demo center."""

from __future__ import annotations

from app.auth.models import User
from app.papers.operations import assemble_papers

from .seed import import_seed


def demo_banks(users: dict[str, User]) -> None:
    import_seed()
    # two draft forms to look at on the papers page (drafts do not count as item usage)
    assemble_papers("3-01-01-04", "四级", 2, 0.2, 2026, user=users["center_admin"], record_usage=False)
