"""The exam day's hottest statements run on the driver's cursor, compiled by SQLAlchemy once (issue 25).

Why: a start costs three statements and a save two (app/exams/attempts.py), and SQLAlchemy's
execution around each — the execution context, the compiled cache's lookup, the result object — is
about 50 µs of a worker's CPU on this machine, as much as the driver's own work for a statement it
has prepared (measured: 92 against 42 µs a statement on PostgreSQL). At the start spike every
microsecond of a worker is queueing time for the rest of the hall.

What stays SQLAlchemy's: the statement is a Core construct, compiled once per dialect by SQLAlchemy
(its SQL text, its bound parameters, the values of its literals); every parameter passes through its
type's own bind processor and every column of the row through its type's result processor, so a row
here equals what ``connection.execute(statement).first()`` gives (tests/test_driver_statements.py
compares them on both databases). A connection with listeners on its statements
(``before_cursor_execute``, ``after_cursor_execute``: none in the app, some in tests) runs them
through SQLAlchemy, so that the listeners see them. The transaction is the SQLAlchemy connection's: the caller's
connection must have begun one, or be in autocommit (``DriverStatement.first`` refuses otherwise).

Errors: the driver's error is never what the caller sees. The statement runs again through
SQLAlchemy, whose error handling then meets whatever the database says — a dropped connection is
invalidated and answered 503 (app/faults.py), a write error is remembered for ``/healthz``
(app/write_health.py). In a transaction that the error aborted (PostgreSQL), that second run fails at
once and the caller's transaction is rolled back as it would have been.
"""

from __future__ import annotations

from collections import namedtuple
from contextlib import contextmanager
from functools import cache

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import Executable


class DriverStatement:
    """One statement compiled for one dialect, run on a connection's DBAPI cursor."""

    def __init__(self, statement: Executable, dialect: Dialect, keys: tuple[str, ...]):
        # the keys given name an INSERT's columns (as SQLAlchemy's own execute compiles it)
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        self.statement = statement
        self.sql = compiled.string
        self._compiled = compiled
        self._positions = compiled.positiontup  # qmark (SQLite): the parameters' order; None when named
        self._bind = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        columns = list(getattr(statement, "exported_columns", ()))
        # an unlabelled column (a bare SUM) has no name: read by position, as ``.scalar()`` would
        self.Row = namedtuple("Row", [str(column.key) for column in columns], rename=True)
        self._results = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]

    def parameters(self, values: dict):
        params = self._compiled.construct_params(values)
        for name, processor in self._bind.items():
            if name in params:
                params[name] = processor(params[name])
        if self._positions is not None:
            return tuple(params[name] for name in self._positions)
        return params

    def first(self, connection: Connection, values: dict):
        """The statement's first row (a named tuple; None without one), or None for a statement
        that returns no rows."""
        if _watched(connection):
            return self._through_sqlalchemy(connection, values)
        autocommit = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        if not (autocommit or connection.in_transaction()):
            raise RuntimeError("DriverStatement needs a begun transaction or autocommit")  # never auto-begin
        try:
            cursor = connection.connection.driver_connection.cursor()
            try:
                cursor.execute(self.sql, self.parameters(values))
                row = self._fetch(cursor)
            finally:
                cursor.close()
        except connection.dialect.loaded_dbapi.Error:
            # SQLAlchemy meets the error itself (invalidation, faults, write health): see the module
            return self._through_sqlalchemy(connection, values)
        return self.row(row)

    def _fetch(self, cursor):
        # only a statement with columns of its own: an insert may carry SQLAlchemy's RETURNING of its
        # key (PostgreSQL), and psycopg builds the whole description when asked for it
        return cursor.fetchone() if self._results else None

    def row(self, row):
        """The driver's row as SQLAlchemy would give it (each column through its result processor)."""
        if row is None:
            return None
        return self.Row._make(
            value if process is None else process(value) for process, value in zip(self._results, row, strict=True)
        )

    def _through_sqlalchemy(self, connection: Connection, values: dict):
        result = connection.execute(self.statement, values)
        return result.first() if result.returns_rows else None


@cache
def driver_statement(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> DriverStatement:
    """Compiled once per statement object, dialect and parameter names (the hot statements are
    built once: app/exams/statements.py)."""
    return DriverStatement(statement, dialect, keys)


def first(connection: Connection, statement: Executable, values: dict):
    """``connection.execute(statement, values).first()`` on the driver's cursor (see the module)."""
    return driver_statement(statement, connection.dialect, tuple(sorted(values))).first(connection, values)


# ---------------------------------------------------------------- sent ahead, in a pipeline


class Sent:
    """A statement sent in a pipeline (``send``): its row is read with ``first()`` once the
    pipeline has been synced."""

    def __init__(self, statement: DriverStatement, cursor):
        self._statement, self._cursor = statement, cursor

    def first(self):
        try:
            return self._statement.row(self._statement._fetch(self._cursor))
        finally:
            self._cursor.close()


def pipelines(connection: Connection) -> bool:
    """Whether statements can be sent ahead on this connection: PostgreSQL (psycopg's pipeline mode),
    and nobody watching statements (a listener must see each one: those run through SQLAlchemy,
    which cannot run inside a pipeline)."""
    return connection.dialect.name == "postgresql" and not _watched(connection)


def _watched(connection: Connection) -> bool:
    """Someone listens to the connection's statements (only tests do): they run through SQLAlchemy."""
    events = connection.dispatch
    return bool(events.before_cursor_execute or events.after_cursor_execute)


@contextmanager
def pipeline(connection: Connection):
    """psycopg's pipeline mode on the connection's driver connection: statements sent inside are
    queued without waiting for their results; leaving it syncs once and receives every result (the
    first error is raised there). Only ``send`` may run inside, never SQLAlchemy's ``execute``: it
    reads a cursor's description before the result has arrived. Needs a begun transaction."""
    if not connection.in_transaction():
        raise RuntimeError("a pipeline needs a begun transaction")  # never auto-begin
    with connection.connection.driver_connection.pipeline():
        yield


def send(connection: Connection, statement: Executable, values: dict) -> Sent:
    """Send ``statement`` inside ``pipeline(connection)`` without waiting for its result. A driver
    error is raised (here or when the pipeline is left) as the driver's own: the caller rolls the
    transaction back and runs the statement again with ``first`` (group_commit.py does)."""
    compiled = driver_statement(statement, connection.dialect, tuple(sorted(values)))
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute(compiled.sql, compiled.parameters(values))
    return Sent(compiled, cursor)
