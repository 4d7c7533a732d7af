"""Sign-in pages (session cookie). The API's token endpoint shares ``authenticate``."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user

from app.errors import DomainError

from .forms import LoginForm
from .operations import LOGIN_SESSION_KEY, authenticate, end_login_session, start_login_session

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only a local path is followed after sign-in (no open redirect). Control characters (CR/LF
    would split the Location header), spaces and backslashes (``/\\evil`` is ``//evil`` to browsers)
    are refused."""
    if target and not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data, request.remote_addr or "")
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            login_user(user)
            session[LOGIN_SESSION_KEY] = start_login_session(user)
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    end_login_session(session.pop(LOGIN_SESSION_KEY, None))
    logout_user()
    return redirect(url_for("auth.login"))


from . import account_pages  # noqa: E402, F401  (its routes join this blueprint)
