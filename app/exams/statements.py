"""The start's and the save's SQL statements, built once per dialect (``functools.cache``) so that
SQLAlchemy compiles each once and warm-up (warm.py) can run the same objects on every pooled
connection: the start spike and the saves are the exam's hot paths (bench/request_instructions.py).
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from sqlalchemy import String, Text, and_, bindparam, cast, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import Insert, Select, Update

from app.auth.operations import token_valid_query
from app.sessions.models import Enrollment, ExamSession, SessionComponent

from .models import ActionKind, Answer, Attempt, AttemptStatus, ProctorAction


def extensions_of(enrollment_id):
    """The minutes of every extension granted to the enrollment (``enrollment_id``: a value, a bound
    parameter or a column to correlate with), as a SELECT of one value."""
    actions = ProctorAction.__table__
    return select(func.coalesce(func.sum(actions.c.minutes), 0)).where(
        actions.c.enrollment_id == enrollment_id, actions.c.kind == ActionKind.extension
    )


@cache
def start_statements(dialect: str):
    """The start's statements, built once (``StartStatements``)."""
    sessions, enrollments = ExamSession.__table__, Enrollment.__table__
    attempts, actions, components = Attempt.__table__, ProctorAction.__table__, SessionComponent.__table__
    extra = extensions_of(enrollments.c.id).scalar_subquery()
    find = (
        select(
            sessions.c.status,
            sessions.c.theory_start,
            sessions.c.theory_mode,
            components.c.minutes.label("theory_minutes"),
            enrollments.c.id.label("enrollment_id"),
            enrollments.c.paper_id,
            enrollments.c.carried,
            attempts.c.id.label("attempt_id"),
            extra.label("extra_minutes"),
        )
        .select_from(sessions)
        .outerjoin(components, and_(components.c.session_id == sessions.c.id, components.c.component == "theory"))
        .outerjoin(
            enrollments, and_(enrollments.c.session_id == sessions.c.id, enrollments.c.user_id == bindparam("user_id"))
        )
        .outerjoin(attempts, attempts.c.enrollment_id == enrollments.c.id)
        .where(sessions.c.id == bindparam("session_id"))
    )
    existing = select(attempts.c.id, attempts.c.deadline, attempts.c.layout).where(
        attempts.c.enrollment_id == bindparam("enrollment")
    )
    extensions = extensions_of(bindparam("enrollment"))
    # The layout arrives as JSON text (grading.Shapes.draw): bound as text, not encoded again.
    layout_json = bindparam("layout_json", type_=Text)
    if dialect == "postgresql":
        layout_json = cast(layout_json, attempts.c.layout.type)
    insert = (
        (pg_insert if dialect == "postgresql" else sqlite_insert)(attempts)
        .values(layout=layout_json)
        .on_conflict_do_nothing(index_elements=[attempts.c.enrollment_id])
    )
    if dialect == "postgresql":
        insert = insert.returning(attempts.c.id)
        checked = _insert_if_signed_in(attempts, layout_json).returning(attempts.c.id)
    else:
        # Written out: SQLAlchemy renders RETURNING's columns unqualified, which a correlated
        # subquery cannot use. The kind is stored by name (``Enum(native_enum=False)``).
        summed = literal_column(
            f"(SELECT coalesce(sum(a.minutes), 0) FROM {actions.name} AS a WHERE a.enrollment_id = "
            f"{attempts.name}.enrollment_id AND a.kind = '{ActionKind.extension.name}')"
        )
        insert, extensions = insert.returning(attempts.c.id, summed.label("extra_minutes")), None
        checked = None  # SQLite: the token is checked by a statement of its own (no round trip)
    move_deadline = (
        attempts.update().where(attempts.c.id == bindparam("attempt")).values(deadline=bindparam("deadline"))
    )
    return StartStatements(find, insert, checked, existing, extensions, move_deadline)


class StartStatements(NamedTuple):
    find: Select
    insert: Insert
    insert_if_signed_in: Insert | None  # PostgreSQL: the token's check inside the insert
    existing: Select
    extensions: Select | None
    move_deadline: Update


def _insert_if_signed_in(attempts, layout_json):
    """PostgreSQL: the attempt inserted only while the bearer token (``digest``) is still the user's,
    unexpired and the user active — the check a start signed in from the token cache makes again
    inside its write, in the insert's own round trip. No row back: pressed twice at once (the other
    press inserted it), or the token no longer valid; the caller tells which."""
    columns = ("enrollment_id", "session_id", "user_id", "paper_id", "status", "started_at", "deadline", "last_seen_at")
    values = [bindparam(name, type_=attempts.c[name].type) for name in columns]
    signed_in = token_valid_query(bindparam("digest", type_=String)).exists()
    return (
        pg_insert(attempts)
        .from_select([*columns, "layout"], select(*values, layout_json).where(signed_in))
        .on_conflict_do_nothing(index_elements=[attempts.c.enrollment_id])
    )


def _attempt_check():
    """The save's check of its attempt: owner, paper, status and deadline, read under FOR SHARE (on
    PostgreSQL it waits for a submit holding FOR UPDATE), and whether the bearer token (``digest``;
    None: a session's sign-in) is still valid."""
    attempts = Attempt.__table__
    digest = bindparam("digest", type_=String)
    return (
        select(
            attempts.c.user_id,
            attempts.c.paper_id,
            attempts.c.status,
            attempts.c.deadline,
            or_(digest.is_(None), token_valid_query(digest).exists()).label("signed_in"),
        )
        .where(attempts.c.id == bindparam("attempt_id"))
        .with_for_update(read=True)
    )


def _later_arrival_wins(upsert: Insert) -> Insert:
    """The answer's upsert: of two saves of one answer the later arrival wins, whatever order they
    commit in (issue 11)."""
    answers = Answer.__table__
    return upsert.on_conflict_do_update(
        index_elements=[answers.c.attempt_id, answers.c.qid],
        set_={"value": upsert.excluded.value, "saved_at": upsert.excluded.saved_at},
        where=answers.c.saved_at <= upsert.excluded.saved_at,
    )


@cache
def save_statements(dialect: str):
    """The save's two statements, built once (compiled once per dialect by SQLAlchemy's cache)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return _attempt_check(), _later_arrival_wins(insert(Answer.__table__))


@cache
def checked_upsert():
    """PostgreSQL: the save's check and upsert as one statement, to be sent ahead in the batch's
    pipeline (group_commit.py). The attempt's row is read as ``save_statements``' check reads it,
    and the answer upserted only when ``ok``: the attempt is the user's, on the paper the caller
    validated the answer against (``paper_id``, from paper_cache's hint), in progress, not past its
    deadline at ``now``, and the bearer token still valid. The row returned is the check's, with
    ``ok``: a save refused here wrote nothing."""
    attempts, answers = Attempt.__table__, Answer.__table__
    found = _attempt_check().cte("found")
    ok = and_(
        found.c.user_id == bindparam("user_id"),
        found.c.paper_id == bindparam("paper_id"),
        found.c.status == AttemptStatus.in_progress,
        found.c.deadline > bindparam("now", type_=attempts.c.deadline.type),  # refused at now >= deadline
        found.c.signed_in,
    )
    columns = ("attempt_id", "qid", "value", "saved_at")
    values = select(*(bindparam(name, type_=answers.c[name].type) for name in columns)).where(ok)
    upsert = _later_arrival_wins(pg_insert(answers).from_select(list(columns), values))
    return select(*found.c, ok.label("ok")).add_cte(upsert.cte("written"))
