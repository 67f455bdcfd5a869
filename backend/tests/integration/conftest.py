"""Integration fixtures: a local Cognito emulator of the module's own, and a pool seeded on it.

The session's ``cognito_pool`` serves the API tests; the identity tests reset or reshape their emulator, so
each module that asks for ``server`` gets one of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.local.identity import LocalIdentityServer, LocalPool, ensure_pool
from tests.support.identity import IDENTITY_PASSWORD


@pytest.fixture(scope="module")
def server() -> Iterator[LocalIdentityServer]:
    with LocalIdentityServer() as running:
        yield running


@pytest.fixture
def pool(server: LocalIdentityServer) -> LocalPool:
    return ensure_pool(server.endpoint_url, operator_password=IDENTITY_PASSWORD)
