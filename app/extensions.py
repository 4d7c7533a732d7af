"""Flask extensions, created unbound here and bound in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so that Alembic migrations are reviewable and reversible.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def check_decorated_limits_only(app) -> None:
    """Drop Flask-Limiter's per-request hooks that have nothing to do in this app.

    - Before every request it evaluates default, application, meta and blueprint limits, of which
      this app has none: the limited routes (certificate verification) are checked by their own
      ``@limiter.limit`` decorator. Every request paid for the empty check, a twentieth of an exam
      start's instructions (issue 12).
    - After every request it looks for conditional deductions (``deduct_when``: none here) and adds
      the ``X-RateLimit-*`` headers (``RATELIMIT_HEADERS_ENABLED`` is off); at teardown it resets
      the state it keeps on the request's context, which is dropped with it. Together with Flask's
      own look-ups for the two hooks, about 3 % of an answer save's instructions (issue 25).

    Should such a limit, a deduction or the headers be configured, the hooks stay.
    """
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or limiter._meta_limits or manager._blueprint_limits:
        return
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    deductions = any(limit.deduct_when for limits in manager._decorated_limits.values() for limit in limits)
    if deductions or limiter._headers_enabled:
        return
    inject_headers = Limiter._Limiter__inject_headers  # registered as partial(inject_headers, limiter)
    app.after_request_funcs[None] = [
        hook for hook in app.after_request_funcs[None] if getattr(hook, "func", None) is not inject_headers
    ]
    app.teardown_request_funcs[None].remove(limiter._Limiter__release_context)
