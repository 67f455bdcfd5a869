"""No 5xx for any input: each class of input that once reached PostgreSQL or the driver answers a 4xx naming
the field, and the one 500 left (a bug) carries the request id in its header and its log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from app.container import Container

NUL = "\x00"
BEYOND_BIGINT = str(2**63)


def problem(response: httpx.Response) -> tuple[int, list[str]]:
    """The status and the fields a 4xx names."""
    return response.status_code, [error["field"] for error in response.json().get("errors", [])]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/batches",
        "/api/v1/products/staging",
        "/api/v1/products/published",
        "/api/v1/sync/products",
        "/api/v1/sync/history",
        "/api/v1/sync/failures",
        "/api/batches",
    ],
)
@pytest.mark.parametrize("parameter", ["offset", "limit"])
def test_a_page_window_beyond_bigint_is_422(
    api: TestClient, auth_headers: dict[str, str], path: str, parameter: str
) -> None:
    response = api.get(path, params={parameter: BEYOND_BIGINT}, headers=auth_headers)
    assert problem(response) == (422, [parameter])


def test_the_largest_offset_is_an_empty_page(api: TestClient, auth_headers: dict[str, str]) -> None:
    response = api.get("/api/v1/products/staging", params={"offset": 2**31 - 1}, headers=auth_headers)
    assert response.status_code == 200
    assert response.json()["products"] == []


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/products/staging", {"search": f"AN3{NUL}"}, "search"),
        ("/api/v1/products/staging", {"batch_id": NUL}, "batch_id"),
        ("/api/v1/products/published", {"search": NUL}, "search"),
        ("/api/v1/sync/products", {"search": f"x{NUL}y"}, "search"),
        ("/api/v1/batches", {"created_by": f"sub{NUL}"}, "created_by"),
        ("/api/v1/publishing/check", {"sku": f"A{NUL}B"}, "sku"),
        ("/api/v1/extraction/search", {"query": f"A{NUL}B"}, "query"),
    ],
)
def test_a_nul_byte_in_a_query_is_422(
    api: TestClient, auth_headers: dict[str, str], path: str, params: dict[str, str], field: str
) -> None:
    assert problem(api.get(path, params=params, headers=auth_headers)) == (422, [field])


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("GET", "/api/v1/sync/products/A%00B", "sku"),
        ("POST", "/api/v1/sync/trigger/A%00B", "sku"),
        ("POST", "/api/v1/sync/products/A%00B/reactivate", "sku"),
        ("GET", "/api/sync/product/A%00B", "sku"),
        ("GET", "/api/v1/batches/%00", "batch_id"),
        ("DELETE", "/api/v1/batches/%00", "batch_id"),
        ("GET", "/api/v1/batches/%00/failures", "batch_id"),
        ("GET", "/api/v1/products/published/%00", "product_id"),
        ("GET", "/api/v1/products/raw-data/A%00B", "part_number"),
    ],
)
def test_a_nul_byte_in_a_path_parameter_is_422(
    api: TestClient, auth_headers: dict[str, str], method: str, path: str, field: str
) -> None:
    assert problem(api.request(method, path, headers=auth_headers)) == (422, [field])


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/extraction/bulk",
            '{"part_numbers": ["AN3-12A"], "idempotency_key": "k\\u0000"}',
            "idempotency_key",
        ),
        ("/api/v1/publishing/publish", '{"part_number": "AN3-12A", "batch_id": "\\u0000"}', "batch_id"),
        ("/api/v1/publishing/bulk", '{"batch_id": "b\\u0000"}', "batch_id"),
        ("/api/v1/extraction/bulk", '{"part_numbers": ["AN3\\ud800"]}', "part_numbers[0]"),
        ("/api/v1/extraction/bulk", '{"part_numbers_text": "AN3 \\udc00X"}', "part_numbers_text"),
        (
            "/api/v1/extraction/bulk",
            '{"part_numbers": ["A"], "idempotency_key": "\\ud800"}',
            "idempotency_key",
        ),
        ("/api/v1/search/multi-part", '{"part_numbers": ["OK", "\\udfff"]}', "part_numbers[1]"),
        ("/api/v1/search/multi-part", '{"part_numbers_text": "\\ud83d"}', "part_numbers_text"),
        ("/api/v1/publishing/bulk", '{"part_numbers": ["\\ud800A"]}', "part_numbers[0]"),
        ("/api/v1/publishing/bulk", '{"part_numbers_text": "A,\\udbff"}', "part_numbers_text"),
    ],
)
def test_a_nul_byte_or_a_lone_surrogate_in_a_body_field_is_422(
    api: TestClient, auth_headers: dict[str, str], path: str, body: str, field: str
) -> None:
    headers = {**auth_headers, "Content-Type": "application/json"}
    assert problem(api.post(path, content=body.encode(), headers=headers)) == (422, [field])


def product_edit(**fields: object) -> str:
    values = {"sku": '"WF338109=K3"', "title": '"WF338109"', **{k: str(v) for k, v in fields.items()}}
    return "{" + ", ".join(f'"{name}": {value}' for name, value in values.items()) + "}"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (product_edit(price="1e15"), "price"),
        (product_edit(price="10000000000.00"), "price"),
        (product_edit(cost_per_item="9999999999.995"), "cost_per_item"),
        (product_edit(list_price="1e400"), "list_price"),
        (product_edit(net_price="-0.01"), "net_price"),
        (product_edit(price='"28.05"'), "price"),
        (product_edit(weight="1e20"), "weight"),
        (product_edit(inventory_quantity=2**31), "inventory_quantity"),
        (product_edit(title='"\\ud800"'), "title"),
        (product_edit(body_html='"<p>\\u0000</p>"'), "body_html"),
        (product_edit(price="9" * 5000), "body"),
    ],
    ids=[
        "price-1e15",
        "price-over-numeric-12-2",
        "cost-rounding-over",
        "list-price-infinite",
        "net-price-negative",
        "price-as-text",
        "weight-over-numeric-14-4",
        "quantity-over-integer",
        "title-lone-surrogate",
        "html-nul",
        "price-5000-digits",
    ],
)
def test_a_product_edit_out_of_the_columns_range_is_422(
    api: TestClient, auth_headers: dict[str, str], body: str, field: str
) -> None:
    response = api.put(
        "/api/v1/publishing/products/123",
        content=body.encode(),
        headers={**auth_headers, "Content-Type": "application/json"},
    )
    assert problem(response) == (422, [field])


def test_a_chunked_body_over_the_limit_is_413_not_400(api: TestClient, auth_headers: dict[str, str]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"part_numbers_text": "'
        for _ in range(5):
            yield b"A " * (512 * 1024)
        yield b'"}'

    response = api.post(
        "/api/v1/extraction/bulk",
        content=chunks(),
        headers={**auth_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "4 MiB" in response.json()["detail"]


def test_a_body_that_is_not_utf8_is_the_invalid_json_422(
    api: TestClient, auth_headers: dict[str, str]
) -> None:
    response = api.post(
        "/api/v1/extraction/bulk",
        content=b'{"part_numbers": ["\xff\xfe"]}',
        headers={**auth_headers, "Content-Type": "application/json"},
    )
    assert problem(response) == (422, ["body"])


def test_a_405_lists_every_method_of_the_path(api: TestClient, auth_headers: dict[str, str]) -> None:
    response = api.put("/api/v1/batches/some-id", headers=auth_headers)
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET"


def test_an_unexpected_failure_is_a_500_with_the_request_id_and_a_log_line_naming_the_request(
    api: TestClient,
    container: Container,
    auth_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(container.sync_dashboard_service, "dashboard", broken)
    with caplog.at_level(logging.ERROR):
        response = api.get("/api/v1/sync/dashboard", headers={**auth_headers, "X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.json() == {"detail": "An internal error occurred.", "code": "internal_error"}
    assert response.headers["x-request-id"] == "req-500"
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == "GET /api/v1/sync/dashboard failed with an unexpected error"
    assert getattr(record, "request_id", None) == "req-500"
    assert record.exc_info is not None


def test_an_app_error_500_names_the_request_in_its_log_line(
    api: TestClient,
    container: Container,
    auth_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from app.core.exceptions import DatabaseError

    def failing() -> None:
        raise DatabaseError("Could not read the dashboard because of a database error.")

    monkeypatch.setattr(container.sync_dashboard_service, "dashboard", failing)
    with caplog.at_level(logging.ERROR):
        response = api.get("/api/v1/sync/dashboard", headers={**auth_headers, "X-Request-ID": "req-db"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-db"
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage().startswith("GET /api/v1/sync/dashboard failed: ")
    assert getattr(record, "request_id", None) == "req-db"
