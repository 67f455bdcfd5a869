"""Who may do what, checked over the app's own route table: every authenticated route declares exactly the
role ``ROUTE_ROLES`` gives it, a caller below that role gets 403 ``insufficient_role`` naming the groups that
would do, and a caller with the role gets through (any answer but 401/403/5xx). A new route fails here until
it declares a role and is listed below; legacy paths inherit the role of their v1 successor.

Tokens are signed with the emulator's key (``tests.support.tokens``) so each carries exactly the groups a case
needs; the logout route is left out of the walk (it would revoke the walking user) and tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.constants.auth import Role
from app.local.identity import LocalPool
from app.routes.deps import ROLE_CHECKS
from app.routes.legacy import LEGACY_ROUTES
from app.schemas.errors import ErrorResponse
from tests.support.processes import Emulator, start_emulator
from tests.support.routes import PUBLIC_API_ROUTES, ApiRoute, api_routes, dependency_calls, sample_url
from tests.support.tokens import access_claims, sign

V1_ROUTE_ROLES: dict[tuple[str, str], Role | None] = {
    # Identity: any valid token, so a user in no group can see why and can log out.
    ("GET", "/api/v1/auth/me"): None,
    ("POST", "/api/v1/auth/logout"): None,
    # Reads.
    ("GET", "/api/v1/batches"): Role.VIEWER,
    ("GET", "/api/v1/batches/"): Role.VIEWER,
    ("GET", "/api/v1/batches/{batch_id}"): Role.VIEWER,
    ("GET", "/api/v1/batches/{batch_id}/failures"): Role.VIEWER,
    ("GET", "/api/v1/products/staging"): Role.VIEWER,
    ("GET", "/api/v1/products/raw-data/{part_number}"): Role.VIEWER,
    ("GET", "/api/v1/products/published"): Role.VIEWER,
    ("GET", "/api/v1/products/published/{product_id}"): Role.VIEWER,
    ("GET", "/api/v1/publishing/check"): Role.VIEWER,
    ("POST", "/api/v1/search/multi-part"): Role.VIEWER,
    ("GET", "/api/v1/sync/dashboard"): Role.VIEWER,
    ("GET", "/api/v1/sync/products"): Role.VIEWER,
    ("GET", "/api/v1/sync/products/{sku}"): Role.VIEWER,
    ("GET", "/api/v1/sync/history"): Role.VIEWER,
    ("GET", "/api/v1/sync/failures"): Role.VIEWER,
    ("GET", "/api/v1/sync/hourly-stats"): Role.VIEWER,
    # Writes: start, cancel, publish, edit, re-activate, trigger. A single Boeing search writes staging rows
    # and spends the scarce Boeing quota, so it is an operator's too.
    ("GET", "/api/v1/extraction/search"): Role.OPERATOR,
    ("POST", "/api/v1/extraction/bulk"): Role.OPERATOR,
    ("POST", "/api/v1/publishing/publish"): Role.OPERATOR,
    ("POST", "/api/v1/publishing/bulk"): Role.OPERATOR,
    ("PUT", "/api/v1/publishing/products/{product_id}"): Role.OPERATOR,
    ("DELETE", "/api/v1/batches/{batch_id}"): Role.OPERATOR,
    ("POST", "/api/v1/sync/products/{sku}/reactivate"): Role.OPERATOR,
    ("POST", "/api/v1/sync/trigger/{sku}"): Role.OPERATOR,
    # Store-wide setup.
    ("POST", "/api/v1/publishing/metafields/setup"): Role.ADMIN,
}
"""The role each v1 route needs (None: a valid token is enough)."""

ROUTE_ROLES: dict[tuple[str, str], Role | None] = {
    **V1_ROUTE_ROLES,
    **{(method, legacy): V1_ROUTE_ROLES[(method, successor)] for method, legacy, successor in LEGACY_ROUTES},
}

NOT_WALKED = {("POST", "/api/v1/auth/logout"), ("POST", "/api/auth/logout")}
"""Revokes every token of the walking user; covered by the logout tests."""

CALLERS: dict[str, tuple[list[str], Role | None]] = {
    "no group": ([], None),
    "an unrelated group": (["accounting"], None),
    "viewer": (["viewer"], Role.VIEWER),
    "operator": (["operator"], Role.OPERATOR),
    "admin": (["admin"], Role.ADMIN),
    "viewer and admin": (["viewer", "admin"], Role.ADMIN),
}
"""A caller's groups and the role they grant under the default group names."""

ROLE_BY_CHECK = {check: role for role, check in ROLE_CHECKS.items()}


@pytest.fixture(scope="module")
def shopify_emulator() -> Iterator[Emulator]:
    running = start_emulator("shopify", [])
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _upstreams(shopify_emulator: Emulator, env: dict[str, str]) -> None:
    """The metafield setup really runs (against the emulator); nothing reaches a real upstream."""
    httpx.post(f"{shopify_emulator.url}/_emulator/reset", json={}).raise_for_status()
    env["SHOPIFY_GRAPHQL_URL"] = f"{shopify_emulator.url}/admin/api/2026-04/graphql.json"
    env["BOEING_BASE_URL"] = "http://127.0.0.1:9"


def _routes(api: TestClient) -> list[ApiRoute]:
    assert isinstance(api.app, FastAPI)  # the client serves the app itself, unwrapped
    return [entry for entry in api_routes(api.app) if (entry.method, entry.path) not in PUBLIC_API_ROUTES]


