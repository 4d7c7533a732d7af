"""/api/v1 certificates (证书): public verification (no auth, rate-limited) and revocation
(api-contract: Results and certificates, v1.1)."""

from __future__ import annotations

from flask import jsonify, request

from app import timeutil, verify_limits
from app.auth.roles import ADMINS
from app.results import certificates as ops

from . import bp
from .common import api_auth, api_user, parse_body
from .schemas import Reason


@bp.get("/certificates/<no>")
@verify_limits.verification
@verify_limits.name_check
def verify_certificate(no: str):
    """Validity, occupation, level, issue date, center and the masked name; ``?name=`` adds name_matches."""
    name = request.args.get("name")
    return jsonify(ops.verification(ops.find(no), name))


@bp.get("/certificates/<no>/credential")
@verify_limits.verification
def certificate_credential(no: str):
    """The certificate's public fields signed with the platform's Ed25519 key (compact JWS, EdDSA)."""
    return jsonify({"jws": ops.credential(ops.find(no), timeutil.utcnow())})


@bp.post("/certificates/<no>/revoke")
@api_auth(*ADMINS)
def revoke_certificate(no: str):
    certificate = ops.revoke(no, api_user(), parse_body(Reason).reason)
    return jsonify({"number": certificate.number, "valid": False, "revoked": True})
