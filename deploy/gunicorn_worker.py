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
"""

from __future__ import annotations

from gunicorn.workers.gthread import ThreadWorker


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        self.new_in_flight = 0  # new connections handed to the thread pool, first request not answered
        self._connection_limit = 0
        super().__init__(*args, **kwargs)

    @property
    def worker_connections(self) -> int:
        """gthread's run loop accepts while ``nr_conns < worker_connections``: 0 holds accepting back."""
        return self._connection_limit if self.new_in_flight < self.cfg.threads else 0

    @worker_connections.setter
    def worker_connections(self, limit: int) -> None:
        self._connection_limit = limit

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
