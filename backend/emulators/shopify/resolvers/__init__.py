"""Resolvers of the emulated Admin API, attached to a built schema by `install_resolvers`."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

from .common import RequestContext, RuntimeSettings, VariantLimitReached
from .inventory import resolve_inventory_set_quantities
from .metafields import resolve_metafield_definition_create, resolve_metafields_set
from .product_set import resolve_product_set
from .products import resolve_product_delete, resolve_product_update
from .queries import query_resolvers
from .types import type_resolvers
from .variants_bulk import resolve_variants_bulk_update

__all__ = [
    "RequestContext",
    "RuntimeSettings",
    "VariantLimitReached",
    "default_resolver",
    "install_resolvers",
]

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@cache
def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def default_resolver(source: Any, info: GraphQLResolveInfo[RequestContext], **_args: Any) -> Any:
    """Dict payloads are keyed by GraphQL names; entities expose snake_case attributes."""
    if isinstance(source, dict):
        return source.get(info.field_name)
    return getattr(source, _snake(info.field_name), None)


def _recording(resolver: Any) -> Any:
    """Wrap a mutation resolver so its userError codes reach the stats, whatever the client selected."""

    def resolve(root: Any, info: GraphQLResolveInfo[RequestContext], **args: Any) -> Any:
        payload = resolver(root, info, **args)
        operation = payload.get("productSetOperation") or {}
        for error in payload.get("userErrors", []) + operation.get("userErrors", []):
            info.context.user_error_codes.append(error.get("code") or "NO_CODE")
        return payload

    return resolve


def _mutation_resolvers() -> dict[str, Any]:
    resolvers = {
        "productSet": resolve_product_set,
        "productVariantsBulkUpdate": resolve_variants_bulk_update,
        "inventorySetQuantities": resolve_inventory_set_quantities,
        "metafieldsSet": resolve_metafields_set,
        "metafieldDefinitionCreate": resolve_metafield_definition_create,
        "productUpdate": resolve_product_update,
        "productDelete": resolve_product_delete,
    }
    return {name: _recording(resolver) for name, resolver in resolvers.items()}


def install_resolvers(schema: GraphQLSchema) -> None:
    """Attach every resolver to its schema field; fails loudly when the SDL and tables drift apart."""
    tables = {"QueryRoot": query_resolvers(), "Mutation": _mutation_resolvers(), **type_resolvers()}
    for type_name, fields in tables.items():
        graphql_type = schema.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType)
        for field_name, resolver in fields.items():
            graphql_type.fields[field_name].resolve = resolver
    media = schema.type_map["Media"]
    media.resolve_type = lambda _obj, _info, _type: "MediaImage"  # type: ignore[attr-defined]
