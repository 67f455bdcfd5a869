"""The project's one money type: a ``Decimal`` rounded half-up to cents.

Every price, cost and money-like value goes through these helpers, so rounding happens in exactly one place
and no float arithmetic ever touches money. Floats are accepted as *input* only, converted through their
shortest ``repr`` (``0.045`` becomes ``Decimal("0.045")``, not the binary expansion), then rounded.

``MoneyField`` is the pydantic annotation for money fields: it validates any accepted input to a half-up
cent ``Decimal`` and serializes to a JSON *number* (the HTTP contract forbids money as strings).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, TypeAlias

from pydantic import BeforeValidator, PlainSerializer

__all__ = [
    "CENT",
    "Money",
    "MoneyField",
    "cents_to_money",
    "format_money",
    "money_to_cents",
    "parse_decimal",
    "round_money",
    "to_money",
]

Money: TypeAlias = Decimal
"""A money amount: a ``Decimal`` with exactly two decimal places (always produced by ``round_money``)."""

CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


def parse_decimal(value: object) -> Decimal | None:
    """Parse a number from Boeing-style input, or ``None`` when it is not given or not a finite number.

    Accepts ``Decimal``, ``int``, ``float`` and numeric strings (surrounding whitespace ignored). ``None``,
    ``""``, booleans, NaN, infinities and unparseable text give ``None``. No rounding is applied.
    """
    # Most frequent types first: Boeing sends numbers as text or as JSON numbers.
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            result = Decimal(text)
        except InvalidOperation:
            return None
    elif isinstance(value, bool) or value is None:
        return None
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, Decimal):
        result = value
    else:
        return None
    return result if result.is_finite() else None


def round_money(amount: Decimal) -> Money:
    """Round a ``Decimal`` half-up to cents (``0.045`` → ``0.05``, ``0.044`` → ``0.04``)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_money(value: object) -> Money | None:
    """Convert any accepted input (see ``parse_decimal``) to cents, or ``None`` when it is not a number."""
    parsed = parse_decimal(value)
    return None if parsed is None else round_money(parsed)


def money_to_cents(amount: Decimal) -> int:
    """Whole cents of an amount, after half-up rounding (``Decimal("28.05")`` → ``2805``)."""
    return int(round_money(amount) * _HUNDRED)


def cents_to_money(cents: int) -> Money:
    """The money amount of a whole number of cents (``2805`` → ``Decimal("28.05")``)."""
    return round_money(Decimal(cents) / _HUNDRED)


def format_money(amount: Decimal) -> str:
    """A two-decimal string for APIs that take money as text (Shopify ``Money``/``Decimal``): ``"28.05"``."""
    return f"{round_money(amount):f}"


def _validate_money(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a money amount must be a number, not a boolean")
    money = to_money(value)
    if money is None:
        raise ValueError("a money amount must be a finite number or a numeric string")
    return money


def _serialize_money(value: Decimal) -> float:
    # Money is numeric(12,2): at most 12 significant digits, so the float's shortest repr (what the JSON
    # encoder writes) is exactly the two-decimal value, e.g. 28.05 and not 28.049999999999997.
    return float(value)


MoneyField = Annotated[
    Decimal,
    BeforeValidator(_validate_money),
    PlainSerializer(_serialize_money, return_type=float, when_used="json"),
]
"""Pydantic field type for money: validates to a half-up cent ``Decimal``, dumps to a JSON number."""
