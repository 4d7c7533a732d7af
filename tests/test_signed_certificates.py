"""Signed certificates — offline verification (contract v1.2): a compact JWS (EdDSA) of the public
fields, checked with the keys published at /.well-known/jwks.json, as a phone would without the server."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from app.auth.models import Center
from app.extensions import db
from app.results import certificates as cert_ops
from app.results import signing
from app.results.models import Certificate
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _published_keys(client) -> dict[str, Ed25519PublicKey]:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = {}
    for jwk in response.get_json()["keys"]:
        assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
        assert "d" not in jwk  # the private half is never published
        keys[jwk["kid"]] = Ed25519PublicKey.from_public_bytes(_b64(jwk["x"]))
    return keys


@pytest.fixture
def certificate_no(app, flow):
    """A certificate issued the way the platform issues them: a session of passers, published."""
    with app.app_context():
        center = db.session.scalar(select(Center).where(Center.name == "测试评价中心"))
        data = {"kind": "S", "org_code": "0000", "province": "32", "org_serial": "000123", "platform_code": "CZPJ01"}
        cert_ops.save_settings(center, data)
        db.session.commit()
    sid = flow.session(["c1"])
    flow.theory(sid, "c1", 80)
    flow.practical(sid, "c1", 80)
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200
    return flow.results(sid)["c1"]["certificate_no"]


def _jws(client, number: str) -> str:
    response = client.get(f"/api/v1/certificates/{number}/credential")
    assert response.status_code == 200, response.get_data(True)
    return response.get_json()["jws"]


def test_the_credential_verifies_with_the_published_key_and_carries_the_public_fields(app, client, certificate_no):
    jws = _jws(client, certificate_no)
    header = json.loads(_b64(jws.split(".")[0]))
    assert header["alg"] == "EdDSA"
    keys = _published_keys(client)
    assert header["kid"] in keys
    payload = signing.verify(jws, keys)
    public = client.get(f"/api/v1/certificates/{certificate_no}").get_json()
    for field in ("number", "name", "standard", "level", "issued", "center", "valid"):
        assert payload[field] == public[field], field
    with app.app_context():
        holder = db.session.query(Certificate).filter_by(number=certificate_no).one().holder_name
    assert payload["name"] != holder  # masked, as on the public page


def test_a_tampered_payload_or_signature_fails(client, certificate_no):
    jws = _jws(client, certificate_no)
    keys = _published_keys(client)
    header, payload, signature = jws.split(".")
    claims = json.loads(_b64(payload))
    claims["level"] = "一级"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(ValueError):
        signing.verify(f"{header}.{forged}.{signature}", keys)
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(ValueError):
        signing.verify(f"{header}.{payload}.{flipped}", keys)
    # signed by a key the platform never published
    with pytest.raises(ValueError):
        signing.verify(jws, {})


def test_an_unknown_number_is_404_with_the_error_body(client):
    response = client.get("/api/v1/certificates/S0000000000000000000000/credential")
    assert response.status_code == 404
    assert set(response.get_json()["error"]) == {"code", "message", "details"}


def test_the_key_is_created_once_and_reused(app, client, certificate_no, tmp_path):
    with app.app_context():
        first = signing.ensure_key()
        assert signing.ensure_key() == first
        key_files = sorted(p.name for p in signing.key_dir().glob("*.pem"))
        assert key_files == [f"{first}.key.pem"]
        assert (signing.key_dir() / key_files[0]).stat().st_mode & 0o077 == 0  # private to its owner
        assert str(signing.key_dir()).startswith(str(tmp_path))  # the instance folder, not the repository
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        assert signing.ensure_key() == first
    assert json.loads(_b64(_jws(client, certificate_no).split(".")[0]))["kid"] == first


def test_rotation_keeps_the_old_public_key_published(app, client, certificate_no):
    old_jws = _jws(client, certificate_no)
    old_kid = json.loads(_b64(old_jws.split(".")[0]))["kid"]
    result = app.test_cli_runner().invoke(args=["signing-key", "rotate"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        new_kid = signing.ensure_key()
        assert new_kid != old_kid
        assert not (signing.key_dir() / f"{old_kid}.key.pem").exists()  # the retired key signs no more
    keys = _published_keys(client)
    assert {old_kid, new_kid} <= set(keys)
    assert signing.verify(old_jws, keys)["number"] == certificate_no
    new_jws = _jws(client, certificate_no)
    assert json.loads(_b64(new_jws.split(".")[0]))["kid"] == new_kid
    assert signing.verify(new_jws, keys)["number"] == certificate_no


def test_the_credential_route_is_public_in_the_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    operation = paths["/certificates/{no}/credential"]["get"]
    assert operation["security"] == []
    assert "404" in operation["responses"]


def test_the_qr_code_carries_the_verification_url_and_the_signature(app, client, certificate_no):
    from app.results.views import qr_text, verify_url

    with app.test_request_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.number == certificate_no))
        text = qr_text(cert)
        url, _, fragment = text.partition("#jws=")
        assert url == verify_url(certificate_no)
    assert signing.verify(fragment, _published_keys(client))["number"] == certificate_no
