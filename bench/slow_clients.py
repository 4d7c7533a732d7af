"""Slow clients against the shipped server (issue 28 item 6: slowloris).

gunicorn runs exactly as ``make serve`` runs it (deploy/gunicorn.conf.py: 2 balanced gthread workers ×
16 threads) on 127.0.0.1 with a fresh SQLite database. The bench times /healthz alone (the baseline),
then opens N slow connections that each send a request line and then one header line every few
seconds, never finishing the head (slowloris), and times /healthz again while they trickle. It also
counts how many slow connections the server closed by itself (a head must arrive within
GUNICORN_HEAD_SECONDS, 10 s).

    .venv/bin/python bench/slow_clients.py [--slow 200] [--seconds 30] [--interval 5]

Loopback only; every loop is bounded in count and time and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.exam_load import Server, percentile  # noqa: E402


def healthz(port: int, timeout: float = 10.0) -> float:
    """Seconds for one /healthz on a new connection (timeout counts as ``timeout``)."""
    began = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            while sock.recv(65536):
                pass
    except OSError:
        return timeout
    return time.perf_counter() - began


def probe(port: int, seconds: float, every: float = 0.25) -> list[float]:
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        times.append(healthz(port))
        time.sleep(every)
    return times


class Trickler:
    """N connections sending one header line every ``interval`` seconds, never the blank line."""

    def __init__(self, port: int, count: int, interval: float):
        self.port, self.interval = port, interval
        self.selector = selectors.DefaultSelector()
        self.sockets: list[socket.socket] = []
        for number in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(f"GET /healthz?slow={number} HTTP/1.1\r\nHost: bench\r\n".encode())
            sock.setblocking(False)
            self.sockets.append(sock)
            self.selector.register(sock, selectors.EVENT_READ)
        self.closed_by_server = 0

    def tick(self, number: int) -> None:
        for sock in list(self.sockets):
            try:
                sock.send(f"X-Slow-{number}: 1\r\n".encode())
            except OSError:
                self._gone(sock)
        for key, _ in self.selector.select(0):
            try:
                if key.fileobj.recv(4096) == b"":
                    self._gone(key.fileobj)
            except OSError:
                self._gone(key.fileobj)

    def _gone(self, sock) -> None:
        if sock in self.sockets:
            self.sockets.remove(sock)
            self.selector.unregister(sock)
            sock.close()
            self.closed_by_server += 1

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


def measure(worker: str, args) -> dict:
    """One server with ``worker`` (deploy/gunicorn.conf.py otherwise unchanged) under the slow clients."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        env = dict(os.environ, DATABASE_URL=url, APP_ENV="production", SECRET_KEY="bench", INSTANCE_PATH=directory)
        subprocess.run(
            [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "init-db"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.environ["GUNICORN_WORKER_CLASS"] = worker
        server = Server(url, Path(directory), workers=2, threads=16, synchronous="FULL")
        server.start()
        try:
            alone = probe(server.port, 5)
            trickler = Trickler(server.port, args.slow, args.interval)
            under: list[float] = []
            end, number, next_tick = time.monotonic() + args.seconds, 0, time.monotonic()
            while time.monotonic() < end:
                if time.monotonic() >= next_tick:
                    trickler.tick(number)
                    number, next_tick = number + 1, next_tick + args.interval
                under.append(healthz(server.port))
                time.sleep(0.25)
            result = {"alone": alone, "under": under, "closed": trickler.closed_by_server}
            trickler.close()
        finally:
            server.stop()
            os.environ.pop("GUNICORN_WORKER_CLASS", None)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=200, help="slow connections")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long they trickle")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between their header lines")
    args = parser.parse_args()
    print(
        f"{args.slow} slow connections for {args.seconds:.0f} s, a header line every {args.interval:.0f} s; "
        "2 workers × 16 threads on 127.0.0.1, SQLite"
    )
    for label, worker in (
        ("gunicorn's gthread (before)", "gthread"),
        ("shipped (deploy/gunicorn_worker.py)", "gunicorn_worker.BalancedThreadWorker"),
    ):
        r = measure(worker, args)
        alone, under = percentile(r["alone"], 0.5), r["under"]
        print(
            f"{label:38} /healthz alone p50 {alone * 1000:7.1f} ms · during: p50 {percentile(under, 0.5) * 1000:7.1f} ms, "
            f"p99 {percentile(under, 0.99) * 1000:7.1f} ms, max {max(under) * 1000:7.1f} ms "
            f"(×{percentile(under, 0.99) / max(alone, 1e-6):.1f} of alone) · slow connections closed by the server "
            f"{r['closed']}/{args.slow} · every /healthz ≤ 1 s: {'yes' if max(under) <= 1.0 else 'NO'}"
        )


if __name__ == "__main__":
    main()
