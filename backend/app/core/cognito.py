"""Verification of Cognito access tokens (HTTP API §1.2).

``CognitoVerifier`` accepts a token only when it is RS256-signed by a key of the configured JWKS (looked up by
``kid``), its ``iss`` equals the configured issuer, ``token_use`` is ``access``, ``client_id`` is allowed
and ``exp`` has not passed (with a small leeway). ``missing_token`` and ``token_revoked`` are decided by the
caller: this module sees only the token itself.

Production must never trust the local identity emulator (moto), whose signing key ships publicly inside the
moto package. Keys are recognised by their RFC 7638 thumbprint: ``emulator_key_thumbprints()`` reads moto's
bundled JWKS when moto is installed and always includes the thumbprint of the key moto has shipped so far, so
a production install without moto still recognises it. A verifier built with those thumbprints as
``forbidden_key_thumbprints`` rejects every token signed by the emulator.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import importlib.util
import json
import logging
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.exceptions import (
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKSetError,
    PyJWTError,
)

from app.core.addresses import display_url
from app.core.constants.auth import JWKS_CACHE_TTL_S, JWT_ALGORITHMS, JWT_LEEWAY_S, REQUIRED_TOKEN_USE

log = logging.getLogger(__name__)

TokenErrorCode = Literal["invalid_token", "token_expired"]

REQUIRED_CLAIMS: Final[tuple[str, ...]] = ("exp", "iss", "sub", "token_use", "client_id", "username")
"""Claims every Cognito access token carries; a token without one of them is rejected."""

GROUPS_CLAIM: Final = "cognito:groups"

MOTO_KEY_THUMBPRINT: Final = "DThM452l6A6MKX8FOZQarky5V3qqRNx2uSWRZEF_j4A"
"""RFC 7638 thumbprint (a SHA-256 digest, not key material) of the signing key bundled with moto 5's Cognito
emulator. Kept so that a production install, which has no moto package to read, still recognises that key."""

_MOTO_PUBLIC_JWKS: Final = ("cognitoidp", "resources", "jwks-public.json")


class TokenError(Exception):
    """The token is not acceptable; ``code`` is the 401 code of the HTTP contract, ``detail`` one sentence."""

    def __init__(self, code: TokenErrorCode, detail: str) -> None:
        super().__init__(detail)
        self.code: TokenErrorCode = code
        self.detail = detail


class IdentityProviderUnavailable(Exception):
    """The JWKS could not be fetched or is unusable: a fault of the identity provider, not of the token."""


class UnsafeIdentityConfiguration(ValueError):
    """The configured identity provider serves a signing key production must never trust."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """The verified claims of a Cognito access token."""

    sub: str
    username: str
    email: str | None
    groups: tuple[str, ...]
    client_id: str
    jti: str | None
    exp: datetime
    issued_at: int | None
    """When the token's sign-in happened, in epoch seconds: ``auth_time`` (kept by tokens a refresh token
    minted later), else ``iat``; None when the token carries neither."""
    raw: Mapping[str, Any]


class CognitoVerifier:
    """Verifies Cognito access tokens against a JWKS URL and an issuer; thread-safe, keys cached."""

    def __init__(
        self,
        jwks_url: str,
        issuer: str,
        client_ids: Sequence[str] = (),
        *,
        leeway_s: int = JWT_LEEWAY_S,
        jwks_cache_ttl_s: int = JWKS_CACHE_TTL_S,
        http_timeout_s: float = 2.0,
        jwks_refresh_cooldown_s: float = 10.0,
        forbidden_key_thumbprints: Collection[str] = (),
    ) -> None:
        if not issuer:
            raise ValueError("The Cognito issuer must not be empty.")
        if leeway_s < 0:
            raise ValueError("The token leeway must not be negative.")
        if jwks_cache_ttl_s <= 0:
            raise ValueError("The JWKS cache lifetime must be positive.")
        self.jwks_url = jwks_url
        self.issuer = issuer
        self.client_ids = frozenset(client_ids)
        self.leeway_s = leeway_s
        self._forbidden = frozenset(forbidden_key_thumbprints)
        # PyJWKClient caches the key set for `lifespan`, refetches it once on an unknown kid (at most once per
        # cooldown, so tokens with invented kids cannot hammer the provider) and serialises lookups.
        try:
            self._jwks = jwt.PyJWKClient(
                jwks_url,
                cache_jwk_set=True,
                lifespan=jwks_cache_ttl_s,
                timeout=http_timeout_s,
                cooldown_duration=jwks_refresh_cooldown_s,
            )
        except PyJWKClientError as exc:
            raise ValueError("The Cognito JWKS URL must be an http or https URL.") from exc

    def verify(self, token: str) -> AccessClaims:
        """Return the claims of a valid access token; raise ``TokenError`` otherwise."""
        kid = self._read_header(token)
        key = self._signing_key(kid)
        try:
            payload = jwt.decode(
                token,
                key=key,
                algorithms=list(JWT_ALGORITHMS),
                issuer=self.issuer,
                leeway=self.leeway_s,
                # Cognito access tokens carry no `aud`; the app client is checked through `client_id` below.
                options={"require": list(REQUIRED_CLAIMS), "verify_aud": False},
            )
        except ExpiredSignatureError as exc:
            raise TokenError("token_expired", "The access token has expired.") from exc
        except InvalidSignatureError as exc:
            raise TokenError("invalid_token", "The access token signature is not valid.") from exc
        except InvalidIssuerError as exc:
            raise TokenError(
                "invalid_token", "The access token was not issued by the configured identity provider."
            ) from exc
        except MissingRequiredClaimError as exc:
            raise TokenError("invalid_token", f"The access token has no '{exc.claim}' claim.") from exc
        except ImmatureSignatureError as exc:
            raise TokenError("invalid_token", "The access token is not valid yet.") from exc
        except InvalidTokenError as exc:
            raise TokenError("invalid_token", "The access token is malformed.") from exc
        return self._claims(payload)

    def check_signing_keys(self) -> None:
        """Fetch the JWKS now and refuse it when it holds a forbidden (emulator) key (production start-up)."""
        try:
            keys = self._jwks.get_signing_keys()
        except (PyJWTError, ValueError) as exc:
            raise IdentityProviderUnavailable(
                "The identity provider's signing keys could not be fetched."
            ) from exc
        for key in keys:
            if isinstance(key.key, RSAPublicKey) and rsa_key_thumbprint(key.key) in self._forbidden:
                raise UnsafeIdentityConfiguration(
                    f"The JWKS at {display_url(self.jwks_url)} holds the local emulator's signing key, "
                    "which production never trusts."
                )

    def _read_header(self, token: str) -> str:
        if not isinstance(token, str) or not token:
            raise TokenError("invalid_token", "The access token is malformed.")
        try:
            header = jwt.get_unverified_header(token)
        except PyJWTError as exc:
            raise TokenError("invalid_token", "The access token is malformed.") from exc
        # Checked before any key lookup: `none`, HMAC or any other algorithm never reaches the JWKS.
        if header.get("alg") not in JWT_ALGORITHMS:
            raise TokenError("invalid_token", "The access token is not signed with RS256.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("invalid_token", "The access token does not name its signing key.")
        return kid

    def _signing_key(self, kid: str) -> RSAPublicKey:
        # Fetching the set first separates an unreachable or broken provider (not the token's fault) from a
        # kid the provider does not know, which PyJWKClient reports with the same base exception.
        try:
            self._jwks.get_signing_keys()
        except (PyJWTError, ValueError) as exc:
            log.warning("Cognito JWKS unavailable at %s: %s", self.jwks_url, exc)
            raise IdentityProviderUnavailable(
                "The identity provider's signing keys could not be fetched."
            ) from exc
        try:
            jwk = self._jwks.get_signing_key(kid)
        except PyJWKClientConnectionError as exc:
            log.warning("Cognito JWKS refresh failed at %s: %s", self.jwks_url, exc)
            raise IdentityProviderUnavailable(
                "The identity provider's signing keys could not be fetched."
            ) from exc
        except PyJWKClientError as exc:
            raise TokenError("invalid_token", "The access token is signed by an unknown key.") from exc
        except (PyJWKSetError, ValueError) as exc:
            log.warning("Cognito JWKS at %s is unusable: %s", display_url(self.jwks_url), exc)
            raise IdentityProviderUnavailable(
                "The identity provider's signing keys could not be fetched."
            ) from exc
        if jwk.algorithm_name not in JWT_ALGORITHMS or not isinstance(jwk.key, RSAPublicKey):
            raise TokenError("invalid_token", "The access token is signed by a key that is not an RS256 key.")
        if self._forbidden and rsa_key_thumbprint(jwk.key) in self._forbidden:
            log.error("Rejected a token signed by a forbidden key (kid %r) from %s", kid, self.jwks_url)
            raise TokenError("invalid_token", "The access token is signed by an untrusted key.")
        return jwk.key

    def _claims(self, payload: dict[str, Any]) -> AccessClaims:
        if payload.get("token_use") != REQUIRED_TOKEN_USE:
            raise TokenError("invalid_token", "The token is not an access token.")
        client_id = payload["client_id"]
        if not isinstance(client_id, str) or not client_id:
            raise TokenError("invalid_token", "The access token has an invalid 'client_id' claim.")
        if self.client_ids and client_id not in self.client_ids:
            raise TokenError(
                "invalid_token", "The access token was issued to an app client that is not allowed."
            )
        username = payload["username"]
        if not isinstance(username, str) or not username:
            raise TokenError("invalid_token", "The access token has an invalid 'username' claim.")
        sub = payload["sub"]
        if not isinstance(sub, str) or not sub:
            raise TokenError("invalid_token", "The access token has an invalid 'sub' claim.")
        groups = payload.get(GROUPS_CLAIM, [])
        if not isinstance(groups, list) or not all(isinstance(group, str) for group in groups):
            raise TokenError("invalid_token", "The access token has an invalid 'cognito:groups' claim.")
        email = payload.get("email")
        if email is not None and not isinstance(email, str):
            raise TokenError("invalid_token", "The access token has an invalid 'email' claim.")
        jti = payload.get("jti")
        if jti is not None and not isinstance(jti, str):
            raise TokenError("invalid_token", "The access token has an invalid 'jti' claim.")
        issued_at = _epoch_claim(payload, "auth_time")
        if issued_at is None:
            issued_at = _epoch_claim(payload, "iat")
        return AccessClaims(
            sub=sub,
            username=username,
            email=email,
            groups=tuple(groups),
            client_id=client_id,
            jti=jti,
            exp=_expiry(payload),
            issued_at=issued_at,
            raw=MappingProxyType(payload),
        )


def _epoch_claim(payload: Mapping[str, Any], name: str) -> int | None:
    """An optional NumericDate claim as whole epoch seconds; ``TokenError`` when it is not a finite number."""
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TokenError("invalid_token", f"The access token has an invalid '{name}' claim.")
    return math.floor(value)


def _expiry(payload: Mapping[str, Any]) -> datetime:
    """The token's ``exp`` (read as every NumericDate claim is) as a UTC datetime; a value past what a
    datetime holds (year 9999) makes the token invalid, however well signed: it cannot be compared, stored or
    revoked until it expires."""
    exp = _epoch_claim(payload, "exp")
    try:
        if exp is None:
            raise ValueError("no exp")
        return datetime.fromtimestamp(exp, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise TokenError("invalid_token", "The access token has an invalid 'exp' claim.") from exc


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _uint_from_b64url(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def rsa_thumbprint(modulus: int, exponent: int) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key given by its numbers."""
    canonical = json.dumps(
        {"e": _b64url_uint(exponent), "kty": "RSA", "n": _b64url_uint(modulus)},
        separators=(",", ":"),
        sort_keys=True,
    )
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def rsa_key_thumbprint(key: RSAPublicKey) -> str:
    """The RFC 7638 thumbprint of an RSA public key object."""
    numbers = key.public_numbers()
    return rsa_thumbprint(numbers.n, numbers.e)


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str | None:
    """The RFC 7638 thumbprint of an RSA JWK, or None when the entry is not a readable RSA key."""
    n, e = jwk.get("n"), jwk.get("e")
    if jwk.get("kty") != "RSA" or not isinstance(n, str) or not isinstance(e, str):
        return None
    try:
        return rsa_thumbprint(_uint_from_b64url(n), _uint_from_b64url(e))
    except (binascii.Error, ValueError):
        return None


