"""The application factory: configuration, extensions, blueprints, CLI — no side effects
beyond reading and validating the standards (a malformed standard stops start-up)."""

from __future__ import annotations

import os
import secrets

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

# models: every table known to the metadata and Alembic; components: every assessment component
# registered; boundary: the after-commit hooks on the database session.
from app import api, boundary, components, models  # noqa: F401
from app.api.common import domain_error_response, error_response
from app.auth.models import User
from app.auth.views import bp as auth_bp
from app.banks.views import bp as banks_bp
from app.cli import register_commands
from app.config import DEVELOPMENT_SECRET, base_config
from app.eligibility.views import bp as eligibility_bp
from app.errors import DomainError
from app.exams.views import bp as exams_bp
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.main.views import bp as main_bp
from app.navigation import nav_items
from app.papers.views import bp as papers_bp
from app.practical.views import bp as practical_bp
from app.results.views import bp as results_bp
from app.sessions.views import bp as sessions_bp
from app.standards.loader import TEMPLATES_DIR, load_standards
from app.standards.views import bp as standards_bp
from app.statistics.views import bp as statistics_bp

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or os.path.join(ROOT_DIR, "instance"),
        static_folder=os.path.join(ROOT_DIR, "static"),
    )
    app.config.update(base_config(app.instance_path))
    app.config.update(overrides or {})
    _check_secret(app)
    os.makedirs(app.instance_path, exist_ok=True)
    register_standards(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_boundary(app)
    register_errorhandlers(app)
    register_cli(app)
    register_template_helpers(app)
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
    app.logger.error("SECRET_KEY is not set: requests will be refused (设置环境变量 SECRET_KEY)")

    @app.before_request
    def refuse_without_secret():
        raise RuntimeError("SECRET_KEY must be set outside development and testing (环境变量 SECRET_KEY)")


def register_standards(app: Flask) -> None:

    app.extensions["standards"] = load_standards(app.config.get("EXAM_TEMPLATES_DIR") or TEMPLATES_DIR)


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
        return db.session.get(User, int(user_id))


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
        results_bp,
        statistics_bp,
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
        db.session.commit()
        return response

    @app.teardown_request
    def rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()


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
    }

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return domain_error_response(exc)
        return render_template(
            "errors.html", code=exc.status, title=titles.get(exc.status, "错误"), message=exc.message
        ), exc.status

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        db.session.rollback()
        code = exc.code or 500
        if isinstance(exc, CSRFError):
            exc.description = "表单已过期或缺少安全令牌（CSRF），请刷新页面后重试。"
        if wants_json():
            name = (exc.name or "error").lower().replace(" ", "_")
            return error_response(code, name, exc.description or exc.name or "")
        return render_template(
            "errors.html", code=code, title=titles.get(code, exc.name), message=exc.description
        ), code

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        if wants_json():
            return error_response(500, "internal_error", "服务器内部错误")
        return render_template("errors.html", code=500, title=titles[500], message="服务器内部错误"), 500


def register_cli(app: Flask) -> None:

    register_commands(app)


def register_template_helpers(app: Flask) -> None:

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["nav_items"] = nav_items
