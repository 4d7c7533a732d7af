"""Eligibility (申报条件) arithmetic. Work in progress: the rule vocabulary lands with issue 3."""

from __future__ import annotations


class RuleError(Exception):
    """A machine-readable clause rule that does not fit the vocabulary."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def validate_rule(rule: dict) -> None:
    if not isinstance(rule, dict):
        raise RuleError("a rule must be a mapping")
