"""Group commit: writes arriving together share one transaction and one fsync.

Why: SQLite commits one at a time and each commit of a WAL with ``synchronous=FULL`` waits for an
fsync (~2 ms here), so one commit per answer caps a server near 400 saves/s whatever the CPU does.
Committing the saves that arrive together in one transaction keeps "200 means on disk" (the 200 is
sent only after the shared commit) at a fraction of the fsyncs. PostgreSQL groups WAL flushes by
itself; there the batch saves round trips and commits.

How (leader and followers, no thread of its own — nothing to start after gunicorn forks, nothing to
stop in tests): a request hands its write, a function of a SQLAlchemy ``Connection``, to
``run(work)`` and waits. If no batch is being committed it becomes the leader: it takes every write
queued so far, runs them in one transaction on the leaders' connection (kept by the process's batcher
between batches; ``BEGIN IMMEDIATE`` on SQLite: the write lock is taken before anything is read, so
the checks a write makes hold until its commit) and commits; then it wakes each waiting request with
its own result. Writes that arrived meanwhile form the next batch, led by one of their requests.

PostgreSQL (issue 25): the writes that can (``run(work, send=...)``: a save, a start) are sent ahead
in one psycopg pipeline, a batch then waiting for one round trip rather than one or more per write.
A batcher may run several batches at once (``leaders``; one as deployed: ``LEADERS``), each on a
leader connection of its own. Two batches at once can, like the batches of two worker
processes always could, lock rows in opposite orders: PostgreSQL breaks the deadlock and the broken
batch fails as below.

Failures: a write that raises a ``DomainError`` (409, 404, 422) is answered with it and the batch
goes on — such a write must raise before it changes anything. Any other failure (a full disk, a
lock timeout, a constraint) rolls the batch back, and its writes are tried again one transaction
each, so one bad write fails only its own request; a write that fails on its own is answered with
``SaveFailed`` (503, a clear message), never with a 200.

Outside a request (CLI, demo data, tests calling operations directly), and in a request that has
already written through ``db.session`` (on SQLite it holds the write lock the leader would wait
for), a write runs in the caller's own transaction instead, committed by the caller.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from app import db_identity, driver_statements
from app.boundary import session_has_written
from app.errors import DomainError
from app.extensions import db

log = logging.getLogger(__name__)

MAX_BATCH = 256  # writes per transaction; more wait for the next one
# batches a process runs at once: one on every database. SQLite has one writer. PostgreSQL could run
# a second batch while the first waits on its round trips and its commit (``Batcher``'s ``leaders``),
# and did at first (issue 25: exam_load's start spike p99 0.96–1.36 s with one, 0.76–1.09
# s with two). Since each batch is sent ahead in one pipeline, one batch at a time is faster: larger
# batches, fewer commits (PostgreSQL, interleaved pairs: bench/start_spike.py p99 649–715 ms against
# 729–919, server CPU per start 1.9–2.2 against 2.3–2.7 ms; exam_load at 64 connections 1263–1499
# saves/s, p99 75–84 ms, against 1118–1200 and 90–111 ms).
LEADERS = 1
PG_LOCK_TIMEOUT = "5s"  # a batch waiting on a row lock (a submit in progress) gives up after this


class SaveFailed(DomainError):
    """The database did not take the write: nothing was acknowledged, the client should retry."""

    status = 503
    code = "save_failed"


Work = Callable[[Connection], Any]
# PostgreSQL: sends the write's statements ahead, in the batch's pipeline, and returns what finishes
# it once their results are in (that, like ``work``, returns the result or raises a DomainError);
# None: nothing sent, ``work`` runs as usual
Send = Callable[[Connection], Callable[[], Any] | None]


@dataclass(eq=False)
class _Job:
    work: Work
    send: Send | None = None
    taken: bool = False  # in a leader's batch
    sent: bool = False  # sent ahead in a pipeline (a failure then is met again with ``work``)
    done: bool = False
    result: Any = None
    error: BaseException | None = None


@dataclass(eq=False)
class Batcher:
    """One per worker process and database engine: the queue of writes and its leaders."""

    engine: Engine
    max_batch: int = MAX_BATCH
    leaders: int = LEADERS  # batches at once
    _queue: list[_Job] = field(default_factory=list)
    _leading: int = 0
    _changed: threading.Condition = field(default_factory=threading.Condition)
    transactions: int = 0  # committed batches (read by tests and the benchmark)
    _lock_file: int | None = None
    _idle: list[Connection] = field(default_factory=list)  # the leaders' own, between batches

    def __post_init__(self) -> None:
        # SQLite: the leaders of the worker processes queue on a file lock (flock) before taking the
        # database's write lock. A process waiting in SQLite's busy handler sleeps 1, 2, 5, 10… ms
        # between tries; one waiting on flock is woken the moment the other commits.
        path = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if path and path != ":memory:" and not path.startswith("file:"):
            self._lock_file = os.open(f"{path}-commit.lock", os.O_RDWR | os.O_CREAT, 0o600)
        # Engine.dispose() (tests, a pool reset) closes the leaders' idle connections too.
        event.listen(self.engine, "engine_disposed", self._on_dispose)

    def _on_dispose(self, engine) -> None:
        with self._changed:
            idle, self._idle = self._idle, []
        for connection in idle:
            _discard(connection)

    def run(self, work: Work, send: Send | None = None):
        """Run ``work(connection)`` in a shared transaction; return its result once committed.
        ``send``: the same write in two steps, sent ahead with the batch (``_send_ahead``)."""
        job = _Job(work, send)
        with self._changed:
            self._queue.append(job)
        while True:
            with self._changed:
                while not job.done and (job.taken or self._leading >= self.leaders):
                    self._changed.wait()
                if job.done:
                    return _outcome(job)
                self._leading += 1  # lead: take what is queued (a batch cut at max_batch leaves the rest)
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                for taken in batch:
                    taken.taken = True
            try:
                self._commit(batch)
            finally:
                with self._changed:
                    self._leading -= 1
                    self._changed.notify_all()

    def _commit(self, batch: list[_Job]) -> None:
        try:
            self._transaction(batch)
            return
        except Exception as exc:  # noqa: BLE001 - the whole batch rolled back; isolate the culprit
            if len(batch) == 1 and not batch[0].sent:
                _fail(batch[0], exc)
                return
            log.warning("group commit of %d writes failed (%s); retrying each alone", len(batch), exc)
        for job in batch:  # alone and with ``work``: SQLAlchemy meets the error (faults, write health)
            try:
                self._transaction([job], ahead=False)
            except Exception as exc:  # noqa: BLE001 - this write alone fails: its request gets 503
                _fail(job, exc)

    def _transaction(self, jobs: list[_Job], ahead: bool = True) -> None:
        outcomes = []
        with self._between_processes():
            connection = self._leader_connection()
            try:
                begin(connection)
                finishes = _send_ahead(connection, jobs) if ahead else {}
                for job in jobs:
                    finish = finishes.get(job)
                    try:
                        outcomes.append((job, job.work(connection) if finish is None else finish(), None))
                    except DomainError as exc:  # refused before writing: answered, the batch goes on
                        outcomes.append((job, None, exc))
                connection.commit()
                # the file committed to is still the one at the path (issue 28 item 4); a mismatch drops
                # the kept connection with the rest of the pool
                db_identity.check(connection)
            except BaseException:
                _discard(connection)  # rolled back and closed: the next batch opens a fresh one
                raise
            with self._changed:
                self._idle.append(connection)
                self.transactions += 1
        for job, result, error in outcomes:  # acknowledged only now, after the commit
            job.result, job.error, job.done = result, error, True

    def _leader_connection(self) -> Connection:
        """A connection for this batch, kept between batches (one per leader at most): no pool
        checkout and ping per batch, and on PostgreSQL its lock timeout is set once."""
        with self._changed:
            while self._idle:
                connection = self._idle.pop()
                if not (connection.closed or connection.invalidated):
                    return connection
        connection = self.engine.connect()
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET lock_timeout = '{PG_LOCK_TIMEOUT}'")
            connection.commit()
        return connection

    @contextmanager
    def _between_processes(self):
        if self._lock_file is None:
            yield
            return
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)


def begin(connection: Connection) -> None:
    """Open the batch's transaction holding the write lock (SQLite); on PostgreSQL the connection's
    lock timeout was set when the leader's connection was opened, and the first statement sends
    BEGIN. Begun explicitly either way: the writes run on the driver's cursor
    (app/driver_statements.py), which SQLAlchemy does not see — without its transaction begun, its
    commit would commit nothing."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    if not connection.in_transaction():
        connection.begin()


