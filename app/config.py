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
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_TIME_LIMIT": None,
        # Integration clients (a provincial platform, roster tools) keep a token for weeks; 30 days by default.
        "API_TOKEN_TTL": timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", "720"))),
        # Failed sign-ins before 429, per account and per client address (Flask-Limiter syntax).
        "LOGIN_FAILURE_LIMIT_ACCOUNT": os.environ.get("LOGIN_FAILURE_LIMIT_ACCOUNT", "5 per 5 minutes"),
        "LOGIN_FAILURE_LIMIT_CLIENT": os.environ.get("LOGIN_FAILURE_LIMIT_CLIENT", "20 per 5 minutes"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Responses an item needs in a session before its observed facility may be written back (issue 10).
        "DIFFICULTY_WRITEBACK_MIN_RESPONSES": int(os.environ.get("DIFFICULTY_WRITEBACK_MIN_RESPONSES", "30")),
        "EXAM_TEMPLATES_DIR": os.environ.get("EXAM_TEMPLATES_DIR"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or os.path.join(instance_path, "uploads"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "JSON_AS_ASCII": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


DEVELOPMENT_SECRET = "dev-secret-not-for-production"