def _declared_roles(entry: ApiRoute) -> list[Role]:
    return [ROLE_BY_CHECK[call] for call in dependency_calls(entry.route.dependant) if call in ROLE_BY_CHECK]


def _bearer(pool: LocalPool, groups: list[str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {sign(access_claims(pool, **{'cognito:groups': groups}))}"}


def _includes(granted: Role | None, required: Role | None) -> bool:
    return required is None or (granted is not None and granted.rank >= required.rank)


def test_every_authenticated_route_is_in_the_role_table(api: TestClient) -> None:
    assert {(entry.method, entry.path) for entry in _routes(api)} == set(ROUTE_ROLES)


def test_every_route_declares_exactly_its_role(api: TestClient) -> None:
    wrong = {}
    for entry in _routes(api):
        declared = _declared_roles(entry)
        expected = ROUTE_ROLES[(entry.method, entry.path)]
        if declared != ([] if expected is None else [expected]):
            wrong[(entry.method, entry.path)] = declared
    assert wrong == {}


@pytest.mark.parametrize("caller", list(CALLERS))
def test_each_caller_reaches_exactly_the_routes_its_role_includes(
    api: TestClient, cognito_pool: LocalPool, caller: str
) -> None:
    groups, granted = CALLERS[caller]
    headers = _bearer(cognito_pool, groups)
    refused, let_through, wrong_refusals = [], [], []
    for entry in _routes(api):
        key = (entry.method, entry.path)
        if key in NOT_WALKED:
            continue
        required = ROUTE_ROLES[key]
        response = api.request(entry.method, sample_url(entry.path), headers=headers)
        if _includes(granted, required):
            if response.status_code in (401, 403) or response.status_code >= 500:
                refused.append((*key, response.status_code, response.text[:200]))
        elif response.status_code != 403:
            let_through.append((*key, response.status_code))
        elif ErrorResponse.model_validate(response.json()).code != "insufficient_role":
            wrong_refusals.append((*key, response.json()))
    assert refused == []
    assert let_through == []
    assert wrong_refusals == []


@pytest.mark.parametrize(
    ("required", "groups"),
    [
        (Role.VIEWER, "'viewer', 'operator' or 'admin'"),
        (Role.OPERATOR, "'operator' or 'admin'"),
        (Role.ADMIN, "group 'admin'"),
    ],
)
def test_the_refusal_names_the_groups_that_would_do(
    api: TestClient, cognito_pool: LocalPool, required: Role, groups: str
) -> None:
    path = {
        Role.VIEWER: ("GET", "/api/v1/sync/dashboard"),
        Role.OPERATOR: ("DELETE", "/api/v1/batches/00000000-0000-0000-0000-000000000000"),
        Role.ADMIN: ("POST", "/api/v1/publishing/metafields/setup"),
    }[required]
    response = api.request(*path, headers=_bearer(cognito_pool, ["accounting"]))
    assert response.status_code == 403
    body = ErrorResponse.model_validate(response.json())
    assert body.code == "insufficient_role"
    assert f"needs the {required} role" in body.detail
    assert groups in body.detail
    assert "www-authenticate" not in response.headers  # a 403 asks for another role, not another token


def test_identity_routes_serve_a_user_in_no_group(api: TestClient, cognito_pool: LocalPool) -> None:
    headers = _bearer(cognito_pool, [])
    me = api.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["groups"] == []
    assert me.json()["role"] is None
    assert api.post("/api/v1/auth/logout", headers=headers).status_code == 200


def test_me_reports_the_highest_role(api: TestClient, cognito_pool: LocalPool) -> None:
    for groups, role in CALLERS.values():
        body = api.get("/api/v1/auth/me", headers=_bearer(cognito_pool, groups)).json()
        assert body["role"] == (None if role is None else role.value), groups


@pytest.fixture
def renamed_groups(env: dict[str, str]) -> None:
    env.update(COGNITO_VIEWER_GROUP="parts-readers", COGNITO_OPERATOR_GROUP="parts-ops")


def test_group_names_are_settings(renamed_groups: None, api: TestClient, cognito_pool: LocalPool) -> None:
    cancel = "/api/v1/batches/00000000-0000-0000-0000-000000000000"
    refused = api.delete(cancel, headers=_bearer(cognito_pool, ["operator"]))
    assert refused.status_code == 403
    assert "'parts-ops' or 'admin'" in refused.json()["detail"]
    allowed = api.delete(cancel, headers=_bearer(cognito_pool, ["parts-ops"]))
    assert (allowed.status_code, allowed.json()["code"]) == (404, "batch_not_found")
    read = api.get("/api/v1/sync/dashboard", headers=_bearer(cognito_pool, ["parts-readers"]))
    assert read.status_code == 200


def test_openapi_documents_the_403_of_every_role_checked_route(api: TestClient) -> None:
    spec: dict[str, Any] = api.get("/openapi.json").json()
    documented = {
        (method.upper(), path): "403" in operation["responses"]
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    }
    expected = {key: role is not None for key, role in ROUTE_ROLES.items() if key[1] != "/api/v1/batches/"}
    assert {key: documented[key] for key in expected} == expected
    schema = spec["paths"]["/api/v1/batches/{batch_id}"]["delete"]["responses"]["403"]["content"]
    assert schema["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}


def test_role_checks_are_one_dependency_per_role() -> None:
    checks: list[Callable[..., Any]] = list(ROLE_CHECKS.values())
    assert len(set(checks)) == len(Role)
    assert [check.__name__ for check in checks] == ["require_viewer", "require_operator", "require_admin"]
