"""The group commit (app/exams/group_commit.py) on a real database (file SQLite, or PostgreSQL):
writes arriving together share one transaction; a failed write fails only its own request and
nothing is acknowledged that was not committed."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from app.errors import Conflict
from app.exams.group_commit import Batcher, SaveFailed
from app.extensions import db


def stored(app) -> list[int]:
    with app.app_context(), db.engine.connect() as connection:
        return [row.n for row in connection.execute(text("SELECT n FROM gc_probe ORDER BY n"))]


def wait_for_queue(batcher: Batcher, writes: int) -> None:
    deadline = time.monotonic() + 10
    while len(batcher._queue) < writes and time.monotonic() < deadline:
        time.sleep(0.005)


def insert(n: int, then=None):
    def work(connection):
        connection.execute(text("INSERT INTO gc_probe (n) VALUES (:n)"), {"n": n})
        if then:
            then()
        return n

    return work


def run_together(batcher: Batcher, works: list) -> list:
    """Each work from its own thread (as requests would); returns each result or the exception."""
    outcomes: list = [None] * len(works)

    def one(i):
        try:
            outcomes[i] = batcher.run(works[i])
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            outcomes[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_writes_arriving_together_share_one_transaction(app, probe):
    """Eight writes: the first is committed alone while the other seven queue; they share the next."""
    entered, queued = threading.Event(), threading.Event()

    def hold_until_queued():
        entered.set()
        wait_for_queue(probe, 7)
        queued.set()

    first = threading.Thread(target=probe.run, args=(insert(0, then=hold_until_queued),))
    first.start()
    assert entered.wait(10)  # the first write leads and waits inside its transaction
    outcomes = run_together(probe, [insert(n) for n in range(1, 8)])
    first.join(30)
    assert queued.is_set()
    assert outcomes == list(range(1, 8))
    assert probe.transactions == 2
    assert stored(app) == list(range(8))


def test_a_failing_write_fails_only_its_own_request(app, probe):
    """One write breaks (a duplicate key): the batch rolls back, the others commit when tried alone,
    and the broken one gets SaveFailed (503) — never its result."""
    entered = threading.Event()

    def wait_for_batch():
        entered.set()
        wait_for_queue(probe, 4)

    leader = threading.Thread(target=probe.run, args=(insert(100, then=wait_for_batch),))
    leader.start()
    assert entered.wait(10)
    works = [insert(1), insert(2), insert(100), insert(3)]  # 100 is already taken by the leader
    outcomes = run_together(probe, works)
    leader.join(30)
    assert outcomes[0] == 1 and outcomes[1] == 2 and outcomes[3] == 3
    assert isinstance(outcomes[2], SaveFailed) and outcomes[2].status == 503
    assert stored(app) == [1, 2, 3, 100]


def test_a_refused_write_is_answered_and_the_batch_goes_on(app, probe):
    def refuse(connection):
        raise Conflict("已交卷", code="attempt_closed")

    outcomes = run_together(probe, [insert(1), refuse, insert(2)])
    assert outcomes[0] == 1 and outcomes[2] == 2
    assert isinstance(outcomes[1], Conflict)
    assert stored(app) == [1, 2]


def test_nothing_is_acknowledged_when_the_commit_fails(app, probe, monkeypatch):
    """A commit that fails (a full disk, a lost connection): every request of the batch gets 503."""
    from sqlalchemy.engine import Connection

    def broken_commit(self):
        raise OSError("disk full")

    monkeypatch.setattr(Connection, "commit", broken_commit)
    outcomes = run_together(probe, [insert(1), insert(2), insert(3)])
    monkeypatch.undo()
    assert all(isinstance(o, SaveFailed) for o in outcomes)
    assert stored(app) == []


def test_the_batches_share_one_connection_until_one_fails(app, probe, monkeypatch):
    """The leaders' connection is kept between batches; after a failed commit it is thrown away and
    the next batch opens a new one, which commits."""
    from sqlalchemy.engine import Connection

    with app.app_context():
        probe.run(insert(1))
        first = probe._connection
        probe.run(insert(2))
        assert probe._connection is first  # kept: no checkout per batch

        def broken_commit(self):
            raise OSError("connection lost")

        monkeypatch.setattr(Connection, "commit", broken_commit)
        with pytest.raises(SaveFailed):
            probe.run(insert(3))
        monkeypatch.undo()
        assert probe._connection is None and first.closed
        probe.run(insert(4))
        assert probe._connection is not None and probe._connection is not first
    assert stored(app) == [1, 2, 4]
