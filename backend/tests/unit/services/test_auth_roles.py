"""Roles from groups: the highest role a token's groups grant, inclusion (admin ⊇ operator ⊇ viewer), and the
refusal that names the groups that would do."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

import pytest
import redis

from app.core.cognito import AccessClaims, CognitoVerifier
from app.core.constants.auth import DEFAULT_ROLE_GROUPS, Role
from app.core.exceptions import PermissionDenied
from app.db.unit_of_work import UnitOfWork
from app.services.auth_service import AuthService
from app.utils.token_denylist import TokenDenyList


def _no_database() -> UnitOfWork:
    raise AssertionError("role decisions never touch the database")


def service(groups: dict[Role, str] | None = None) -> AuthService:
    """An auth service for role decisions only: its verifier, Redis and database are never reached."""
    return AuthService(
        verifier=CognitoVerifier("http://127.0.0.1:9/jwks.json", "https://issuer.test"),
        denylist=TokenDenyList(redis.Redis(host="127.0.0.1", port=9, decode_responses=True)),
        uow_factory=_no_database,
        role_groups=dict(DEFAULT_ROLE_GROUPS) if groups is None else groups,
        cognito_endpoint_url=None,
        cognito_region="us-east-1",
    )


def claims(*groups: str) -> AccessClaims:
    return AccessClaims(
        sub="user-1",
        username="user",
        email=None,
        groups=groups,
        client_id="client",
        jti="jti-1",
        exp=datetime(2030, 1, 1, tzinfo=UTC),
        issued_at=None,
        raw=MappingProxyType({}),
    )


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ((), None),
        (("accounting",), None),
        (("viewer",), Role.VIEWER),
        (("operator",), Role.OPERATOR),
        (("viewer", "admin"), Role.ADMIN),
        (("admin", "operator"), Role.ADMIN),
        (("Admin",), None),  # group names are matched exactly, as Cognito spells them
    ],
)
def test_the_highest_granted_role_counts(groups: tuple[str, ...], role: Role | None) -> None:
    assert service().role_of(claims(*groups)) == role


@pytest.mark.parametrize("granted", list(Role))
@pytest.mark.parametrize("required", list(Role))
def test_a_role_includes_every_role_below_it(granted: Role, required: Role) -> None:
    auth = service()
    caller = claims(DEFAULT_ROLE_GROUPS[granted])
    if granted.rank >= required.rank:
        assert auth.authorize(caller, required) == granted
    else:
        with pytest.raises(PermissionDenied) as refused:
            auth.authorize(caller, required)
        assert refused.value.status_code == 403
        assert refused.value.code == "insufficient_role"


def test_the_refusal_names_each_group_that_would_do_once() -> None:
    shared = service({Role.VIEWER: "staff", Role.OPERATOR: "staff", Role.ADMIN: "it"})
    assert shared.groups_granting(Role.VIEWER) == ["staff", "it"]
    with pytest.raises(PermissionDenied) as refused:
        shared.authorize(claims(), Role.VIEWER)
    assert refused.value.message == (
        "This request needs the viewer role: membership in one of the Cognito groups 'staff' or 'it'."
    )
    with pytest.raises(PermissionDenied) as admin_only:
        shared.authorize(claims("staff"), Role.ADMIN)
    assert (
        admin_only.value.message == "This request needs the admin role: membership in the Cognito group 'it'."
    )


def test_every_role_needs_a_group() -> None:
    with pytest.raises(ValueError, match="admin"):
        service({Role.VIEWER: "viewer", Role.OPERATOR: "operator"})
