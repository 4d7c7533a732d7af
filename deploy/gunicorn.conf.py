"""gunicorn configuration shared by every app server (``make serve``; docs/deploy.md).

The app keeps no state in a process: page sessions, API tokens and sign-in failure counts live in
the database, so any worker of any server may answer any request and a restart forgets nothing.
Evidence files live in UPLOAD_FOLDER, which several app servers must share (NFS or similar).
Every setting can be overridden from the environment without editing this file.
"""

import multiprocessing
import os

# Behind nginx or a load balancer bind to loopback or the private network only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads overlap waiting on the database; processes use the cores. 2 × cores + 1 processes is
# gunicorn's rule of thumb; 4 threads each (the exam-load benchmark in README used 4 × 4).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# Longer than the longest request: paper assembly is cut at ASSEMBLY_TIME_LIMIT (30 s by default).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory of matplotlib/scipy); jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The app is created in each worker (no database connection is opened before the fork).
preload_app = False
# Logs to stdout/stderr for systemd/journald.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-Proto from these proxies marks a request as HTTPS (Secure cookies). The client address
# for the sign-in limits comes from X-Forwarded-For through PROXY_COUNT (app/config.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
