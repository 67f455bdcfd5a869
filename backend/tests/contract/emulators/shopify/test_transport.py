"""§4.1 transport: versions, token, headers, malformed bodies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.emulators.shopify.conftest import Emu

UNAUTHORIZED = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def test_missing_token_is_401_with_shopify_body(emu: Emu) -> None:
    response = emu.post("{ shop { name } }", token=None)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_wrong_token_is_401(emu: Emu) -> None:
    response = emu.post("{ shop { name } }", token="shpat_wrong")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_second_configured_token_is_accepted(emu: Emu) -> None:
    data = emu.data("{ shop { name myshopifyDomain currencyCode } }", token=emu.other_token)
    assert data["shop"] == {
        "name": "Emulator Shop",
        "myshopifyDomain": "emulator.myshopify.com",
        "currencyCode": "USD",
    }


@pytest.mark.parametrize("version", ["2024-10", "2025-07", "unstable", "latest"])
def test_unknown_version_is_404(emu: Emu, version: str) -> None:
    response = emu.post("{ shop { name } }", version=version)
    assert response.status_code == 404
    assert response.json() == {"errors": "Not Found"}
    assert "X-Shopify-API-Version" not in response.headers


@pytest.mark.parametrize("version", ["2025-10", "2026-01", "2026-04"])
def test_served_versions_echo_the_version_header(emu: Emu, version: str) -> None:
    response = emu.post("{ shop { name } }", version=version)
    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == version
    assert response.headers["content-type"].startswith("application/json")


def test_non_json_body_is_400(emu: Emu) -> None:
    response = emu.http.post(
        "/admin/api/2026-04/graphql.json",
        content=b"query { shop { name } }",
        headers={"X-Shopify-Access-Token": emu.token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("body", [{}, {"query": ""}, {"query": 5}, {"variables": {}}, [1, 2]])
def test_missing_query_is_400(emu: Emu, body: Any) -> None:
    response = emu.http.post(
        "/admin/api/2026-04/graphql.json", json=body, headers={"X-Shopify-Access-Token": emu.token}
    )
    assert response.status_code == 400
    assert "errors" in response.json()


def test_variables_may_be_a_json_string(emu: Emu) -> None:
    body = {
        "query": "query Q($first: Int!) { locations(first: $first) { nodes { id } } }",
        "variables": '{"first": 2}',
    }
    response = emu.http.post(
        "/admin/api/2026-04/graphql.json", json=body, headers={"X-Shopify-Access-Token": emu.token}
    )
    assert response.status_code == 200
    assert len(response.json()["data"]["locations"]["nodes"]) == 2


def test_operation_name_selects_the_operation(emu: Emu) -> None:
    query = "query A { shop { name } } query B { locations(first: 1) { nodes { id } } }"
    body = emu.gql(query, operationName="B")
    assert list(body["data"]) == ["locations"]
    missing = emu.gql(query)
    assert missing["errors"][0]["message"] == "An operation name is required"
    unknown = emu.gql(query, operationName="C")
    assert unknown["errors"][0]["message"] == 'No operation named "C"'


def test_every_executed_response_carries_cost(emu: Emu) -> None:
    body = emu.gql("{ shop { name } }")
    cost = body["extensions"]["cost"]
    assert set(cost) == {"requestedQueryCost", "actualQueryCost", "throttleStatus"}
    assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}
