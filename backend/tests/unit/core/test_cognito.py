"""CognitoVerifier against tokens signed with local RSA keys, served by a JWKS server on 127.0.0.1."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import importlib.util
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core.cognito import (
    MOTO_KEY_THUMBPRINT,
    CognitoVerifier,
    IdentityProviderUnavailable,
    TokenError,
    UnsafeIdentityConfiguration,
    installed_emulator_key_thumbprints,
    is_emulator_jwks,
    jwk_thumbprint,
    rsa_key_thumbprint,
)

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool"
CLIENT_ID = "dashboard-client"


class JwksServer:
    """Serves a replaceable JWKS document and counts the fetches."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                body = json.dumps(server.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/pool/.well-known/jwks.json"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    def serve(self, *keys: tuple[str, rsa.RSAPrivateKey]) -> None:
        self.document = {"keys": [public_jwk(kid, key) for kid, key in keys]}

    def __enter__(self) -> JwksServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def public_jwk(kid: str, key: rsa.RSAPrivateKey) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return jwk


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "5f1c9a7e-1111-4a2b-8c3d-0123456789ab",
        "client_id": CLIENT_ID,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
        "jti": "0b7d1c2e-2222-4f00-9a8b-abcdefabcdef",
        "username": "operator",
        "cognito:groups": ["admin"],
    }
    payload.update(overrides)
    return {name: value for name, value in payload.items() if value is not None}


def sign(key: rsa.RSAPrivateKey, kid: str, payload: dict[str, Any]) -> str:
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    head = b64url(json.dumps(header).encode())
    body = b64url(json.dumps(payload).encode())
    return f"{head}.{body}.{b64url(signature)}"


@pytest.fixture(scope="module")
def key_a() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def key_b() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks(key_a: rsa.RSAPrivateKey) -> Iterator[JwksServer]:
    with JwksServer() as server:
        server.serve(("kid-a", key_a))
        yield server


def make_verifier(server: JwksServer, **options: Any) -> CognitoVerifier:
    options.setdefault("jwks_cache_ttl_s", 300)
    return CognitoVerifier(server.url, ISSUER, options.pop("client_ids", [CLIENT_ID]), **options)


def expect_error(verifier: CognitoVerifier, token: str, code: str) -> TokenError:
    with pytest.raises(TokenError) as caught:
        verifier.verify(token)
    assert caught.value.code == code
    assert caught.value.detail.endswith(".")
    return caught.value


