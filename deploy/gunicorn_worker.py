"""The gunicorn worker the deployment runs (deploy/gunicorn.conf.py): gthread, balanced.

A module of its own beside the configuration, importing gunicorn only: the arbiter loads the worker
class before it forks, and a class inside the ``app`` package would import the whole app into the
arbiter, whose workers (also after ``kill -HUP``) would then run that old code instead of importing it.

Why (issue 12): gunicorn's gthread worker accepts every connection it can and queues the requests
for its threads. When a hall presses 开始考试 in the same second, whichever process wakes first takes
most of the hall — 331 of 500 against 169 in one measurement — and the last candidates wait on one
core while the other is idle. This worker holds at most as many new connections awaiting their
first answer as it has threads and accepts the next only when one of those has been answered, so
the rest wait in the kernel's queue for whichever process is ready first. Connections it already
holds (keep-alive) are served as before and do not count: counting them starved new connections
while 64 kept-alive clients kept every thread busy (save p99 at 64 connections 1.1 s).

Kept-alive connections (issue 25): 64 clients keeping their connections were seen held 64 to 0 by
one process when the other booted late — for the whole run, one core answering everything. The
workers share a small board (``WorkerBoard``, anonymous shared memory the arbiter maps before it
forks): each writes its connection count and whether it is accepting on every turn of its loop. One
holding ``SHED_SLACK`` more connections than another live, accepting worker (or a ``SHED_SHARE``-th
of its own, when that is more) answers one kept-alive
request per ``SHED_SECONDS`` with ``Connection: close``; that client connects again, and the lighter
worker, readier, mostly takes it. Accepting is never held back for the board's sake: deferring to a
worker whose threads held its event loop off the GIL left both idle at a start spike (p99 0.8 → 5 s
in bench/exam_load.py). A worker silent for ``BOARD_STALE_SECONDS`` (hung, dead) or not accepting
is never shed to.

Slow clients (issue 28 item 6): 33 connections trickling one header every 10 s held all 32 threads,
since a thread reads a request's head with blocking reads. This worker reads every request's head —
a new connection's and a kept-alive one's next — in its event loop, without a thread, and hands the
connection to a thread only once the whole head (up to the blank line) is there, the bytes given
back to the parser. A head must arrive within ``HEAD_SECONDS`` and be at most ``MAX_HEAD_BYTES``, or
the connection is closed. Hundreds of slow clients then cost a socket each, not a thread.
"""

from __future__ import annotations

import errno
import mmap
import os
import selectors
import struct
import time
from collections import deque
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

HEAD_SECONDS = float(os.environ.get("GUNICORN_HEAD_SECONDS", "10"))  # nginx's client_header_timeout is 60
MAX_HEAD_BYTES = 64 * 1024  # gunicorn's own limits: 100 header fields of 8190 bytes, a 4094-byte line


# connections one worker may hold beyond another before it sheds kept-alive ones: SHED_SLACK, or a
# SHED_SHARE-th of its own when that is more. A closed loop's latency is a worker's connections over
# its rate, so 34 against 30 of 64 kept the heavier one's saves an eighth slower, and the save p99 at
# 64 connections with them (issue 25: bench/exam_load.py on PostgreSQL, six interleaved pairs: p99
# 97–119 ms, median 103.5, with a slack of 2 against 101–134 ms, median 113.6, with 8; lower in five
# of the six); the share keeps a hall of 500 from reconnecting all day for a difference of two.
SHED_SLACK = 2
SHED_SHARE = 16
BOARD_STALE_SECONDS = 3.0  # a worker whose loop has not turned for this long is not deferred to
SHED_SECONDS = 0.02  # at most one kept-alive connection closed per this interval to rebalance
_SLOT = struct.Struct("qqqd")  # pid, connections, accepting, loop's last turn (time.monotonic)


