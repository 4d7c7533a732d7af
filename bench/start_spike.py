"""The start spike measured from outside: ``.venv/bin/python bench/start_spike.py --engine sqlite|postgresql``.

What it reproduces (issue 25 item 1), step by step:

1. a fresh database as ``make db`` makes it (``init-db``; ``--demo`` also loads the demo data), plus
   one open machine-exam session with a 90-question paper assigned and CANDIDATES (500) enrolled
   candidates, each with a bearer token (bench/exam_load.py ``setup_database``); PostgreSQL: a
   throw-away durable cluster of this run's own (fsync and synchronous_commit on) on a free
   127.0.0.1 port, stopped and removed at the end;
2. the server as ``make serve`` starts it: ``flask --app wsgi init-db``, then
   ``gunicorn -c deploy/gunicorn.conf.py wsgi:app`` with nothing overridden but the port and the
   access log (off) — workers, threads, worker class, backlog and keep-alive are the shipped ones;
3. the spike, right after the server answers ``/healthz`` (no saves before it: a freshly booted
   server): CANDIDATES client threads wait on one ``threading.Barrier``; released together, each
   opens a NEW connection (``http.client``, no keep-alive reuse) and POSTs its start; the time of
   each runs from its release to the last byte of its paper, which is parsed and checked (201,
   90 questions) after the clock stopped. The client threads run on the same cores as the server;
4. ``/healthz`` in the same run, two ways: the same spike of CANDIDATES threads on new connections
   (the floor that accepting 500 connections and the client's own threads cost on this machine)
   and 16 keep-alive threads for a few seconds (requests/s).

Prints p50/p95/p99 of both spikes, the ratio of the start's p99 to ``/healthz``'s, and the CPU
seconds of the client, of each worker and of PostgreSQL's processes during each spike (steadier
than the wall clock on a shared machine). ``--rounds N`` repeats the whole run (fresh database,
fresh server); ``--compare-clients`` then sends as many more starts with exam_load.py's one-thread
selector client to the same server; ``--profile DIR`` runs the shipped configuration wrapped so
that every thread of every worker is profiled by CPU time (cProfile, one file per worker) during
the start spike alone. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import exam_load  # noqa: E402  (the database set-up and the PostgreSQL cluster are shared)

BIN = Path(sys.executable).parent  # the virtualenv's gunicorn and flask beside its python
QUESTIONS = 90


PROFILING_CONFIG = """# deploy/gunicorn.conf.py, and a cProfile of every thread of every worker (bench/start_spike.py --profile)
import cProfile, os, pstats, threading, time
_path = os.path.join({root!r}, "deploy/gunicorn.conf.py")
__file__ = _path
exec(compile(open(_path).read(), _path, "exec"))
_shipped_init, _profiles, _local = post_worker_init, [], threading.local()


def _profiled(function):
    def wrapper(*args, **kwargs):
        profile = getattr(_local, "profile", None)
        if profile is None:
            profile = _local.profile = cProfile.Profile(time.thread_time)  # CPU, not waits
            _profiles.append(profile)
        profile.enable()
        try:
            return function(*args, **kwargs)
        finally:
            profile.disable()

    return wrapper


def post_worker_init(worker):
    _shipped_init(worker)
    worker.handle = _profiled(worker.handle)  # the request threads
    worker.wait_for_and_dispatch_events = _profiled(worker.wait_for_and_dispatch_events)  # the event loop


def worker_exit(server, worker):
    if _profiles:
        stats = pstats.Stats(_profiles[0])
        for profile in _profiles[1:]:
            stats.add(profile)
        stats.dump_stats(os.path.join(os.environ["GUNICORN_PROFILE_DIR"], f"worker-{{os.getpid()}}.prof"))
