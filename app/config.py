"""Configuration from environment variables; ``create_app(overrides)`` is applied on top."""

from __future__ import annotations

import os
from datetime import timedelta


def base_config(instance_path: str) -> dict:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{os.path.join(instance_path, 'platform.db')}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://") :]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    return {
        "ENV_NAME": os.environ.get("APP_ENV", "production"),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # PostgreSQL: a pooled connection idle this long is pinged before use (app/connection_ping.py;
        # 0: before every use, as SQLAlchemy's pool_pre_ping).
        "DATABASE_PING_AFTER_IDLE": float(os.environ.get("DATABASE_PING_AFTER_IDLE", "2")),
        "WTF_CSRF_TIME_LIMIT": None,
        # Integration clients (a provincial platform, roster tools) keep a token for weeks; 30 days by default.
        "API_TOKEN_TTL": timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", "720"))),
        # A candidate's token and every page sign-in last one exam (working) day: 12 hours.
        "API_TOKEN_TTL_CANDIDATE": timedelta(hours=int(os.environ.get("API_TOKEN_TTL_CANDIDATE_HOURS", "12"))),
        "LOGIN_SESSION_TTL": timedelta(hours=int(os.environ.get("LOGIN_SESSION_TTL_HOURS", "12"))),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("LOGIN_SESSION_TTL_HOURS", "12"))),
        # Sign-in limits (app/auth/throttle.py, README): failures per account + client address before a
        # back-off, per address over all accounts, per account before it is guarded; window and cap.
        "LOGIN_LIMIT_PAIR": int(os.environ.get("LOGIN_LIMIT_PAIR", "5")),
        "LOGIN_LIMIT_CLIENT": int(os.environ.get("LOGIN_LIMIT_CLIENT", "200")),
        "LOGIN_ACCOUNT_GUARD": int(os.environ.get("LOGIN_ACCOUNT_GUARD", "20")),
        "LOGIN_WINDOW_MINUTES": int(os.environ.get("LOGIN_WINDOW_MINUTES", "15")),
        "LOGIN_BACKOFF_MAX_MINUTES": int(os.environ.get("LOGIN_BACKOFF_MAX_MINUTES", "15")),
        # Flask-Limiter (the public verification lookups only; sign-in has app/auth/throttle.py): counts
        # in the app's database by default, shared by every worker and process (app/verify_limits.py);
        # redis://host:6379 where Redis is deployed. Never memory:// (one budget per worker).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "database://",
        # Budgets per client address (app/verify_limits.py): every lookup, and a ?name= comparison on top.
        "CERTIFICATE_VERIFY_LIMIT": os.environ.get("CERTIFICATE_VERIFY_LIMIT", "60 per minute"),
        "CERTIFICATE_NAME_CHECK_LIMIT": os.environ.get("CERTIFICATE_NAME_CHECK_LIMIT", "10 per minute"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Responses an item needs in a session before its observed facility may be written back (issue 10).
        "DIFFICULTY_WRITEBACK_MIN_RESPONSES": int(os.environ.get("DIFFICULTY_WRITEBACK_MIN_RESPONSES", "30")),
        # 成绩保留 (a platform rule, not a clause of the standards): how many days a passed component is
        # kept after its publication; 365 by default (contract v1.1).
        "CARRY_OVER_DAYS": int(os.environ.get("CARRY_OVER_DAYS", "365")),
        "EXAM_TEMPLATES_DIR": os.environ.get("EXAM_TEMPLATES_DIR"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or os.path.join(instance_path, "uploads"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # The Ed25519 keys that sign certificates (contract v1.2, app/results/signing.py): outside the
        # repository, created by init-db.
        "SIGNING_KEY_DIR": os.environ.get("SIGNING_KEY_DIR") or os.path.join(instance_path, "signing_keys"),
        # Proxies in front of the app (nginx = 1, load balancer + nginx = 2): the client address of the
        # sign-in limits is then read from X-Forwarded-For (werkzeug ProxyFix); 0 = served directly.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        "SESSION_COOKIE_HTTPONLY": True,
        # None: Secure in production, not in development and tests (app/security.py).
        "SESSION_COOKIE_SECURE": _flag(os.environ.get("SESSION_COOKIE_SECURE")),
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def _flag(value: str | None) -> bool | None:
    return None if value is None or value == "" else value.strip().lower() in {"1", "true", "yes", "on"}


DEVELOPMENT_SECRET = "dev-secret-not-for-production"
