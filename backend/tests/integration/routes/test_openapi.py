"""``/openapi.json``: the recorded API surface holds, every error a route declares has the real body, and
every input is one of the constrained kinds of ``core/inputs.py`` (walked on the routes and on the document).

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
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app.core.inputs import InputKind
from app.routes import V1_ROUTERS, health
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


# --- every input is one of the constrained kinds ------------------------------------------------------------
def _kind_problems(annotation: Any, metadata: list[Any], at: str, seen: set[type]) -> list[str]:
    """Where ``annotation`` (with ``metadata``) takes a string, number or flag not of an ``InputKind``."""
    if any(isinstance(item, InputKind) for item in metadata):
        return []
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return _kind_problems(base, [*metadata, *extra], at, seen)
    if origin in (Union, UnionType):
        return [problem for arg in get_args(annotation) for problem in _kind_problems(arg, [], at, seen)]
    if origin is Literal or annotation is type(None):
        return []
    if origin in (list, tuple, set, frozenset):
        return [p for arg in get_args(annotation) for p in _kind_problems(arg, [], f"{at}[]", seen)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return []
        seen.add(annotation)
        return [
            problem
            for name, field in annotation.model_fields.items()
            for problem in _kind_problems(field.annotation, field.metadata, f"{at}.{name}", seen)
        ]
    return [f"{at}: {annotation!r}"]


def _dependant_problems(dependant: Dependant, route: str) -> list[str]:
    problems: list[str] = []
    for field in [*dependant.path_params, *dependant.query_params, *dependant.body_params]:
        info = field.field_info
        problems += _kind_problems(info.annotation, list(info.metadata), f"{route} {field.name}", set())
    for sub in dependant.dependencies:
        problems += _dependant_problems(sub, route)
    return problems


def test_every_route_parameter_and_body_field_is_a_constrained_input_kind() -> None:
    routers = [health.router, *(router for router, _ in V1_ROUTERS)]
    routes = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]
    assert len(routes) > 20
    problems = [problem for route in routes for problem in _dependant_problems(route.dependant, route.path)]
    assert problems == []


def _unconstrained(schema: dict[str, Any], at: str, schemas: dict[str, Any]) -> list[str]:
    """Where a request schema admits any string (no pattern or enum) or an unbounded number."""
    if "$ref" in schema:
        return _unconstrained(schemas[schema["$ref"].rsplit("/", 1)[-1]], at, schemas)
    found = [p for option in schema.get("anyOf", []) for p in _unconstrained(option, at, schemas)]
    kind = schema.get("type")
    if kind == "object":
        for name, field in schema.get("properties", {}).items():
            found += _unconstrained(field, f"{at}.{name}", schemas)
    elif kind == "array":
        found += _unconstrained(schema["items"], f"{at}[]", schemas)
    elif kind == "string" and not {"pattern", "enum", "const"} & set(schema):
        found.append(f"{at}: any string")
    elif kind in ("integer", "number") and not {"minimum", "maximum"} <= set(schema):
        found.append(f"{at}: unbounded {kind}")
    return found


def test_every_documented_input_is_constrained(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    found: list[str] = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                found += _unconstrained(parameter["schema"], f"{where} {parameter['name']}", schemas)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if body:
                found += _unconstrained(body["schema"], f"{where} body", schemas)
    assert found == []