def _send_ahead(connection: Connection, jobs: list[_Job]) -> dict[_Job, Callable[[], Any]]:
    """PostgreSQL: the batch's writes that can be sent ahead go in one pipeline — a batch of saves
    and starts then waits for one round trip, not one or two each, while the leader holds up every
    request of its batch (issue 25). Each is finished afterwards, in queue order, outside the pipeline. An error
    of the database fails the batch as any other would (each write is then tried alone, with ``work``)."""
    if not driver_statements.pipelines(connection) or not any(job.send is not None for job in jobs):
        return {}
    finishes = {}
    with driver_statements.pipeline(connection):
        for job in jobs:
            if job.send is not None and (finish := job.send(connection)) is not None:
                finishes[job], job.sent = finish, True
    return finishes


def _discard(connection: Connection) -> None:
    try:
        connection.invalidate()  # a failed batch may have left it broken: never reused
        connection.close()
    except Exception:  # noqa: BLE001 - already gone
        log.debug("closing the group commit's connection failed", exc_info=True)


def _fail(job: _Job, exc: BaseException) -> None:
    log.error("answer write failed: %s", exc)
    error = SaveFailed("服务器暂时未能保存（未确认本次保存），请稍后重试", details={"retry": True})
    error.__cause__ = exc
    job.error, job.done = error, True


def _outcome(job: _Job):
    if job.error is not None:
        raise job.error
    return job.result


# ---------------------------------------------------------------- entry point


_registry_lock = threading.Lock()


def batcher() -> Batcher:
    """The current app's batcher (one per process: apps are created in each gunicorn worker)."""
    app = current_app._get_current_object()
    existing = app.extensions.get("group_commit")
    if existing is None or existing.engine is not db.engine:
        with _registry_lock:
            existing = app.extensions.get("group_commit")
            if existing is None or existing.engine is not db.engine:
                existing = app.extensions["group_commit"] = Batcher(db.engine)
    return existing


def run(work: Work, send: Send | None = None):
    """Run one write: grouped with others inside a request, else in the caller's own transaction.
    ``send`` (optional): the same write sent ahead in the batch's pipeline (``Send``)."""
    if not has_request_context() or not current_app.config.get("GROUP_COMMIT", True) or session_has_written():
        return work(db.session.connection())
    return batcher().run(work, send)
