"""Catalogue rules shared by normalization and publishing: part numbers, store mappings, value parsing.

Pure functions over the tables of ``app.core.constants``; ``boeing_normalize`` re-exports the public ones.
"""

from __future__ import annotations

import html
from decimal import Decimal
from functools import lru_cache

from app.core.constants.extraction import VARIANT_SEPARATOR
from app.core.constants.pricing import DEFAULT_CERTIFICATE
from app.core.constants.publishing import CERT_MAPPING, UOM_MAPPING, WEIGHT_UNIT_MAPPING
from app.core.money import parse_decimal, to_money

__all__ = [
    "base_part_number",
    "map_certificate",
    "map_uom",
    "map_weight_unit",
    "parse_dimensions",
    "positive_or_none",
    "price_value",
    "quantity_value",
    "render_description_html",
    "split_part_number",
    "text_value",
]

_NO_DIMENSIONS: tuple[None, None, None] = (None, None, None)
_NUMBER_TYPES = (int, float, Decimal)
_UOM_CHOICES = {value.upper(): value for value in UOM_MAPPING.values()}
_WEIGHT_UNITS = frozenset(WEIGHT_UNIT_MAPPING.values())


def split_part_number(sku: str) -> tuple[str, str | None]:
    """``"WF338109=K3"`` → ``("WF338109", "K3")``; ``"AN3-12A"`` → ``("AN3-12A", None)``."""
    base, separator, suffix = sku.partition(VARIANT_SEPARATOR)
    return base, (suffix if separator else None)


def base_part_number(sku: str) -> str:
    """The text before the first ``=``: the part number buyers search for."""
    return sku.partition(VARIANT_SEPARATOR)[0]


def map_uom(value: str | None) -> str | None:
    """Boeing unit of measure → the store's choice value (``"EACH"`` → ``"EA"``), ``None`` when unmapped.

    Keys are compared trimmed and upper-cased. Store values map to themselves, so mapping twice is harmless.
    """
    if not value:
        return None
    key = value.strip().upper()
    return UOM_MAPPING.get(key) or _UOM_CHOICES.get(key)


def map_certificate(value: str | None) -> str:
    """Certificate text → the store's choice value: the first ``CERT_MAPPING`` keyword found wins.

    Text without a known keyword (or no text) gives ``DEFAULT_CERTIFICATE``.
    """
    if value:
        text = value.upper()
        for keywords, certificate in CERT_MAPPING:
            for keyword in keywords:
                if keyword in text:
                    return certificate
    return DEFAULT_CERTIFICATE


def map_weight_unit(value: str | None) -> str | None:
    """Boeing weight unit → Shopify ``WeightUnit`` (``"LB"`` → ``"POUNDS"``), ``None`` when unmapped."""
    if not value:
        return None
    key = value.strip().upper()
    return WEIGHT_UNIT_MAPPING.get(key) or (key if key in _WEIGHT_UNITS else None)


def parse_dimensions(value: object) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """``"2.5 x 1.0 x 0.5"`` → (length, width, height) as Decimals.

    Anything but three numbers separated by ``x`` gives three ``None``; a 0 dimension is unknown (``None``).
    """
    text = text_value(value)
    if text is None:
        return _NO_DIMENSIONS
    parts = text.lower().split("x")
    if len(parts) != 3:
        return _NO_DIMENSIONS
    length, width, height = (parse_decimal(part) for part in parts)
    if length is None or width is None or height is None:
        return _NO_DIMENSIONS
    return positive_or_none(length), positive_or_none(width), positive_or_none(height)


def render_description_html(
    *, base: str, name: str | None, manufacturer: str, certificate: str, condition: str, uom: str | None
) -> str:
    """The product description template of ``catalog-constants.md``, every value HTML-escaped."""
    return (
        f"<p>Part No. {html.escape(base)}</p>"
        f"<p>Description: {html.escape(name or '')}</p>"
        f"<p>Manufacturer: {_escape_repeated(manufacturer)}</p>"
        f"<p>Cert: {_escape_repeated(certificate)}</p>"
        f"<p>Condition: {_escape_repeated(condition)}</p>"
        f"<p>Unit of Measure: {_escape_repeated(uom or '')}</p>"
    )


@lru_cache(maxsize=512)
def _escape_repeated(text: str) -> str:
    """``html.escape`` for the few values most records share (suppliers, certificates, conditions, units)."""
    return html.escape(text)


def text_value(value: object) -> str | None:
    """A trimmed string, or ``None`` for missing, ``null``, blank and non-scalar values.

    Numbers are turned into their text (``8484.1``); booleans, lists and objects are not text.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES):
        return None
    return str(value)


def quantity_value(value: object) -> int | None:
    """A quantity from an int or numeric string (fractions truncated, negatives 0), ``None`` if not given."""
    if isinstance(value, int) and not isinstance(value, bool):
        return max(value, 0)
    parsed = parse_decimal(value)
    return None if parsed is None else max(int(parsed), 0)


def price_value(value: object) -> Decimal | None:
    """A price in cents when it is above 0; Boeing's 0 (unpriced), negatives and non-numbers give ``None``."""
    money = to_money(value)
    return money if money is not None and money > 0 else None


def positive_or_none(value: Decimal | None) -> Decimal | None:
    """The value when it is above 0, else ``None`` (Boeing's 0 means unknown for dimensions and weight)."""
    return value if value is not None and value > 0 else None
