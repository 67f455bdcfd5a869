"""Forge Cognito-shaped tokens for auth tests: with the emulator's own key (to vary one claim at a time) or
with a key of our own (a signature the JWKS does not vouch for)."""

from __future__ import annotations

import gzip
import json
import time
from importlib import resources
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from app.local.identity import LocalPool


def emulator_private_key() -> rsa.RSAPrivateKey:
    data = resources.files("moto").joinpath("cognitoidp", "resources", "jwks-private.json.gz").read_bytes()
    jwk = json.loads(gzip.decompress(data))
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
    assert isinstance(key, rsa.RSAPrivateKey)  # the file holds the private half
    return key


def access_claims(pool: LocalPool, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": "11111111-2222-3333-4444-555555555555",
        "iss": pool.issuer,
        "client_id": pool.client_id,
        "token_use": "access",
        "username": "operator",
        "cognito:groups": ["admin"],
        "iat": now,
        "exp": now + 3600,
        "jti": f"jti-{now}-{id(overrides)}",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(
    claims: dict[str, Any],
    *,
    key: rsa.RSAPrivateKey | str | None = None,
    kid: str = "dummy",
    alg: str = "RS256",
) -> str:
    key = key if key is not None else emulator_private_key()
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def foreign_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)