"""


def start_server(url: str, directory: Path, port: int, extra_env: dict | None = None) -> subprocess.Popen:
    """``make serve``: init-db, then gunicorn with deploy/gunicorn.conf.py, access log off."""
    env = dict(
        os.environ,
        APP_ENV="production",
        DATABASE_URL=url,
        SECRET_KEY="bench-start-spike",
        INSTANCE_PATH=str(directory),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESS_LOG="",
        **(extra_env or {}),
    )
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_WORKER_CLASS", "SQLITE_SYNCHRONOUS"):
        if not (extra_env and name in extra_env):
            env.pop(name, None)  # the shipped defaults
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "init-db"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    config = "deploy/gunicorn.conf.py"
    if extra_env and "GUNICORN_PROFILE_DIR" in extra_env:
        config = str(directory / "profiling.conf.py")
        Path(config).write_text(PROFILING_CONFIG.format(root=str(ROOT)))
        Path(extra_env["GUNICORN_PROFILE_DIR"]).mkdir(parents=True, exist_ok=True)
    log = open(directory / "gunicorn.log", "w")  # noqa: SIM115 - kept open for the server's life
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", config, "wsgi:app"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {(directory / 'gunicorn.log').read_text()[-2000:]}")
        if _booted(directory / "gunicorn.log") and _healthz_ok(port):
            return process
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _booted(log: Path) -> bool:
    """Every worker has booted: post_worker_init (the warm-up) ran in each of them."""
    text = log.read_text(errors="replace")
    booted = text.count("Booting worker")
    return booted >= 1 and text.count("exam caches warm") >= booted


def _healthz_ok(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/healthz")
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def spike(port: int, requests: list[tuple[str, str, dict]], timeout: float = 60.0):
    """Each (method, path, headers) on its own thread and its own new connection, released by one
    barrier; returns (latencies ms, bodies or None per request, statuses)."""
    count = len(requests)
    barrier = threading.Barrier(count + 1)
    latencies: list[float | None] = [None] * count
    bodies: list[bytes | None] = [None] * count
    statuses: list[int] = [0] * count
    sent: list[float | None] = [None] * count  # ms from the release to the request's last byte sent

    def one(n: int) -> None:
        method, path, headers = requests[n]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)  # connects on request
        barrier.wait()
        began = time.perf_counter()
        try:
            connection.request(method, path, body=b"" if method == "POST" else None, headers=headers)
            sent[n] = (time.perf_counter() - began) * 1000
            response = connection.getresponse()
            body = response.read()
            latencies[n] = (time.perf_counter() - began) * 1000
            bodies[n], statuses[n] = body, response.status
        except OSError:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,), daemon=True) for n in range(count)]
    previous = threading.stack_size(256 * 1024)
    try:
        for thread in threads:
            thread.start()
    finally:
        threading.stack_size(previous)
    barrier.wait()
    for thread in threads:
        thread.join(timeout + 5)
    spike.sent = sent  # read by --verbose
    return latencies, bodies, statuses


def healthz_rate(port: int, seconds: float = 3.0, clients: int = 16) -> float:
    """Requests/s of /healthz from ``clients`` keep-alive threads (http.client) for ``seconds``."""
    stop = time.perf_counter() + seconds
    counts = [0] * clients

    def loop(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            counts[n] += response.status == 200
        connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU time (user + system, s) of each process, from /proc (0 for one that is gone)."""
    ticks = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            times[pid] = (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            times[pid] = 0.0
    return times


def server_pids(process: subprocess.Popen, postgres_dir: Path | None) -> dict[str, list[int]]:
    """The gunicorn arbiter and its workers, and the PostgreSQL processes of this run's cluster."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    pids = {"arbiter": [process.pid], "workers": [int(p) for p in children]}
    if postgres_dir is not None:
        pids["postgres"] = [
            int(p)
            for p in subprocess.run(["pgrep", "-f", str(postgres_dir)], capture_output=True, text=True).stdout.split()
        ]
        pids["postgres"] += [  # the backends and helpers are the postmaster's children
            int(c) for pid in list(pids["postgres"]) for c in _children(pid)
        ]
    return pids


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


class CpuMeter:
    """CPU seconds spent by the client (this process) and by each server part during a block."""

    def __init__(self, pids: dict[str, list[int]]):
        self.pids = pids

    def __enter__(self):
        self.before = {part: cpu_seconds(p) for part, p in self.pids.items()}
        self.client_before = time.process_time()
        self.wall = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.client = time.process_time() - self.client_before
        self.parts = {}
        for part, pids in self.pids.items():
            after = cpu_seconds(pids)
            self.parts[part] = [after[p] - self.before[part][p] for p in pids]

    def describe(self) -> str:
        workers = " + ".join(f"{t:.2f}" for t in self.parts.get("workers", []))
        text = f"CPU s: client {self.client:.2f}, workers {workers}, arbiter {sum(self.parts['arbiter']):.2f}"
        if "postgres" in self.parts:
            text += f", postgres {sum(self.parts['postgres']):.2f}"
        return text + f" (wall {self.wall:.2f})"


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


def is_paper(status: int, body: bytes | None, questions: int) -> bool:
    if status != 201 or body is None:
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data.get("attempt_id"), int) and len(data.get("questions", [])) == questions


def one_round(engine: str, args, number: int) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="start-spike-"))
    postgres = None
    process = None
    try:
        if engine == "sqlite":
            url = f"sqlite:///{directory / 'platform.db'}"
        else:
            pg_directory = Path(tempfile.mkdtemp(prefix="start-spike-pg-"))  # chowned to postgres by start()
            postgres = exam_load.LocalPostgres(pg_directory, port=exam_load.free_port())
            postgres.start()
            postgres.create("spike")
            url = postgres.url("spike", durable=True)
        if args.demo:
            _load_demo(url, directory)
        spare = args.candidates if args.compare_clients else 0
        people = exam_load.setup_database(url, 0, args.candidates + spare, QUESTIONS, init=not args.demo)
        people["spike"], people["spare"] = people["spike"][: args.candidates], people["spike"][args.candidates :]
        port = exam_load.free_port()
        extra = dict(item.split("=", 1) for item in args.env)
        if args.profile:
            extra["GUNICORN_PROFILE_DIR"] = str(Path(args.profile).resolve() / f"{engine}-{number}")
        process = start_server(url, directory, port, extra)
        time.sleep(args.settle)
        speed = exam_load.cpu_speed()
        load = os.getloadavg()[0]
        path = f"/api/v1/sessions/{people['sid']}/attempt"
        pids = server_pids(process, postgres.directory if postgres else None)
        with CpuMeter(pids) as start_cpu:
            latencies, bodies, statuses = spike(
                port, [("POST", path, {"Authorization": f"Bearer {token}"}) for token in people["spike"]]
            )
        started = [lat for lat, body, status in zip(latencies, bodies, statuses, strict=True) if lat is not None]
        errors = sum(
            1
            for lat, body, status in zip(latencies, bodies, statuses, strict=True)
            if lat is None or not is_paper(status, body, QUESTIONS)
        )
        if args.verbose:
            print(f"    all requests sent within: {percentiles([x for x in spike.sent if x is not None])}")
        if args.compare_clients:  # the same server, the next candidates: exam_load.py's one-thread selector client
            with CpuMeter(pids) as selector_cpu:
                selector_latencies, selector_errors = exam_load.start_spike(port, people["sid"], people["spare"])
            p = percentiles(selector_latencies)
            print(
                f"    exam_load.py's selector client, same server, next {len(people['spare'])} candidates: "
                f"p50 {p['p50']:.0f} / p95 {p['p95']:.0f} / p99 {p['p99']:.0f} ms, errors {selector_errors}; "
                f"{selector_cpu.describe()}",
                flush=True,
            )
        size = statistics.median([len(b) for b in bodies if b]) if any(bodies) else 0
        if args.profile:  # the spike alone: the workers write their profiles as they stop
            stop_server(process)
            process = None
            print(
                f"[{engine}] {args.candidates} starts, errors {errors}; {start_cpu.describe()}; profiles in {args.profile}"
            )
            return {"engine": engine, "start": percentiles(started), "errors": errors}
        with CpuMeter(pids) as health_cpu:
            health_latencies, _, health_statuses = spike(port, [("GET", "/healthz", {})] * args.candidates)
        health = [lat for lat in health_latencies if lat is not None]
        rate = healthz_rate(port)
        result = {
            "engine": engine,
            "start": percentiles(started),
            "errors": errors,
            "healthz": percentiles(health),
            "healthz_errors": sum(1 for s in health_statuses if s != 200),
            "healthz_rate": rate,
            "body_bytes": size,
            "speed": speed,
            "load": load,
            # CPU per request of the server's processes (less noisy than the wall clock on a shared machine)
            "start_cpu_ms": 1000
            * (sum(start_cpu.parts["workers"]) + sum(start_cpu.parts.get("postgres", [])))
            / len(people["spike"]),
            "healthz_cpu_ms": 1000
            * (sum(health_cpu.parts["workers"]) + sum(health_cpu.parts.get("postgres", [])))
            / args.candidates,
        }
        s, h = result["start"], result["healthz"]
        print(
            f"[{engine} round {number + 1}] {args.candidates} starts at once: p50 {s['p50']:.0f} / p95 {s['p95']:.0f} / "
            f"p99 {s['p99']:.0f} ms (max {s['max']:.0f}), errors {errors}, paper {size / 1024:.0f} KiB | "
            f"{args.candidates} × /healthz at once: p50 {h['p50']:.0f} / p95 {h['p95']:.0f} / p99 {h['p99']:.0f} ms | "
            f"start p99 = {s['p99'] / h['p99']:.2f}× /healthz p99 | /healthz {rate:.0f}/s (16 keep-alive) | "
            f"load {load:.1f}, reference loop {speed:.0f} ms",
            flush=True,
        )
        print(f"    starts:   {start_cpu.describe()}\n    /healthz: {health_cpu.describe()}", flush=True)
        return result
    finally:
        if process is not None:
            stop_server(process)
        if postgres is not None:
            postgres.stop()
            shutil.rmtree(postgres.directory, ignore_errors=True)
        if args.keep:
            print(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


def _load_demo(url: str, directory: Path) -> None:
    env = dict(os.environ, APP_ENV="production", DATABASE_URL=url, SECRET_KEY="bench", INSTANCE_PATH=str(directory))
    for command in (["init-db"], ["demo"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", default="sqlite", help="sqlite, postgresql or both (comma-separated)")
    parser.add_argument("--candidates", type=int, default=500, help="candidates pressing 开始考试 at once")
    parser.add_argument("--rounds", type=int, default=1, help="whole runs (fresh database and server each)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds between the server's boot and the spike")
    parser.add_argument("--demo", action="store_true", help="load the demo data first (flask demo)")
    parser.add_argument("--profile", metavar="DIR", help="cProfile each worker into DIR (slower: relative costs)")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="server environment (experiments)"
    )
    parser.add_argument(
        "--compare-clients", action="store_true", help="then as many more starts with exam_load.py's selector client"
    )
    parser.add_argument("--verbose", action="store_true", help="also when the requests were sent")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log)")
    args = parser.parse_args()
    engines = ["postgresql" if e.strip().startswith("postgres") else e.strip() for e in args.engine.split(",")]
    print(
        f"{args.candidates} threads × new connection (http.client) behind one barrier; server: "
        f"gunicorn -c deploy/gunicorn.conf.py (shipped settings, access log off) on 127.0.0.1; "
        f"{os.cpu_count()} CPUs shared with the client",
        flush=True,
    )
    results = []
    for number in range(args.rounds):
        for engine in engines:
            results.append(one_round(engine, args, number))
    if args.profile:
        return
    print()
    print(
        "| engine | starts p50 / p95 / p99 | errors | /healthz spike p50 / p99 | start p99 ÷ /healthz p99 "
        "| server CPU per start / per /healthz | /healthz/s | load | ref. loop |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        s, h = r["start"], r["healthz"]
        print(
            f"| {r['engine']} | {s['p50']:.0f} / {s['p95']:.0f} / {s['p99']:.0f} ms | {r['errors']} "
            f"| {h['p50']:.0f} / {h['p99']:.0f} ms | {s['p99'] / h['p99']:.2f}× "
            f"| {r['start_cpu_ms']:.2f} / {r['healthz_cpu_ms']:.2f} ms | {r['healthz_rate']:.0f} "
            f"| {r['load']:.1f} | {r['speed']:.0f} ms |"
        )
    sys.exit(1 if any(r["errors"] or r["start"]["p99"] > 1000 for r in results) else 0)


if __name__ == "__main__":
    main()
