"""Signed certificates — offline verification (api-contract v1.2): the platform's Ed25519 keys and
compact JWS (RFC 7515, ``alg: EdDSA`` of RFC 8037) of a certificate's public fields.

The keys live in ``SIGNING_KEY_DIR`` (the instance folder by default, never the repository):
``<kid>.key.pem`` is the signing key (PKCS#8, mode 0600), named in ``active``; a key retired by
:func:`rotate_key` keeps only ``<kid>.pub.pem``, so what it signed still verifies against the JWKS
(``GET /.well-known/jwks.json``) while it signs nothing more. ``kid`` is the key's RFC 7638 thumbprint.
``init-db`` creates the first key; a later run reuses it.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

ACTIVE = "active"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def thumbprint(public: Ed25519PublicKey) -> str:
    """RFC 7638: SHA-256 of the JWK's required members, sorted, without whitespace."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": b64url(_raw(public))}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def public_jwk(public: Ed25519PublicKey) -> dict:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(_raw(public)),
        "kid": thumbprint(public),
        "use": "sig",
        "alg": "EdDSA",
    }


def key_dir() -> Path:
    return Path(current_app.config["SIGNING_KEY_DIR"])


@contextmanager
def _locked(directory: Path):
    """One writer at a time (two servers sharing the instance folder must not make two keys)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_private(directory: Path, key: Ed25519PrivateKey) -> str:
    kid = thumbprint(key.public_key())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(directory / f"{kid}.key.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    staged = directory / f"{ACTIVE}.tmp"
    staged.write_text(kid, encoding="ascii")
    os.replace(staged, directory / ACTIVE)  # the switch is atomic: a reader sees the old kid or the new
    return kid


def _active_kid(directory: Path) -> str | None:
    path = directory / ACTIVE
    if not path.exists():
        return None
    kid = path.read_text(encoding="ascii").strip()
    return kid if (directory / f"{kid}.key.pem").exists() else None


def ensure_key() -> str:
    """The active key's kid, creating the platform's first key if there is none (init-db)."""
    directory = key_dir()
    kid = _active_kid(directory)
    if kid:
        return kid
    with _locked(directory):
        return _active_kid(directory) or _write_private(directory, Ed25519PrivateKey.generate())


def rotate_key() -> str:
    """A new signing key; the old one keeps only its public half, still published."""
    directory = key_dir()
    with _locked(directory):
        old = _active_kid(directory)
        kid = _write_private(directory, Ed25519PrivateKey.generate())
        if old:
            private = _load_private(directory, old)
            public_pem = private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            (directory / f"{old}.pub.pem").write_bytes(public_pem)
            (directory / f"{old}.key.pem").unlink()
    return kid


def _load_private(directory: Path, kid: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key((directory / f"{kid}.key.pem").read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every key the platform has signed with: the active one and the retired ones."""
    ensure_key()
    directory = key_dir()
    keys: dict[str, Ed25519PublicKey] = {}
    for path in sorted(directory.glob("*.pem")):
        if path.name.endswith(".key.pem"):
            public = _load_private(directory, path.name.removesuffix(".key.pem")).public_key()
        else:
            public = serialization.load_pem_public_key(path.read_bytes())
        if isinstance(public, Ed25519PublicKey):
            keys[thumbprint(public)] = public
    return keys


def jwks() -> dict:
    """The JSON Web Key Set of ``GET /.well-known/jwks.json`` (RFC 7517, OKP keys of RFC 8037)."""
    return {"keys": [public_jwk(key) for key in public_keys().values()]}


def sign(payload: dict) -> str:
    """Compact JWS of ``payload`` with the active key: ``header.payload.signature``, base64url."""
    kid = ensure_key()
    header = {"alg": "EdDSA", "kid": kid, "typ": "JWT"}
    signing_input = ".".join(
        b64url(json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        for part in (header, payload)
    )
    signature = _load_private(key_dir(), kid).sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"


def verify(jws: str, keys: dict[str, Ed25519PublicKey]) -> dict:
    """The payload of ``jws`` if a key of ``keys`` (kid → key) signed it; ValueError otherwise. What an
    offline verifier does with the published JWKS."""
    try:
        header_b64, payload_b64, signature_b64 = jws.split(".")
        header = json.loads(b64url_decode(header_b64))
        key = keys[header["kid"]]
        if header.get("alg") != "EdDSA":
            raise ValueError("alg")
        key.verify(b64url_decode(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    except (InvalidSignature, KeyError, ValueError, TypeError) as exc:
        raise ValueError("签名无效") from exc
    return json.loads(b64url_decode(payload_b64))
