"""Flask's signed session cookie, without its per-request set-up (issue 25).

Flask builds the cookie's signing serializer anew on every request, before it looks for a cookie —
and itsdangerous, building one, encodes an empty dict to learn what its serializer returns. An
exam's API requests (bearer tokens, no cookie) paid for it on every start and every save. Here the
serializer is built once per secret key and its fallbacks (a rotated key builds a new one); a
request without a Cookie header opens an empty session at once, and a request that leaves its session
empty and unmodified saves nothing at once. Everything else is Flask's own code.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class SessionCookies(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializer = None  # (secret key and fallbacks, serializer)

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._serializer
        if cached is None or cached[0] != keys:
            cached = self._serializer = (keys, super().get_signing_serializer(app))
        return cached[1]

    def open_session(self, app: Flask, request):
        # No Cookie header at all (every bearer-token API call): the empty session at once, without
        # parsing the cookies Flask would look the session's name up in. Without a secret key there
        # is no serializer, and Flask's None (a null session) stands.
        if "HTTP_COOKIE" not in request.environ and self.get_signing_serializer(app) is not None:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        # A request without a session (every bearer-token API call: each answer save) leaves it empty
        # and unmodified: Flask then only adds ``Vary: Cookie`` if it was read, after looking up seven
        # cookie settings it does not use.
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def register(app: Flask) -> None:
    app.session_interface = SessionCookies()
