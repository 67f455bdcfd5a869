"""Custom scalars (Money, Decimal, DateTime, ...) with Shopify's serialization."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLSchema, ValueNode
from graphql.language import FloatValueNode, IntValueNode, StringValueNode
from graphql.utilities import value_from_ast_untyped

from .clock import iso

_CENT = Decimal("0.01")


def format_money(value: Decimal) -> str:
    """Money as Shopify prints it: two decimals ("28.60")."""
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def format_decimal(value: Decimal) -> str:
    """Decimal as Shopify prints it: shortest form with at least one decimal ("26.0", "25.55")."""
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def parse_decimal(value: Any) -> Decimal:
    """Money/Decimal input: a decimal string or a number; anything else raises ValueError."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"Could not coerce value {value!r} to a decimal")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"Could not coerce value {value!r} to a decimal") from None
    if not result.is_finite():
        raise ValueError(f"Could not coerce value {value!r} to a decimal")
    return result


def _decimal_literal(node: ValueNode, _variables: Any = None) -> Decimal:
    if isinstance(node, StringValueNode | IntValueNode | FloatValueNode):
        return parse_decimal(node.value)
    raise ValueError("expected a decimal")


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"Could not coerce value {value!r} to a string")
    return value


def _string_literal(node: ValueNode, _variables: Any = None) -> str:
    if isinstance(node, StringValueNode):
        return node.value
    raise ValueError("expected a string")


def _serialize_datetime(value: Any) -> str:
    return iso(value) if isinstance(value, int | float) else str(value)


def _serialize_money(value: Any) -> str:
    return format_money(value) if isinstance(value, Decimal) else str(value)


def _serialize_decimal(value: Any) -> str:
    return format_decimal(value) if isinstance(value, Decimal) else str(value)


def _set(scalar: Any, output: Any = None, value: Any = None, literal: Any = None) -> None:
    # graphql-core 3.3 reads coerce_* and still honours the older serialize/parse_* names: set both.
    if output is not None:
        scalar.serialize = scalar.coerce_output_value = output
    if value is not None:
        scalar.parse_value = scalar.coerce_input_value = value
    if literal is not None:
        scalar.parse_literal = scalar.coerce_input_literal = literal


def install_scalars(schema: GraphQLSchema) -> None:
    """Give the SDL-declared scalars their parse/serialize behaviour."""
    types = schema.type_map
    _set(types["Money"], _serialize_money, parse_decimal, _decimal_literal)
    _set(types["Decimal"], _serialize_decimal, parse_decimal, _decimal_literal)
    _set(types["DateTime"], _serialize_datetime, _string, _string_literal)
    for name in ("URL", "HTML"):
        _set(types[name], str, _string, _string_literal)
    _set(types["UnsignedInt64"], str)
    _set(types["JSON"], lambda value: value, lambda value: value, value_from_ast_untyped)
