"""Load and crash benchmark of answer saving: ``.venv/bin/python bench/exam_load.py``.

1. Sets up a SQLite database (WAL, synchronous=FULL — app/exams/durability.py) with one open
   session, a 20-item paper and MAX candidates, each with an attempt and a bearer token.
2. Serves the app under gunicorn on loopback.
3. Throughput: closed-loop clients hammer PUT /attempts/<aid>/answers/<qid>, then GET /healthz, on
   the same server in the same run; prints saves/s, p50/p99 and the ratio save/healthz.
4. Capacity: open-loop runs with N candidates each saving once every 15 s (rate N/15 per second,
   random phases) for increasing N; prints p50/p99 and the largest N with p99 < 250 ms.
5. Crash: kill -9 the whole gunicorn process group in the middle of a load, restart it, read every
   attempt back through the API and count acknowledged answers that are missing (must be 0).

Options: --max-candidates, --duration, --workers, --threads (see --help). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERIOD_S = 15.0  # one save per candidate per 15 s
TARGET_P99_MS = 250.0


# ---------------------------------------------------------------- setup


def setup_database(directory: Path, candidates: int) -> list[dict]:
    """A fresh database with one open session; returns [{"token", "aid", "qids": [...]}, ...]."""
    from werkzeug.security import generate_password_hash

    from app import create_app, timeutil
    from app.auth.models import Center, Role, User
    from app.auth.operations import issue_token
    from app.banks.models import Item
    from app.cli import init_db
    from app.exams import operations as exam_ops
    from app.extensions import db
    from app.papers.models import Paper, PaperItem
    from app.sessions import operations as session_ops
    from app.sessions.models import ExamSession, Room

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.db'}", "SECRET_KEY": "bench"})
    session_ops.has_approved_application = lambda *args: True  # bench only: every candidate is approved
    cheap = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
    with app.app_context():
        init_db()
        center = Center(name="压测中心")
        db.session.add(center)
        db.session.flush()
        now = timeutil.utcnow()
        session = ExamSession(
            center_id=center.id,
            name="压测批次",
            standard_id="3-01-01-04",
            level="四级",
            theory_start=now - timedelta(minutes=1),
            theory_minutes=600,
            practical_minutes=60,
        )
        db.session.add(session)
        db.session.flush()
        items = []
        for n in range(20):
            kind = ("single", "multiple", "judge")[n % 3]
            options = [] if kind == "judge" else ["甲", "乙", "丙", "丁"]
            answer = True if kind == "judge" else ("B" if kind == "single" else ["A", "C"])
            item = Item(
                standard_id="3-01-01-04",
                external_id=f"B-{n}",
                type=kind,
                stem=f"压测题 {n}",
                options=options,
                answer=answer,
                points=1,
                area="会员发展",
                level="四级",
                difficulty=0.6,
            )
            db.session.add(item)
            items.append(item)
        db.session.flush()
        paper = Paper(
            standard_id="3-01-01-04",
            level="四级",
            batch="bench",
            form_no=1,
            forms=1,
            seed=0,
            max_overlap=1,
            sections=[],
            difficulty_min=0,
            difficulty_max=1,
            total_points=20,
            area_points={"会员发展": 100},
            mean_difficulty=0.6,
        )
        for position, item in enumerate(items, start=1):
            paper.items.append(PaperItem.snapshot_of(item, position))
        db.session.add(paper)
        rooms = [Room(session=session, name=f"R{r}", kind="theory", capacity=100) for r in range(candidates // 100 + 1)]
        db.session.add_all(rooms)
        db.session.flush()
        session_ops.attach_papers(session, [paper])
        users = []
        for n in range(candidates):
            user = User(username=f"b{n:05d}", role=Role.candidate, password_hash=cheap)
            db.session.add(user)
            users.append(user)
        db.session.flush()
        people = []
        for n, user in enumerate(users):
            session_ops.enroll(session, user.username, rooms[n // 100].id)
            attempt = exam_ops.start_attempt(session.id, user, now)
            people.append(
                {"token": issue_token(user), "aid": attempt.id, "qids": [(e["qid"], e["type"]) for e in attempt.layout]}
            )
        db.session.commit()
        db.engine.dispose()
    return people


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, directory: Path, workers: int, threads: int, synchronous: str = "FULL"):
        self.directory, self.workers, self.threads, self.synchronous = directory, workers, threads, synchronous
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(
            os.environ,
            DATABASE_URL=f"sqlite:///{self.directory / 'bench.db'}",
            SECRET_KEY="bench",
            APP_ENV="production",
            INSTANCE_PATH=str(self.directory),
        )
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-w",
                str(self.workers),
                "--threads",
                str(self.threads),
                "-b",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "4096",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the port opens before the workers have booted the app
            if warm_up(self.port, 8 * self.workers):
                return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def kill9(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # master and every worker, no chance to flush
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)


# ---------------------------------------------------------------- client


async def http(port: int, method: str, path: str, token: str | None = None, body: object = None):
    """One request on a fresh loopback connection; returns (status, json body or None)."""
    payload = b"" if body is None else json.dumps(body).encode()
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Length: {len(payload)}"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    if body is not None:
        head.append("Content-Type: application/json")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    header, _, content = raw.partition(b"\r\n\r\n")
    status = int(header.split(b" ", 2)[1]) if header else 0
    try:
        data = json.loads(content) if content else None
    except ValueError:
        data = None
    return status, data


def warm_up(port: int, requests: int) -> bool:
    """True once ``requests`` concurrent /healthz calls all answer 200 (every worker has booted)."""

    def one(_):
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/healthz")
            return connection.getresponse().status
        except OSError:
            return 0

    with ThreadPoolExecutor(max_workers=requests) as pool:
        return all(status == 200 for status in pool.map(one, range(requests)))


def answer_value(kind: str, counter: int):
    if kind == "judge":
        return counter % 2 == 0
    if kind == "single":
        return "ABCD"[counter % 4]
    return [["A", "B"], ["A", "C"], ["B", "D"], ["C", "D"], ["A", "B", "C"]][counter % 5]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def closed_loop(port: int, people: list[dict], seconds: float, clients: int, healthz: bool = False):
    """``clients`` concurrent loops for ``seconds``; returns (requests/s, latencies ms, errors)."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def loop(n: int):
        nonlocal errors
        counter = 0
        while time.perf_counter() < stop:
            person = people[(n * 7919 + counter) % len(people)]
            qid, kind = person["qids"][counter % len(person["qids"])]
            counter += 1
            began = time.perf_counter()
            try:
                if healthz:
                    status, _ = await http(port, "GET", "/healthz")
                else:
                    status, _ = await http(
                        port,
                        "PUT",
                        f"/api/v1/attempts/{person['aid']}/answers/{qid}",
                        person["token"],
                        {"answer": answer_value(kind, counter)},
                    )
            except OSError:
                status = 0
            if status == 200:
                latencies.append((time.perf_counter() - began) * 1000)
            else:
                errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(loop(n) for n in range(clients)))
    return len(latencies) / (time.perf_counter() - began), latencies, errors


