"""The profile page's one form (issue 27 item 9: four forms on one page dropped the 证件 edit when
保存资料 was pressed): 证件 and 申报资料 are checked together, every problem at once (item 5), and
saved by one operation. The API keeps its own single-error ``operations.parse_candidate``."""

from __future__ import annotations

from app.auth.models import User
from app.errors import Invalid
from scoring.eligibility.profile import ProfileError, parse_profile

from . import identity as identity_ops
from . import operations as ops
from .labels import humanize

ROW_SECTIONS = ("work", "certificates", "education", "titles", "training")


def _row_problem(section: str, index: int, row: dict, as_of) -> Invalid | None:
    """The first problem of one row, named by its real place (the engine sees it as row 0)."""
    try:
        parse_profile({section: [row]}, as_of)
    except ProfileError as exc:
        path = exc.field.replace(f"candidate.{section}.0", f"candidate.{section}.{index}", 1)
        message = exc.message.replace(exc.field, path, 1)
        return Invalid(humanize(message, path), field=path, index=index)
    return None


def profile_problems(candidate: dict) -> list[Invalid]:
    """Every problem of the profile: the birth date and each row on its own (the engine stops at
    the first). A problem between rows, if any, comes back as the engine's own first error."""
    as_of = ops.today()
    try:
        ops.parse_candidate(candidate, as_of)
        return []
    except Invalid as first:
        found: list[Invalid] = []
        try:
            ops.parse_candidate({"birth_date": candidate.get("birth_date")}, as_of)
        except Invalid as exc:
            found.append(exc)
        for section in ROW_SECTIONS:
            for index, row in enumerate(candidate.get(section) or []):
                problem = _row_problem(section, index, row, as_of)
                if problem is not None:
                    found.append(problem)
        return found or [first]


def identity_changed(user: User, id_type: str, id_number: str) -> bool:
    """Whether the posted 证件 differs from the stored one. A blank number where none is stored is
    untouched whatever the 证件类型 shows: the form preselects 居民身份证 for a new account, whose
    stored 证件 is ("", ""), and a profile saved without a 证件 yet must not be refused for it."""
    stored = identity_ops.identity_of(user)
    posted = ((id_type or "").strip(), (id_number or "").strip().upper())
    if not posted[1] and not stored.id_number:
        return False
    return posted != (stored.id_type, stored.id_number)


def identity_problems(user: User, id_type: str, id_number: str) -> list[Invalid]:
    """The 证件's problem, when it was changed (an untouched blank 证件 is not required yet)."""
    if not identity_changed(user, id_type, id_number):
        return []
    try:
        identity_ops.check_id(id_type, id_number)
    except Invalid as exc:
        return [exc]
    return []


def save_profile_page(user: User, candidate: dict, id_type: str, id_number: str) -> None:
    """Save the 申报资料 and, when changed, the 证件 — all or nothing (422 on the first problem)."""
    if identity_changed(user, id_type, id_number):
        identity_ops.save_identity(user, id_type, id_number)
    ops.save_profile(user, candidate)
