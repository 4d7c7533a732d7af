"""Operations of the eligibility domain (申报): work in progress."""

from __future__ import annotations


def has_approved_application(user_id: int, standard_id: str, level: str) -> bool:
    """Whether the candidate holds an approved application for this standard and level."""
    return False