def _jwks_thumbprints(jwks: Mapping[str, Any]) -> set[str]:
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        return set()
    found = (jwk_thumbprint(key) for key in keys if isinstance(key, Mapping))
    return {thumbprint for thumbprint in found if thumbprint is not None}


def _installed_moto_jwks() -> dict[str, Any] | None:
    # Located without importing moto: importing it would load its mocking machinery into the process.
    spec = importlib.util.find_spec("moto")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location).joinpath(*_MOTO_PUBLIC_JWKS)
        compressed = path.with_name(path.name + ".gz")
        try:
            if compressed.is_file():
                loaded = json.loads(gzip.decompress(compressed.read_bytes()))
            elif path.is_file():
                loaded = json.loads(path.read_text(encoding="utf-8"))
            else:
                continue
        except (OSError, ValueError):
            continue
        if isinstance(loaded, dict):
            return loaded
    return None


@cache
def installed_emulator_key_thumbprints() -> frozenset[str]:
    """Thumbprints of the signing keys in the installed moto package's Cognito JWKS (empty without moto)."""
    jwks = _installed_moto_jwks()
    return frozenset(_jwks_thumbprints(jwks)) if jwks else frozenset()


def emulator_key_thumbprints() -> frozenset[str]:
    """Thumbprints of every Cognito emulator signing key this process can recognise."""
    return installed_emulator_key_thumbprints() | {MOTO_KEY_THUMBPRINT}


def is_emulator_jwks(jwks: Mapping[str, Any]) -> bool:
    """True when a JWKS document holds a signing key of the Cognito emulator."""
    return not _jwks_thumbprints(jwks).isdisjoint(emulator_key_thumbprints())
