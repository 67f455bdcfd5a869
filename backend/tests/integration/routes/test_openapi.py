"""``/openapi.json``: the recorded API surface holds, and every error a route declares has the real body.

``openapi_surface.json`` records, per operation, its parameters, its success statuses and schemas, the error
statuses it declares, and a digest of the full parameter, request-body and success schemas (component
references resolved). A change to any of them is a change of the wire contract: after checking it against
http-api.md, re-record with ``UPDATE_OPENAPI_SURFACE=1 pytest tests/integration/routes/test_openapi.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.schemas.errors import ErrorResponse, ValidationErrorResponse

SURFACE_FILE = Path(__file__).with_name("openapi_surface.json")
ERROR_SCHEMAS = {"ErrorResponse", "ValidationErrorResponse"}


def _resolve(node: Any, schemas: dict[str, Any], seen: frozenset[str] = frozenset()) -> Any:
    """``node`` with each ``#/components/schemas/X`` reference replaced by X's schema."""
    if isinstance(node, list):
        return [_resolve(item, schemas, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[-1]
        return {"$ref": name} if name in seen else _resolve(schemas[name], schemas, seen | {name})
    return {key: _resolve(value, schemas, seen) for key, value in node.items()}


def _schema_name(response: dict[str, Any]) -> str:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array" and "$ref" in schema.get("items", {}):
        return f"{schema['items']['$ref'].rsplit('/', 1)[-1]}[]"
    return json.dumps(schema, sort_keys=True)


def surface(spec: dict[str, Any]) -> dict[str, Any]:
    """The recorded view of ``spec``: one entry per ``"METHOD /path"``."""
    schemas = spec["components"]["schemas"]
    operations: dict[str, Any] = {}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            parameters = sorted(operation.get("parameters", []), key=lambda p: (p["in"], p["name"]))
            success = {s: r for s, r in sorted(operation["responses"].items()) if s.startswith("2")}
            full = {"parameters": parameters, "body": operation.get("requestBody"), "success": success}
            canonical = json.dumps(_resolve(full, schemas), sort_keys=True)
            operations[f"{method.upper()} {path}"] = {
                "parameters": [f"{p['in']}:{p['name']}" for p in parameters],
                "success": {status: _schema_name(response) for status, response in success.items()},
                "errors": sorted(s for s in operation["responses"] if not s.startswith("2")),
                "digest": hashlib.sha256(canonical.encode()).hexdigest()[:16],
            }
    return dict(sorted(operations.items()))


def dump(recorded: dict[str, Any]) -> str:
    """One line per operation, so a diff of the file shows which operations changed."""
    lines = [f"  {json.dumps(op)}: {json.dumps(entry)}" for op, entry in recorded.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


@pytest.fixture
def spec(api: TestClient) -> dict[str, Any]:
    response = api.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def test_the_api_surface_is_the_recorded_one(spec: dict[str, Any]) -> None:
    current = surface(spec)
    if os.environ.get("UPDATE_OPENAPI_SURFACE"):
        SURFACE_FILE.write_text(dump(current))
        pytest.skip("re-recorded openapi_surface.json")
    recorded = json.loads(SURFACE_FILE.read_text())
    assert sorted(current) == sorted(recorded), "an operation appeared or disappeared"
    changed = {op: (recorded[op], current[op]) for op in recorded if current[op] != recorded[op]}
    assert changed == {}


def test_every_declared_error_has_the_apps_error_body(spec: dict[str, Any]) -> None:
    wrong = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                if status.startswith("2") or (path, status) == ("/health", "503"):
                    continue
                expected = "ValidationErrorResponse" if status == "422" else "ErrorResponse"
                if _schema_name(response) != expected:
                    wrong.append((method, path, status, _schema_name(response)))
    assert wrong == []
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert set(spec["components"]["schemas"]) >= ERROR_SCHEMAS


def test_the_batch_route_documents_its_404_and_401(spec: dict[str, Any]) -> None:
    responses = spec["paths"]["/api/v1/batches/{batch_id}"]["get"]["responses"]
    for status in ("401", "404"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
    assert "WWW-Authenticate" in responses["401"]["headers"]
    legacy = spec["paths"]["/api/batches/{batch_id}"]["delete"]["responses"]
    assert set(legacy) >= {"401", "404", "409"}


def test_the_declared_422_body_is_what_the_app_answers(api: TestClient, auth_headers: dict[str, str]) -> None:
    out_of_range = api.get("/api/v1/sync/history?limit=201", headers=auth_headers)
    assert out_of_range.status_code == 422
    body = ValidationErrorResponse.model_validate(out_of_range.json())
    assert body.code == "validation_error"
    assert [error.field for error in body.errors] == ["limit"]
    empty = api.post("/api/v1/search/multi-part", json={"part_numbers": [" "]}, headers=auth_headers)
    assert empty.status_code == 422
    assert ValidationErrorResponse.model_validate(empty.json()).code == "no_part_numbers"


def test_the_declared_404_body_is_what_the_app_answers(api: TestClient, auth_headers: dict[str, str]) -> None:
    response = api.get("/api/v1/sync/products/NO-SUCH-SKU", headers=auth_headers)
    assert response.status_code == 404
    assert ErrorResponse.model_validate(response.json()).code == "sync_product_not_found"
