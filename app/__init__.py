"""The application factory: configuration, extensions, blueprints, CLI — no side effects
beyond reading and validating the standards (a malformed standard stops start-up)."""

from __future__ import annotations

import os
import secrets

from flask import Flask, g, render_template, request, session
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.engine import make_url
from sqlalchemy.orm import configure_mappers
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

# models: every table known to the metadata and Alembic; components: every assessment component
# registered; boundary: the after-commit hooks on the database session.
from app import api, boundary, components, connection_ping, models, session_cookies, statement_reads, timeutil  # noqa: F401
from app.api.common import domain_error_response, error_response
from app.audit.views import bp as audit_bp
from app.auth.operations import LOGIN_SESSION_KEY, user_for_login_session
from app.auth.views import bp as auth_bp
from app.banks.views import bp as banks_bp
from app.cli import register_commands
from app.config import DEVELOPMENT_SECRET, base_config
from app.continuing_education.views import bp as ce_bp
from app.eligibility.views import bp as eligibility_bp
from app.errors import DomainError, Invalid, http_message
from app.exams.views import bp as exams_bp
from app.extensions import check_decorated_limits_only, csrf, db, limiter, login_manager, migrate
from app.faults import Fault, database_fault
from app.flask_app import PlatformFlask
from app.form_errors import error_list as form_error_list
from app.http_input import (
    CheckedJSONProvider,
    Id64Converter,
    TextConverter,
    check_form_fields,
    is_overflow,
    limit_body,
    names_an_id_beyond_range,
)
from app.main.views import bp as main_bp
from app.navigation import nav_groups, nav_items
from app.papers.views import bp as papers_bp
from app.practical.views import bp as practical_bp
from app.rating.frameworks import FRAMEWORKS_DIR, load_frameworks
from app.rating.views import bp as rating_bp
from app.results.views import bp as results_bp
from app.security import configure_secure_cookies, register_security_headers
from app.sessions.views import bp as sessions_bp
from app.standards.loader import TEMPLATES_DIR, load_standards
from app.standards.views import bp as standards_bp
from app.statistics.views import bp as statistics_bp
from app.surveys.views import bp as surveys_bp
from app.talent.views import bp as talent_bp
from app.training.views import bp as training_bp

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(overrides: dict | None = None) -> Flask:
    app = PlatformFlask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or os.path.join(ROOT_DIR, "instance"),
        static_folder=os.path.join(ROOT_DIR, "static"),
    )
    app.config.update(base_config(app.instance_path))
    app.config.update(overrides or {})
    _engine_options(app)
    _check_secret(app)
    register_input_checks(app)
    os.makedirs(app.instance_path, exist_ok=True)
    register_standards(app)
    register_extensions(app)
    register_connection_checks(app)
    # The models' mappers are configured now, in each worker as it boots, and not by the first ORM
    # query — which at the start spike (issue 12) is a whole hall's first request, waiting ~60 ms.
    configure_mappers()
    register_blueprints(app)
    check_decorated_limits_only(app)  # after the blueprints: none of them may carry a limit
    register_request_boundary(app)
    register_security_headers(app)
    configure_secure_cookies(app)
    session_cookies.register(app)  # the signed cookie without its per-request set-up
    register_errorhandlers(app)
    register_cli(app)
    register_template_helpers(app)
    if app.config["PROXY_COUNT"]:  # the client's own address behind nginx / a load balancer
        proxies = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def _check_secret(app: Flask) -> None:
    """SECRET_KEY is required to serve outside development and testing. The CLI commands (init-db,
    users create, demo) use no sessions, so a missing key only refuses requests, with a clear error."""
    if app.config.get("SECRET_KEY"):
        return
    development = app.config.get("TESTING") or app.debug or app.config["ENV_NAME"] in {"development", "testing"}
    if development:
        app.config["SECRET_KEY"] = DEVELOPMENT_SECRET
        return
    app.config["SECRET_KEY"] = secrets.token_hex(32)  # never used to serve: every request is refused below
    if not os.environ.get("FLASK_RUN_FROM_CLI"):  # init-db, users, demo… serve nothing: no alarm for them
        app.logger.error("SECRET_KEY is not set: requests will be refused (设置环境变量 SECRET_KEY)")

    @app.before_request
    def refuse_without_secret():
        raise RuntimeError("SECRET_KEY must be set outside development and testing (环境变量 SECRET_KEY)")


def _engine_options(app: Flask) -> None:
    """The connection pool holds one connection per gunicorn thread (``GUNICORN_THREADS``) and two
    more (the group commit's leader, a page's second connection), so that connections are kept and
    reused: beyond SQLAlchemy's default of 5 each extra one was closed on return and opened again —
    a new PostgreSQL backend, or a SQLite file with its pragmas and schema to read again — several
    times per start at the spike (issue 12). A SQLite file on this machine cannot drop a connection,
    so no ``SELECT 1`` before each checkout there (two of a start's statements were pings);
    PostgreSQL pings a connection that sat idle (``register_connection_checks``)."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):  # one in-memory database: a static pool of one
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
            return
    # GUNICORN_THREADS: set by deploy/gunicorn.conf.py for its workers (16 there, and here outside it);
    # the two more: the group commit's leader connection (app/exams/group_commit.py) and a page's second one
    options.setdefault("pool_size", max(5, int(os.environ.get("GUNICORN_THREADS", "16")) + 2))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_connection_checks(app: Flask) -> None:
    """PostgreSQL: an idle pooled connection is pinged before use (app/connection_ping.py); the
    exam day's hottest reads run in autocommit (app/statement_reads.py)."""
    statement_reads.register(app)
    with app.app_context():
        if db.engine.dialect.name != "sqlite" and not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
            connection_ping.ping_when_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE"])


