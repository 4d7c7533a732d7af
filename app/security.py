"""Response headers for every page and API answer (issue 11 item 7).

- Content-Security-Policy: scripts only from this site's static files (no inline script anywhere;
  the exam client is static/js/exam.js, page behaviour static/js/site.js), no plugins, no framing,
  forms post only here. Inline ``style=""`` attributes are still allowed (layout widths in a few
  forms); they cannot run code.
- X-Frame-Options DENY (older browsers) with ``frame-ancestors 'none'``; ``nosniff``; Referrer-Policy
  ``same-origin`` (exam and ticket URLs never leak to another site).
- ``Cache-Control: no-store`` on everything that is not a static file:
  the exam page, attempt JSON, papers with their keys, print pages and exports are never kept by a
  browser or proxy (a shared exam-hall PC, the back button after sign-out).
"""

from __future__ import annotations

from flask import Flask, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


_LOWER_NAMES = [(name.lower(), name, value) for name, value in HEADERS.items()]


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        # One pass over the response's few headers, then one extend: five ``setdefault`` calls each
        # scanned them again, a twentieth of an exam start's instructions (issue 12).
        headers = response.headers
        present = {name.lower() for name in headers.keys()}
        missing = [(name, value) for lower, name, value in _LOWER_NAMES if lower not in present]
        if request.endpoint != "static":
            if "cache-control" not in present:
                missing.append(("Cache-Control", "no-store"))
            elif "no-store" not in headers.get("Cache-Control", ""):
                headers["Cache-Control"] = "no-store"  # also over send_file's "no-cache" (exports)
        headers.extend(missing)
        return response


def configure_secure_cookies(app: Flask) -> None:
    """Session cookies are ``Secure`` (sent over HTTPS only) in production unless
    ``SESSION_COOKIE_SECURE=0`` is set for a plain-HTTP single machine; development and tests use HTTP."""
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["ENV_NAME"] == "production" and not app.testing
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
