"""The gunicorn worker the deployment runs (deploy/gunicorn.conf.py): gthread, balanced.

Why (issue 12): gunicorn's gthread worker accepts every connection it can and queues the requests
for its threads. When a hall presses 开始考试 in the same second, whichever process wakes first takes
most of the hall — 331 of 500 against 169 in one measurement — and the last candidates wait on one
core while the other is idle. This worker accepts a new connection only while one of its threads
is free, so the rest wait in the kernel's queue for whichever process frees a thread first; requests
on connections it already holds (keep-alive) are still taken at once.
"""

from __future__ import annotations

from gunicorn.workers.gthread import ThreadWorker


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        self.in_flight = 0  # requests handed to the thread pool and not yet finished
        self._connection_limit = 0
        super().__init__(*args, **kwargs)

    @property
    def worker_connections(self) -> int:
        """gthread's run loop accepts while ``nr_conns < worker_connections``: no free thread, no accept."""
        return self._connection_limit if self.in_flight < self.cfg.threads else 0

    @worker_connections.setter
    def worker_connections(self, limit: int) -> None:
        self._connection_limit = limit

    def enqueue_req(self, conn):
        self.in_flight += 1
        super().enqueue_req(conn)

    def finish_request(self, conn, fs):
        self.in_flight -= 1
        super().finish_request(conn, fs)