def test_valid_token_gives_its_claims(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    payload = claims()
    result = make_verifier(jwks).verify(sign(key_a, "kid-a", payload))

    assert result.sub == payload["sub"]
    assert result.username == "operator"
    assert result.email is None
    assert result.groups == ("admin",)
    assert result.client_id == CLIENT_ID
    assert result.jti == payload["jti"]
    assert result.exp == datetime.fromtimestamp(payload["exp"], tz=UTC)
    assert result.raw["scope"] == "aws.cognito.signin.user.admin"


def test_optional_claims_are_read_or_defaulted(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    token = sign(key_a, "kid-a", claims(email="op@example.com", jti=None, **{"cognito:groups": None}))
    result = make_verifier(jwks).verify(token)

    assert result.email == "op@example.com"
    assert result.jti is None
    assert result.groups == ()


def test_keys_are_fetched_once_and_cached(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    verifier = make_verifier(jwks)
    for _ in range(3):
        verifier.verify(sign(key_a, "kid-a", claims()))
    assert jwks.fetches == 1


@pytest.mark.parametrize(
    "token",
    ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30", "eyJhbGciOiJSUzI1NiJ9.!!!.sig"],
)
def test_malformed_token_is_invalid_without_a_key_fetch(jwks: JwksServer, token: str) -> None:
    expect_error(make_verifier(jwks), token, "invalid_token")
    assert jwks.fetches == 0


def test_token_expired_beyond_leeway(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    now = int(time.time())
    token = sign(key_a, "kid-a", claims(iat=now - 3700, exp=now - 120))
    error = expect_error(make_verifier(jwks), token, "token_expired")
    assert "expired" in error.detail


def test_token_expired_within_leeway_is_accepted(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    now = int(time.time())
    token = sign(key_a, "kid-a", claims(iat=now - 3630, exp=now - 30))
    assert make_verifier(jwks).verify(token).username == "operator"


def test_signature_by_another_key_is_invalid(jwks: JwksServer, key_b: rsa.RSAPrivateKey) -> None:
    error = expect_error(make_verifier(jwks), sign(key_b, "kid-a", claims()), "invalid_token")
    assert "signature" in error.detail


def test_tampered_payload_is_invalid(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    head, _, signature = sign(key_a, "kid-a", claims()).split(".")
    forged_body = b64url(json.dumps(claims(username="someone-else")).encode())
    expect_error(make_verifier(jwks), f"{head}.{forged_body}.{signature}", "invalid_token")


def test_unknown_kid_refreshes_the_keys_after_rotation(
    jwks: JwksServer, key_a: rsa.RSAPrivateKey, key_b: rsa.RSAPrivateKey
) -> None:
    verifier = make_verifier(jwks, jwks_refresh_cooldown_s=0)
    verifier.verify(sign(key_a, "kid-a", claims()))
    assert jwks.fetches == 1

    jwks.serve(("kid-a", key_a), ("kid-b", key_b))
    assert verifier.verify(sign(key_b, "kid-b", claims())).username == "operator"
    assert jwks.fetches == 2

    expect_error(verifier, sign(key_b, "kid-nobody-knows", claims()), "invalid_token")
    assert jwks.fetches == 3


def test_unknown_kids_refetch_at_most_once_per_cooldown(jwks: JwksServer, key_b: rsa.RSAPrivateKey) -> None:
    verifier = make_verifier(jwks, jwks_refresh_cooldown_s=60)
    for number in range(5):
        error = expect_error(verifier, sign(key_b, f"invented-{number}", claims()), "invalid_token")
        assert "unknown key" in error.detail
    assert jwks.fetches == 1


def test_alg_none_is_rejected(jwks: JwksServer) -> None:
    token = unsigned_token({"alg": "none", "kid": "kid-a", "typ": "JWT"}, claims())
    error = expect_error(make_verifier(jwks), token, "invalid_token")
    assert "RS256" in error.detail
    assert jwks.fetches == 0


def test_hs256_signed_with_the_public_key_is_rejected(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    public_pem = key_a.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": "kid-a", "typ": "JWT"}
    signing_input = unsigned_token(header, claims()).rsplit(".", 1)[0]
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    expect_error(make_verifier(jwks), f"{signing_input}.{b64url(signature)}", "invalid_token")


def test_wrong_issuer_is_invalid(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    token = sign(key_a, "kid-a", claims(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"))
    error = expect_error(make_verifier(jwks), token, "invalid_token")
    assert "issued" in error.detail


def test_id_token_is_rejected(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    id_claims = claims(token_use="id", aud=CLIENT_ID, email="op@example.com")
    error = expect_error(make_verifier(jwks), sign(key_a, "kid-a", id_claims), "invalid_token")
    assert "access token" in error.detail


def test_unknown_client_id_is_invalid(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    token = sign(key_a, "kid-a", claims(client_id="some-other-app"))
    error = expect_error(make_verifier(jwks), token, "invalid_token")
    assert "app client" in error.detail


def test_empty_client_allow_list_accepts_any_client(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    token = sign(key_a, "kid-a", claims(client_id="some-other-app"))
    assert make_verifier(jwks, client_ids=[]).verify(token).client_id == "some-other-app"


@pytest.mark.parametrize("claim", ["exp", "iss", "sub", "token_use", "client_id", "username"])
def test_missing_required_claim_is_invalid(jwks: JwksServer, key_a: rsa.RSAPrivateKey, claim: str) -> None:
    payload = claims()
    del payload[claim]
    error = expect_error(make_verifier(jwks), sign(key_a, "kid-a", payload), "invalid_token")
    assert claim in error.detail


@pytest.mark.parametrize(
    "overrides",
    [
        {"cognito:groups": "admin"},
        {"cognito:groups": ["admin", 7]},
        {"username": ""},
        {"email": ["op@example.com"]},
        {"client_id": 42},
    ],
)
def test_claims_of_the_wrong_type_are_invalid(
    jwks: JwksServer, key_a: rsa.RSAPrivateKey, overrides: dict[str, Any]
) -> None:
    expect_error(make_verifier(jwks), sign(key_a, "kid-a", claims(**overrides)), "invalid_token")


def test_issued_at_is_the_sign_in_time(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    verifier = make_verifier(jwks)
    now = int(time.time())
    refreshed = sign(key_a, "kid-a", claims(auth_time=now - 7200, iat=now))
    assert verifier.verify(refreshed).issued_at == now - 7200  # a refreshed token keeps its sign-in time
    assert verifier.verify(sign(key_a, "kid-a", claims(auth_time=None, iat=now))).issued_at == now
    fractional = sign(key_a, "kid-a", claims(auth_time=now - 0.5, iat=None))
    assert verifier.verify(fractional).issued_at == now - 1
    assert verifier.verify(sign(key_a, "kid-a", claims(auth_time=None, iat=None))).issued_at is None


@pytest.mark.parametrize("value", ["yesterday", True, [1], {"t": 1}, float("inf")])
def test_an_auth_time_that_is_not_a_number_is_invalid(
    jwks: JwksServer, key_a: rsa.RSAPrivateKey, value: object
) -> None:
    error = expect_error(make_verifier(jwks), sign(key_a, "kid-a", claims(auth_time=value)), "invalid_token")
    assert "auth_time" in error.detail


def test_token_without_kid_is_invalid(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    token = jwt.encode(claims(), key_a, algorithm="RS256")
    expect_error(make_verifier(jwks), token, "invalid_token")
    assert jwks.fetches == 0


def test_jwk_with_another_algorithm_is_refused(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    jwk = public_jwk("kid-a", key_a)
    jwk["alg"] = "RS512"
    jwks.document = {"keys": [jwk]}
    expect_error(make_verifier(jwks), sign(key_a, "kid-a", claims()), "invalid_token")


def test_forbidden_signing_key_is_rejected(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    forbidden = {rsa_key_thumbprint(key_a.public_key())}
    verifier = make_verifier(jwks, forbidden_key_thumbprints=forbidden)
    error = expect_error(verifier, sign(key_a, "kid-a", claims()), "invalid_token")
    assert "untrusted" in error.detail
    with pytest.raises(UnsafeIdentityConfiguration):
        verifier.check_signing_keys()


def test_the_refusal_never_prints_the_jwks_urls_credentials(
    jwks: JwksServer, key_a: rsa.RSAPrivateKey
) -> None:
    forbidden = {rsa_key_thumbprint(key_a.public_key())}
    verifier = CognitoVerifier(
        f"{jwks.url}?sig=hunter22", ISSUER, [CLIENT_ID], forbidden_key_thumbprints=forbidden
    )
    with pytest.raises(UnsafeIdentityConfiguration) as error:
        verifier.check_signing_keys()
    assert jwks.url in str(error.value) and "hunter22" not in str(error.value)


def test_check_signing_keys_accepts_allowed_keys(jwks: JwksServer) -> None:
    make_verifier(jwks, forbidden_key_thumbprints={MOTO_KEY_THUMBPRINT}).check_signing_keys()
    assert jwks.fetches == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_jwks_is_a_provider_fault_not_a_token_error(key_a: rsa.RSAPrivateKey) -> None:
    url = f"http://127.0.0.1:{free_port()}/pool/.well-known/jwks.json"
    verifier = CognitoVerifier(url, ISSUER, [CLIENT_ID], jwks_cache_ttl_s=300, http_timeout_s=1.0)
    with pytest.raises(IdentityProviderUnavailable):
        verifier.verify(sign(key_a, "kid-a", claims()))


def test_jwks_without_usable_keys_is_a_provider_fault(jwks: JwksServer, key_a: rsa.RSAPrivateKey) -> None:
    jwks.document = {"keys": "not a list"}
    with pytest.raises(IdentityProviderUnavailable):
        make_verifier(jwks).verify(sign(key_a, "kid-a", claims()))


def test_rfc7638_thumbprint_example() -> None:
    # The example key of RFC 7638 section 3.1 and its published thumbprint.
    jwk = {
        "kty": "RSA",
        "n": (
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJE"
            "CPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Q"
            "vzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6"
            "WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        ),
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    assert jwk_thumbprint({"kty": "EC", "x": "a", "y": "b"}) is None


def test_thumbprint_of_a_key_object_matches_its_jwk(key_a: rsa.RSAPrivateKey) -> None:
    assert rsa_key_thumbprint(key_a.public_key()) == jwk_thumbprint(public_jwk("kid-a", key_a))


def test_known_emulator_thumbprint_matches_the_installed_moto_key() -> None:
    spec = importlib.util.find_spec("moto")
    assert spec is not None
    assert spec.origin is not None
    bundled = Path(spec.origin).parent / "cognitoidp" / "resources" / "jwks-public.json.gz"
    document = json.loads(gzip.decompress(bundled.read_bytes()))
    thumbprints = {jwk_thumbprint(key) for key in document["keys"]}

    assert installed_emulator_key_thumbprints() == thumbprints
    assert MOTO_KEY_THUMBPRINT in thumbprints
    assert is_emulator_jwks(document)


def test_a_fresh_key_is_not_an_emulator_key(key_a: rsa.RSAPrivateKey) -> None:
    document = {"keys": [public_jwk("kid-a", key_a)]}
    assert not is_emulator_jwks(document)
    assert not is_emulator_jwks({"keys": "nonsense"})


@pytest.mark.parametrize("exp", [10**20, 1e300, float("inf"), 253402300800])
def test_an_exp_past_what_a_datetime_holds_is_invalid_not_a_crash(
    jwks: JwksServer, key_a: rsa.RSAPrivateKey, exp: float
) -> None:
    expect_error(make_verifier(jwks), sign(key_a, "kid-a", claims(exp=exp)), "invalid_token")
