"""What every request runs (issue 25): the Flask class that asks once per callable whether it is a
coroutine (app/flask_app.py), and Flask-Limiter's hooks dropped where they have nothing to do
(app/extensions.py ``check_decorated_limits_only``)."""

from __future__ import annotations

import functools

import flask.app
import pytest
from flask_limiter import Limiter

from app import create_app
from app.extensions import db, limiter
from app.flask_app import REMEMBERED_CALLABLES
from tests.conftest import _config
from tests.test_verification_limits import UNKNOWN


def _counting_iscoroutinefunction(monkeypatch) -> list:
    asked = []
    real = flask.app.iscoroutinefunction

    def counting(func):
        asked.append(func)
        return real(func)

    monkeypatch.setattr(flask.app, "iscoroutinefunction", counting)
    return asked


def test_each_callable_is_asked_once(app, monkeypatch):
    asked = _counting_iscoroutinefunction(monkeypatch)

    def view():
        return "x"

    assert app.ensure_sync(view) is view and app.ensure_sync(view) is view
    assert asked == [view]


def test_requests_ask_nothing_once_their_hooks_are_known(app, client, monkeypatch):
    client.get("/healthz")
    asked = _counting_iscoroutinefunction(monkeypatch)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert asked == []


def test_a_coroutine_function_is_still_refused_or_wrapped_as_flask_does(app):
    async def view():
        return "x"

    try:
        expected = flask.Flask.ensure_sync(app, view)
    except RuntimeError as exc:  # Flask without its "async" extra
        with pytest.raises(RuntimeError, match=str(exc)[:30]):
            app.ensure_sync(view)
    else:
        assert app.ensure_sync(view) is not view and callable(expected)


def test_an_unhashable_callable_is_asked_each_time(app, monkeypatch):
    asked = _counting_iscoroutinefunction(monkeypatch)

    class Unhashable:
        __hash__ = None

        def __call__(self):
            return "x"

    callable_ = Unhashable()
    assert app.ensure_sync(callable_) is callable_ and app.ensure_sync(callable_) is callable_
    assert len(asked) == 2


def test_the_memory_of_callables_is_bounded(app):
    for n in range(REMEMBERED_CALLABLES + 50):
        app.ensure_sync(functools.partial(print, n))
    assert len(app._synchronous) <= REMEMBERED_CALLABLES


def _limiter_hooks(application) -> tuple[list, list]:
    inject = Limiter._Limiter__inject_headers
    after = [hook for hook in application.after_request_funcs[None] if getattr(hook, "func", None) is inject]
    teardown = [
        hook
        for hook in application.teardown_request_funcs[None]
        if getattr(hook, "__name__", "") == "__release_context"
    ]
    return after, teardown


def test_the_limiters_empty_hooks_are_dropped_and_limits_still_hold(app, client):
    assert _limiter_hooks(app) == ([], [])
    app.config["CERTIFICATE_VERIFY_LIMIT"] = "2 per minute"
    codes = [client.get(f"/api/v1/certificates/{UNKNOWN}").status_code for _ in range(3)]
    assert codes == [404, 404, 429]
    assert "X-RateLimit-Limit" not in client.get(f"/api/v1/certificates/{UNKNOWN}").headers


def test_with_rate_limit_headers_the_hooks_stay_and_add_them(app, tmp_path, monkeypatch):
    # Flask-Limiter reads RATELIMIT_HEADERS_ENABLED at its first init_app only (its extension object
    # is shared by every app of the process): set as that first app would have set it.
    monkeypatch.setattr(limiter, "_headers_enabled", True)
    headed = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path))
    try:
        after, teardown = _limiter_hooks(headed)
        assert len(after) == 1 and len(teardown) == 1
        headed.config["CERTIFICATE_VERIFY_LIMIT"] = "5 per minute"
        response = headed.test_client().get(f"/api/v1/certificates/{UNKNOWN}")
        assert response.status_code == 404 and response.headers["X-RateLimit-Limit"] == "5"
    finally:
        with headed.app_context():
            db.engine.dispose()
