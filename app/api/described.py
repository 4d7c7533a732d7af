"""/api/v1 describing itself (api-contract v1.2: The API described — OpenAPI): the generated
document and a page that renders it (static/js/api_docs.js; the CSP allows no inline script)."""

from __future__ import annotations

from flask import jsonify, render_template

from . import bp
from .openapi import document


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of every /api/v1 route, generated from the code."""
    return jsonify(document())


@bp.get("/docs")
def api_docs():
    """A human-readable page of the document."""
    return render_template("api/docs.html")
