"""metafieldsSet (atomic upsert, at most 25) and metafieldDefinitionCreate."""

from __future__ import annotations

import hashlib
from typing import Any

from graphql import GraphQLResolveInfo

from ..metafield_types import (
    METAFIELD_TYPES,
    UNIQUE_VALUE_TYPES,
    check_validation_rules,
    valid_key,
    valid_namespace,
)
from ..models import Metafield, MetafieldDefinition, parse_gid
from ..store import Store
from .common import (
    APP_NAMESPACE,
    CheckedMetafield,
    MetafieldProblem,
    RequestContext,
    check_metafield,
    user_error,
)

MAX_METAFIELDS_PER_CALL = 25
_OWNER_TYPES = {"Product": "PRODUCT", "ProductVariant": "PRODUCTVARIANT"}
_OWNER_LABELS = {"PRODUCT": "Product", "PRODUCTVARIANT": "Product variant"}
_STALE = "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value."


def compare_digest(mf: Metafield) -> str:
    """Metafield.compareDigest: changes whenever the value or type changes."""
    return hashlib.sha256(f"{mf.type}\x00{mf.value}".encode()).hexdigest()


def _problem_code(problem: MetafieldProblem) -> str:
    if problem.kind in ("key", "namespace"):
        if "too short" in problem.message:
            return "TOO_SHORT"
        if "too long" in problem.message:
            return "TOO_LONG"
        return "INVALID"
    return {"blank": "BLANK", "type": "INVALID_TYPE", "value": "INVALID_VALUE", "taken": "TAKEN"}[
        problem.kind
    ]


def _owner(store: Store, owner_id: str) -> tuple[str, int] | None:
    for kind in _OWNER_TYPES:
        num = parse_gid(owner_id, kind)
        if num is not None:
            table = store.products if kind == "Product" else store.variants
            return (kind, num) if num in table else None
    return None


def resolve_metafields_set(
    _root: Any, info: GraphQLResolveInfo[RequestContext], metafields: list[dict[str, Any]]
) -> dict[str, Any]:
    """Upsert metafields by (owner, namespace, key); nothing is written when any entry fails."""
    store: Store = info.context.store
    if len(metafields) > MAX_METAFIELDS_PER_CALL:
        msg = f"Exceeded the maximum metafields input limit of {MAX_METAFIELDS_PER_CALL}."
        error = user_error(["metafields"], msg, "LESS_THAN_OR_EQUAL_TO", elementIndex=None)
        return {"metafields": None, "userErrors": [error]}
    errors: list[dict[str, Any]] = []
    accepted: list[tuple[tuple[str, int], CheckedMetafield]] = []
    for i, data in enumerate(metafields):
        owner = _owner(store, data["ownerId"])
        if owner is None:
            errors.append(
                user_error(["metafields", i, "ownerId"], "Owner does not exist.", "INVALID", elementIndex=i)
            )
            continue
        result = check_metafield(store, _OWNER_TYPES[owner[0]], owner[1], data)
        if isinstance(result, MetafieldProblem):
            path = ["metafields", i, result.field]
            errors.append(user_error(path, result.message, _problem_code(result), elementIndex=i))
            continue
        if "compareDigest" in data:
            existing = store.metafields_of(*owner).get((result.namespace, result.key))
            wanted = data["compareDigest"]
            stale = (
                existing is not None
                if wanted is None
                else existing is None or compare_digest(existing) != wanted
            )
            if stale:
                errors.append(
                    user_error(["metafields", i, "compareDigest"], _STALE, "STALE_OBJECT", elementIndex=i)
                )
                continue
        accepted.append((owner, result))
    if errors:
        return {"metafields": None, "userErrors": errors}
    written = [
        store.set_metafield(kind, num, mf.namespace, mf.key, mf.type, mf.value)
        for (kind, num), mf in accepted
    ]
    return {"metafields": written, "userErrors": []}


def _definition_problems(store: Store, d: dict[str, Any]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []

    def fail(field: str, message: str, code: str) -> None:
        errors.append(user_error(["definition", field], message, code, elementIndex=None))

    if not (d.get("name") or "").strip():
        fail("name", "Name can't be blank", "BLANK")
    namespace = d.get("namespace") or APP_NAMESPACE
    for field, value, check in (("namespace", namespace, valid_namespace), ("key", d["key"], valid_key)):
        if field == "namespace" and value == APP_NAMESPACE:
            continue
        problem = check(value)
        if problem:
            code = (
                "TOO_SHORT"
                if "too short" in problem
                else "TOO_LONG"
                if "too long" in problem
                else "INVALID_CHARACTER"
            )
            fail(field, problem, code)
    if namespace.lower() in ("shopify", "shopify_standard"):
        fail("namespace", "Namespace is reserved.", "RESERVED_NAMESPACE_KEY")
    if d["type"] not in METAFIELD_TYPES:
        fail("type", f"Type name '{d['type']}' is not included in the list of supported types.", "INCLUSION")
    else:
        rules = d.get("validations") or []
        problem = check_validation_rules(d["type"], rules)
        if problem:
            fail("validations", problem, "INVALID_OPTION")
        unique = ((d.get("capabilities") or {}).get("uniqueValues") or {}).get("enabled")
        if unique and d["type"] not in UNIQUE_VALUE_TYPES:
            fail(
                "capabilities",
                "The uniqueValues capability is not supported for this type.",
                "INVALID_CAPABILITY",
            )
    owner = d["ownerType"]
    if not errors and store.definition(owner, namespace, d["key"]) is not None:
        msg = f"Key is in use for {_OWNER_LABELS[owner]} metafields on the '{namespace}' namespace."
        fail("key", msg, "TAKEN")
    return errors


def add_definition(store: Store, d: dict[str, Any]) -> MetafieldDefinition:
    """Create (or replace) a definition from MetafieldDefinitionInput-shaped data."""
    capabilities = d.get("capabilities") or {}

    def enabled(name: str) -> bool:
        return bool((capabilities.get(name) or {}).get("enabled"))

    namespace = d.get("namespace") or APP_NAMESPACE
    previous = store.definition(d["ownerType"], namespace, d["key"])
    pinned = sum(1 for x in store.definitions.values() if x.pinned_position is not None)
    definition = MetafieldDefinition(
        num=previous.num if previous else store.next_num("MetafieldDefinition"),
        name=d["name"],
        namespace=namespace,
        key=d["key"],
        type=d["type"],
        owner_type=d["ownerType"],
        unique_values=enabled("uniqueValues"),
        admin_filterable=enabled("adminFilterable"),
        smart_collection_condition=enabled("smartCollectionCondition"),
        validations=[{"name": v["name"], "value": v["value"]} for v in d.get("validations") or []],
        description=d.get("description"),
        pinned_position=pinned + 1 if d.get("pin") else None,
    )
    store.definitions[(definition.owner_type, namespace, definition.key)] = definition
    return definition


def resolve_metafield_definition_create(
    _root: Any, info: GraphQLResolveInfo[RequestContext], definition: dict[str, Any]
) -> dict[str, Any]:
    """Create one metafield definition; an existing namespace.key for the owner type is TAKEN."""
    ctx: RequestContext = info.context
    errors = _definition_problems(ctx.store, definition)
    if errors:
        return {"createdDefinition": None, "userErrors": errors}
    return {"createdDefinition": add_definition(ctx.store, definition), "userErrors": []}
