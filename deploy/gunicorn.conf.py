"""gunicorn configuration shared by every app server (``make serve``; docs/deploy.md).

The app keeps no state in a process: page sessions, API tokens and sign-in failure counts live in
the database, so any worker of any server may answer any request and a restart forgets nothing.
Evidence files live in UPLOAD_FOLDER, which several app servers must share (NFS or similar).
Every setting can be overridden from the environment without editing this file.
"""

import multiprocessing
import os
import sys

# Behind nginx or a load balancer bind to loopback or the private network only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes use the cores (one Python process runs on one core at a time), threads overlap the
# waits on the database and its fsync, and more threads waiting make larger group commits (fewer
# fsyncs). One process per core and 16 threads each is what the exam-load benchmark measures
# (bench/exam_load.py, README: 500 starts p99 0.74–0.81 s against 1.0–1.1 s with 8 threads; since the
# start got cheaper, 6 and 16 threads are even within the machine's noise, median p99 619 and 586 ms
# over six interleaved runs); more processes than cores only add task switches, cold caches at the
# start spike and writers queueing for SQLite's single lock (3 × 6: median 644 ms).
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
os.environ["GUNICORN_THREADS"] = str(threads)  # the app's connection pool keeps one per thread
# gthread that accepts a new connection only while one of its threads is free (gunicorn_worker.py
# beside this file): at the start spike the hall is shared by the processes instead of queueing
# mostly behind one of them.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gunicorn_worker.BalancedThreadWorker")  # bench: "gthread"
# Longer than the longest request: paper assembly is cut at ASSEMBLY_TIME_LIMIT (30 s by default).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory of matplotlib/scipy); jitter keeps them from restarting together.
# Rarely: on exam day a hall saves hundreds of answers a second, and every restart costs a worker's
# boot and its caches (papers, tokens) in the middle of the exam.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = 10000
# The app is created in each worker (no database connection is opened before the fork).
preload_app = False
# Logs to stdout/stderr for systemd/journald.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-Proto from these proxies marks a request as HTTPS (Secure cookies). The client address
# for the sign-in limits comes from X-Forwarded-For through PROXY_COUNT (app/config.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """The app is built: the exam caches are filled for the coming day's sessions (papers, the
    start's and the save's statements: app/exams/warm.py), then the app's long-lived objects are
    moved out of the garbage collector's generations, so that each collection walks only request
    garbage."""
    import gc

    from app.exams.warm import warm_up

    papers = warm_up(worker.wsgi)
    gc.freeze()
    worker.log.info("exam caches warm: %d papers", papers)
