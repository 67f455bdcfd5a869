"""The ``Literal`` types of query parameters and response fields spell the status enums' values exactly.

They stay Literals so the OpenAPI document lists the values inline (the recorded surface does not change);
these tests keep each one equal to its enum in ``app.core.constants``, so neither can drift from the other.
"""

from __future__ import annotations

import inspect
import types
from enum import StrEnum
from typing import Literal, Union, get_args, get_origin, get_type_hints

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.core.constants import (
    BatchStatus,
    BatchType,
    BlockedReason,
    ErrorStage,
    InventoryStatus,
    Role,
    SlotStatus,
    StagingStatus,
    SyncStatus,
)
from app.routes import V1_ROUTERS, health
from app.schemas.auth import MeResponse
from app.schemas.batches import Batch, FailureItem, FailurePageItem
from app.schemas.products import NormalizedProduct, StagingProduct
from app.schemas.sync import SlotEntry, SyncProduct

# (mounted path, parameter) -> the enum its Literal spells.
QUERY_LITERALS: dict[tuple[str, str], type[StrEnum]] = {
    ("/api/v1/batches", "status"): BatchStatus,
    ("/api/v1/batches", "batch_type"): BatchType,
    ("/api/v1/batches/{batch_id}/failures", "stage"): ErrorStage,
    ("/api/v1/products/staging", "status"): StagingStatus,
    ("/api/v1/sync/products", "status"): SyncStatus,
}

# (response model, field) -> the enum its Literal spells in full (fields that allow a subset are left out).
FIELD_LITERALS: dict[tuple[type[BaseModel], str], type[StrEnum]] = {
    (Batch, "status"): BatchStatus,
    (Batch, "batch_type"): BatchType,
    (FailureItem, "stage"): ErrorStage,
    (FailurePageItem, "stage"): ErrorStage,
    (StagingProduct, "status"): StagingStatus,
    (NormalizedProduct, "blocked_reason"): BlockedReason,
    (NormalizedProduct, "inventory_status"): InventoryStatus,
    (SyncProduct, "sync_status"): SyncStatus,
    (SlotEntry, "status"): SlotStatus,
    (MeResponse, "role"): Role,
}


def literal_values(annotation: object) -> set[str] | None:
    """The values of a ``Literal[...]`` annotation, also inside ``X | None``; None for any other type."""
    if get_origin(annotation) is Literal:
        return {str(value) for value in get_args(annotation)}
    if get_origin(annotation) in (Union, types.UnionType):
        for member in get_args(annotation):
            values = literal_values(member)
            if values is not None:
                return values
    return None


def query_literals() -> dict[tuple[str, str], set[str]]:
    """Every Literal-typed parameter of every documented handler, by (mounted path, parameter)."""
    found: dict[tuple[str, str], set[str]] = {}
    mounted = [(health.router, ""), *((router, f"/api/v1{prefix}") for router, prefix in V1_ROUTERS)]
    for router, prefix in mounted:
        for route in router.routes:
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            hints = get_type_hints(route.endpoint)
            for name in inspect.signature(route.endpoint).parameters:
                values = literal_values(hints.get(name))
                if values is not None:
                    found[(f"{prefix}{route.path}", name)] = values
    return found


def test_the_parser_reads_optional_literals_only() -> None:
    assert literal_values(Literal["a", "b"] | None) == {"a", "b"}
    assert literal_values(str | None) is None
    assert literal_values(int) is None


def test_every_literal_query_parameter_is_listed() -> None:
    assert set(query_literals()) == set(QUERY_LITERALS), (
        "a handler gained or lost a Literal parameter: list it here with the enum it spells"
    )


@pytest.mark.parametrize(
    ("key", "enum"), list(QUERY_LITERALS.items()), ids=[f"{path}:{name}" for path, name in QUERY_LITERALS]
)
def test_each_query_literal_equals_its_enum(key: tuple[str, str], enum: type[StrEnum]) -> None:
    assert query_literals()[key] == {member.value for member in enum}


@pytest.mark.parametrize(
    ("key", "enum"),
    list(FIELD_LITERALS.items()),
    ids=[f"{model.__name__}.{name}" for model, name in FIELD_LITERALS],
)
def test_each_response_literal_equals_its_enum(key: tuple[type[BaseModel], str], enum: type[StrEnum]) -> None:
    model, name = key
    assert literal_values(model.model_fields[name].annotation) == {member.value for member in enum}