class WorkerBoard:
    """Each worker's connection count, in shared memory the arbiter maps before forking (this module
    is imported by the arbiter to load the worker class)."""

    def __init__(self, slots: int = 64):
        self.slots = slots
        self.memory = mmap.mmap(-1, _SLOT.size * slots)  # MAP_SHARED | MAP_ANONYMOUS: seen by the children

    def claim(self, pid: int) -> int:
        """A free slot (never used, or its worker gone) for ``pid``; -1 when none is left."""
        for index in range(self.slots):
            owner = self.read(index)[0]
            if owner == 0 or owner == pid or not _alive(owner):
                self.write(index, pid, 0, 0)
                return index
        return -1

    def read(self, index: int) -> tuple[int, int, int, float]:
        return _SLOT.unpack_from(self.memory, index * _SLOT.size)

    def write(self, index: int, pid: int, connections: int, accepting: int) -> None:
        _SLOT.pack_into(self.memory, index * _SLOT.size, pid, connections, accepting, time.monotonic())

    def lighter_worker_accepting(self, index: int, connections: int) -> bool:
        """Whether another live worker that accepts holds the slack fewer connections. Asked on every
        kept-alive request: the scan stops at the first slot never used (``claim`` fills from the front)."""
        slack = max(SHED_SLACK, connections // SHED_SHARE)
        now = time.monotonic()
        for other in range(self.slots):
            pid, theirs, accepting, turned = self.read(other)
            if pid == 0:
                return False
            if other == index:
                continue
            if accepting and now - turned < BOARD_STALE_SECONDS and theirs + slack <= connections:
                return True
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


BOARD = WorkerBoard()


class HeadFirstConn(TConn):
    """A connection whose request head was read by the event loop: the parser gets those bytes first."""

    head = b""

    def init(self):
        fresh = not self.initialized
        super().init()
        if fresh and self.head and self.parser is not None:
            self.parser.unreader.unread(self.head)
            self.head = b""


def _head_complete(buffer: bytearray) -> bool:
    return b"\r\n\r\n" in buffer or b"\n\n" in buffer


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        self.new_in_flight = 0  # new connections handed to the thread pool, first request not answered
        self._connection_limit = 0
        self.heading: deque = deque()  # connections whose request head is still arriving, oldest first
        super().__init__(*args, **kwargs)

    def init_process(self):
        self.board_slot = BOARD.claim(os.getpid())
        super().init_process()

    @property
    def worker_connections(self) -> int:
        """gthread's run loop accepts while ``nr_conns < worker_connections``: 0 holds accepting back.
        Read on every turn of the loop, which also writes this worker's line of the board."""
        accepting = self.new_in_flight < self.cfg.threads
        slot = getattr(self, "board_slot", -1)
        if slot >= 0:
            BOARD.write(slot, os.getpid(), self.nr_conns, int(accepting))
        return self._connection_limit if accepting else 0

    @worker_connections.setter
    def worker_connections(self, limit: int) -> None:
        self._connection_limit = limit

    def handle_request(self, req, conn):
        """Answer; close this kept-alive connection afterwards when another worker is much lighter."""
        slot = getattr(self, "board_slot", -1)
        kept_alive = slot >= 0 and conn.initialized
        if kept_alive and BOARD.lighter_worker_accepting(slot, self.nr_conns):
            now = time.monotonic()
            if now - getattr(self, "_shed_at", 0.0) >= SHED_SECONDS:
                self._shed_at = now
                req.must_close = True  # Connection: close; the client reconnects to the lighter worker
        return super().handle_request(req, conn)

    def enqueue_req(self, conn):
        if not conn.initialized:  # a new connection (its first request, or waiting for it)
            conn.counted_as_new = True
            self.new_in_flight += 1
        super().enqueue_req(conn)

    def finish_request(self, conn, fs):
        if getattr(conn, "counted_as_new", False):
            conn.counted_as_new = False
            self.new_in_flight -= 1
        super().finish_request(conn, fs)

    # ---- request heads read by the event loop

    def accept(self, listener):
        try:
            client_sock, client_addr = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = HeadFirstConn(self.cfg, client_sock, client_addr, listener.getsockname())  # non-blocking
        self.await_head(conn)

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection's next request: its head is read here too, not by a thread."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self.await_head(conn)

    def await_head(self, conn):
        conn.head_buffer = bytearray()
        conn.head_deadline = time.monotonic() + HEAD_SECONDS
        if self.read_head(conn):  # a browser sends its request with the connection: usually there already
            return
        self.heading.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_head_readable, conn))

    def on_head_readable(self, conn, client):
        if self.read_head(conn):
            self.poller.unregister(client)
            self.heading.remove(conn)

    def read_head(self, conn) -> bool:
        """Read what has arrived; True once the connection left the event loop (handed on or closed)."""
        try:
            data = conn.sock.recv(MAX_HEAD_BYTES)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if not data:
            self.drop(conn)
            return True
        conn.head_buffer += data
        if _head_complete(conn.head_buffer):
            head, conn.head_buffer = bytes(conn.head_buffer), None
            if conn.initialized:
                conn.parser.unreader.unread(head)
            else:
                conn.head = head
            conn.data_ready = True
            self.enqueue_req(conn)
            return True
        if len(conn.head_buffer) > MAX_HEAD_BYTES:
            self.drop(conn)
            return True
        return False

    def drop(self, conn):
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        """Also close the connections whose head did not arrive within HEAD_SECONDS."""
        super().murder_pending()
        now = time.monotonic()
        while self.heading and self.heading[0].head_deadline <= now:
            conn = self.heading.popleft()
            try:
                self.poller.unregister(conn.sock)
            except (OSError, KeyError, ValueError):
                pass
            self.drop(conn)
