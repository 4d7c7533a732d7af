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
from tests.conftest import USE_POSTGRES


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
    """Each work (or ``(work, send)``) from its own thread (as requests would); returns each result
    or the exception."""
    outcomes: list = [None] * len(works)

    def one(i):
        try:
            outcomes[i] = batcher.run(*works[i]) if isinstance(works[i], tuple) else batcher.run(works[i])
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            outcomes[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_writes_arriving_together_share_one_transaction(app, probe):
    """Eight writes: the first is committed alone while the other seven queue; they share the next
    (one leader at a time, as on SQLite)."""
    probe.leaders = 1
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


@pytest.mark.skipif(not USE_POSTGRES, reason="two batches at once: PostgreSQL")
def test_on_postgresql_a_second_batch_commits_while_the_first_is_still_running(app, probe):
    """While a batch is held inside its transaction (waiting on a round trip, its commit), the writes
    arriving meanwhile are led by a second leader on a connection of its own, not queued behind it."""
    probe.leaders = 2  # (the deployed LEADERS is one)
    entered, released = threading.Event(), threading.Event()
    held = []

    def hold():
        entered.set()
        held.append(released.wait(10))  # True: released before the timeout

    first = threading.Thread(target=probe.run, args=(insert(0, then=hold),))
    first.start()
    assert entered.wait(10)
    outcomes = run_together(probe, [insert(n) for n in range(1, 4)])  # done while the first is held
    assert outcomes == [1, 2, 3] and stored(app) == [1, 2, 3]
    released.set()
    first.join(30)
    assert held == [True]
    assert stored(app) == [0, 1, 2, 3] and len(probe._idle) == 2


@pytest.mark.skipif(not USE_POSTGRES, reason="two batches at once: PostgreSQL")
def test_two_batches_caught_in_a_deadlock_end_without_a_hang(app, probe):
    """Two batches at once can lock two rows in opposite orders (as two worker processes always
    could): PostgreSQL breaks the deadlock, the other batch commits, and the broken one is answered
    503 (retry), never 200 for what was not committed."""
    probe.leaders = 2  # (as two worker processes' leaders, which the deployed default still has)
    first_in, barrier = threading.Event(), threading.Barrier(2, timeout=10)

    def both(first, second, then=None):
        def work(connection):
            upsert = text("INSERT INTO gc_probe (n) VALUES (:n) ON CONFLICT DO NOTHING")
            connection.execute(upsert, {"n": first})
            if then:
                then()
            try:
                barrier.wait()
            except threading.BrokenBarrierError:  # run again alone: no partner to wait for
                pass
            connection.execute(upsert, {"n": second})
            return first

        return work

    outcomes: list = []

    def one(work):
        try:
            outcomes.append(probe.run(work))
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            outcomes.append(exc)

    threads = [threading.Thread(target=one, args=(both(1, 2, then=first_in.set),))]
    threads[0].start()
    assert first_in.wait(10)  # the first batch holds row 1; the second is led beside it
    threads.append(threading.Thread(target=one, args=(both(2, 1),)))
    threads[1].start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    committed = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if not isinstance(o, int)]
    assert len(committed) >= 1 and all(isinstance(o, SaveFailed) and o.status == 503 for o in refused)
    assert stored(app) == [1, 2]


def test_a_failing_write_fails_only_its_own_request(app, probe):
    """One write breaks (a duplicate key): the batch rolls back, the others commit when tried alone,
    and the broken one gets SaveFailed (503) — never its result. (One leader: the four in one batch.)"""
    probe.leaders = 1
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
        [first] = probe._idle
        probe.run(insert(2))
        assert probe._idle == [first]  # kept: no checkout per batch

        def broken_commit(self):
            raise OSError("connection lost")

        monkeypatch.setattr(Connection, "commit", broken_commit)
        with pytest.raises(SaveFailed):
            probe.run(insert(3))
        monkeypatch.undo()
        assert probe._idle == [] and first.closed
        probe.run(insert(4))
        assert len(probe._idle) == 1 and probe._idle[0] is not first
    assert stored(app) == [1, 2, 4]
