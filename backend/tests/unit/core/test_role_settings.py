"""The Cognito group of each role is a setting: defaults, trimming, and a blank name refused by name."""

from __future__ import annotations

import pytest

from app.core.config import ConfigError
from app.core.constants.auth import DEFAULT_ROLE_GROUPS, Role
from tests.support.settings import PRODUCTION_ENV, settings_from_env


def test_each_role_has_its_default_group() -> None:
    groups = settings_from_env(PRODUCTION_ENV).cognito.role_groups
    assert groups == {Role.VIEWER: "viewer", Role.OPERATOR: "operator", Role.ADMIN: "admin"}
    assert groups == dict(DEFAULT_ROLE_GROUPS)


def test_group_names_are_read_and_trimmed() -> None:
    env = {**PRODUCTION_ENV, "COGNITO_VIEWER_GROUP": " parts-readers ", "COGNITO_ADMIN_GROUP": "it-admins"}
    groups = settings_from_env(env).cognito.role_groups
    assert groups == {Role.VIEWER: "parts-readers", Role.OPERATOR: "operator", Role.ADMIN: "it-admins"}


@pytest.mark.parametrize("value", ["", "   ", "x" * 129])
def test_an_unusable_group_name_is_refused_by_name(value: str) -> None:
    with pytest.raises(ConfigError) as error:
        settings_from_env({**PRODUCTION_ENV, "COGNITO_OPERATOR_GROUP": value})
    assert "COGNITO_OPERATOR_GROUP" in str(error.value)