async def open_loop(port: int, people: list[dict], candidates: int, seconds: float):
    """Each of ``candidates`` saves once per PERIOD_S at a random phase; latency from the scheduled time."""
    rng = random.Random(candidates)
    schedule = []
    for n in range(candidates):
        t = rng.uniform(0, PERIOD_S)
        while t < seconds:
            schedule.append((t, n))
            t += PERIOD_S
    schedule.sort()
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()

    async def one(at: float, n: int, counter: int):
        nonlocal errors
        person = people[n]
        qid, kind = person["qids"][counter % len(person["qids"])]
        delay = start + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            status, _ = await http(
                port,
                "PUT",
                f"/api/v1/attempts/{person['aid']}/answers/{qid}",
                person["token"],
                {"answer": answer_value(kind, counter)},
            )
        except OSError:
            status = 0
        if status == 200:
            latencies.append((time.perf_counter() - start - at) * 1000)
        else:
            errors += 1

    await asyncio.gather(*(one(at, n, i) for i, (at, n) in enumerate(schedule)))
    return latencies, errors


async def crash_run(server: Server, people: list[dict], clients: int, before_kill: float):
    """Save under load, kill -9 mid-load, restart, read back: acknowledged answers that are missing."""
    sent: dict[tuple[int, int], list] = {}
    acked: dict[tuple[int, int], int] = {}  # (aid, qid) -> index in sent of the last acknowledged value
    stop = asyncio.Event()

    async def loop(n: int):
        counter = 0
        while not stop.is_set():
            person = people[(n * 31 + counter) % len(people)]
            qid, kind = person["qids"][(counter // len(people)) % len(person["qids"])]
            counter += 1
            key = (person["aid"], qid)
            value = answer_value(kind, counter + n)
            sent.setdefault(key, []).append(value)
            index = len(sent[key]) - 1
            try:
                status, _ = await http(
                    server.port, "PUT", f"/api/v1/attempts/{key[0]}/answers/{qid}", person["token"], {"answer": value}
                )
            except OSError:
                status = 0
            if status == 200:
                acked[key] = max(acked.get(key, -1), index)
            elif status == 0:
                await asyncio.sleep(0.05)

    tasks = [asyncio.create_task(loop(n)) for n in range(clients)]
    await asyncio.sleep(before_kill)
    server.kill9()
    killed_with = len(acked)
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.gather(*tasks)
    server.start()
    missing = 0
    by_aid = {p["aid"]: p for p in people}
    for aid in sorted({aid for aid, _ in acked}):
        status, data = await http(server.port, "GET", f"/api/v1/attempts/{aid}", by_aid[aid]["token"])
        stored = (data or {}).get("answers", {}) if status == 200 else {}
        for (a, qid), index in acked.items():
            if a != aid:
                continue
            value = stored.get(str(qid))
            if value not in sent[(a, qid)][index:]:  # the acknowledged value or a later one must be there
                missing += 1
    return killed_with, sum(1 for _ in acked), missing


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-candidates", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per open-loop step")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients in the closed-loop runs")
    parser.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL", help="SQLite synchronous level")
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="exam-bench-"))
    try:
        began = time.perf_counter()
        people = setup_database(directory, args.max_candidates)
        print(
            f"setup: {len(people)} candidates with attempts in {time.perf_counter() - began:.1f} s "
            f"(SQLite WAL, synchronous={args.synchronous}; gunicorn {args.workers} workers × {args.threads} threads)"
        )
        server = Server(directory, args.workers, args.threads, args.synchronous)
        server.start()
        try:
            rate, lat, errors = asyncio.run(closed_loop(server.port, people, 8, args.clients))
            health, hlat, herrors = asyncio.run(closed_loop(server.port, people, 8, args.clients, healthz=True))
            print(
                f"throughput: saves {rate:.0f}/s (p50 {percentile(lat, 0.5):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms,"
                f" errors {errors}); /healthz {health:.0f}/s (errors {herrors}); save/healthz = {rate / health:.2f}"
            )
            best = 0
            steps = [
                n for n in (250, 500, 1000, 1250, 1500, 1750, 2000, 2500, 3000, 4000, 6000) if n <= args.max_candidates
            ]
            for n in steps:
                lat, errors = asyncio.run(open_loop(server.port, people, n, args.duration))
                p50, p99 = percentile(lat, 0.5), percentile(lat, 0.99)
                ok = p99 < TARGET_P99_MS and errors == 0
                print(
                    f"open loop N={n:5d} ({n / PERIOD_S:6.1f} saves/s for {args.duration:.0f} s): "
                    f"{len(lat)} saves, p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {errors} -> {'ok' if ok else 'over'}"
                )
                if not ok:
                    break
                best = n
            print(
                f"largest N with p99 < {TARGET_P99_MS:.0f} ms at one save per candidate per {PERIOD_S:.0f} s: {best}"
                + (" (the largest tried)" if best == steps[-1] else "")
            )
            kill_clients = min(args.clients, 32)
            at_kill, acked, missing = asyncio.run(crash_run(server, people, kill_clients, 3.0))
            print(
                f"crash run: kill -9 of gunicorn after {at_kill} acknowledged answers (distinct questions), "
                f"restarted; acknowledged checked {acked}, missing {missing}"
            )
            if missing:
                sys.exit(1)
        finally:
            server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