def register_input_checks(app: Flask) -> None:
    """Hostile JSON, ids and numbers are refused once, before any view sees them (app/http_input.py)."""
    app.json = CheckedJSONProvider(app)
    app.url_map.converters["int"] = Id64Converter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    app.before_request(limit_body)
    app.before_request(check_form_fields)


def register_standards(app: Flask) -> None:

    app.extensions["standards"] = load_standards(app.config.get("EXAM_TEMPLATES_DIR") or TEMPLATES_DIR)
    # organization rating frameworks (exam_templates/rating/): a malformed one stops start-up too
    app.extensions["rating_frameworks"] = load_frameworks(app.config.get("RATING_FRAMEWORKS_DIR") or FRAMEWORKS_DIR)


def register_extensions(app: Flask) -> None:

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT_DIR, "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"

    @login_manager.user_loader
    def load_user(user_id: str):
        # The cookie alone is not enough: its server-side session must still exist (sign-out deletes it).
        return user_for_login_session(int(user_id), session.get(LOGIN_SESSION_KEY))


def register_blueprints(app: Flask) -> None:

    for blueprint in (
        main_bp,
        auth_bp,
        standards_bp,
        eligibility_bp,
        banks_bp,
        papers_bp,
        sessions_bp,
        exams_bp,
        practical_bp,
        rating_bp,
        results_bp,
        statistics_bp,
        surveys_bp,
        audit_bp,
        training_bp,
        ce_bp,
        talent_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)  # the API checks the CSRF header itself when a cookie authenticates it
    app.register_blueprint(api.bp)


def register_request_boundary(app: Flask) -> None:
    """Operations only flush; the request commits once when no exception was raised (a response is
    sent only after the commit) and rolls back otherwise, so every failed request changes nothing.
    The error handlers roll back before rendering; a page view that catches a domain error itself
    goes through ``app.boundary.page_action`` (or ``fail``), which rolls back before redirecting."""

    @app.after_request
    def commit(response):
        # Only what holds a change: a request that read (an exam start's reads, /healthz, every page
        # view) skips the commit's work — a fifth of a bare request's instructions (issue 12).
        if boundary.session_has_written():
            db.session.commit()
        return response

    @app.teardown_request
    def rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()


BARE_ERROR_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{code} · 职业技能评价平台</title></head>
<body><h1>{code} · {title}</h1><p>{message}</p><p><a href="/">返回首页</a></p></body></html>"""


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database may be gone; the error page must still render
        db.session.remove()


def register_errorhandlers(app: Flask) -> None:

    titles = {
        400: "请求错误",
        401: "未登录",
        403: "无权访问",
        404: "页面不存在",
        405: "方法不允许",
        409: "状态冲突",
        413: "文件过大",
        422: "输入有误",
        429: "请求过多",
        500: "服务器错误",
        503: "服务暂不可用",
    }

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    def error_page(code: int, title: str | None, message: str | None):
        """The site's error page; without the database (the layout reads the signed-in user) a
        self-contained page instead of Werkzeug's bare one."""
        try:
            return render_template("errors.html", code=code, title=title, message=message), code
        except Exception:  # noqa: BLE001
            _rollback_quietly()
            app.logger.exception("error page could not be rendered")
            page = BARE_ERROR_PAGE.format(code=code, title=escape(title or ""), message=escape(message or ""))
            return page, code, {"Content-Type": "text/html; charset=utf-8"}

    def fault_response(fault: Fault):
        _rollback_quietly()
        if "_login_user" not in g:  # the user could not be loaded: render the page as anonymous
            g._login_user = login_manager.anonymous_user()
        code = "database_busy" if fault.busy else "database_unavailable"
        if wants_json():
            response, status = error_response(503, code, fault.message)
        else:
            response = app.make_response(error_page(503, titles[503], fault.message))
            status = 503
        response.status_code = status
        response.headers["Retry-After"] = str(fault.retry_after)
        return response

    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return domain_error_response(exc)
        return error_page(exc.status, titles.get(exc.status, "错误"), exc.message)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        fault = database_fault(exc)  # a commit that failed in an after_request hook
        if fault:
            return fault_response(fault)
        _rollback_quietly()
        code = exc.code or 500
        if isinstance(exc, CSRFError):
            exc.description = "表单已过期或缺少安全令牌（CSRF），请刷新页面后重试。"
        if code == 405 and names_an_id_beyond_range(request.path):
            exc = NotFound()  # Werkzeug checks the method before the id's range: no such record, a 404
            code = 404
        if code == 500:
            exc.description = "服务器内部错误"
        if wants_json():
            name = (exc.name or "error").lower().replace(" ", "_")
            return error_response(code, name, http_message(exc))
        return error_page(code, titles.get(code, "错误"), http_message(exc))

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        fault = database_fault(exc)
        if fault:
            app.logger.warning("database fault: %s", exc)
            return fault_response(fault)
        if is_overflow(exc):  # a number past what a date or a 64-bit column holds
            return handle_domain_error(Invalid("数值超出允许范围"))
        _rollback_quietly()
        app.logger.exception("unhandled error")
        if wants_json():
            return error_response(500, "internal_error", "服务器内部错误")
        return error_page(500, titles[500], "服务器内部错误，请稍后再试。")


def register_cli(app: Flask) -> None:

    register_commands(app)


def register_template_helpers(app: Flask) -> None:

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["nav_groups"] = nav_groups
    app.jinja_env.globals["form_error_list"] = form_error_list
    app.jinja_env.filters["beijing"] = timeutil.beijing  # the one date-time format of every page
