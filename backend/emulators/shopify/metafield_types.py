"""Metafield types, value validation per type and definition validations (choices, min, max, regex)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

_INT_RE = re.compile(r"^-?\d+$")
_DECIMAL_RE = re.compile(r"^-?\d+(\.\d+)?$")
_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_NAMESPACE_RE = re.compile(r"^[A-Za-z0-9_$:-]+$")
_MAX_INT = 9_007_199_254_740_991
_URL_SCHEMES = {"http", "https", "mailto", "sms", "tel"}
_REFERENCE_KINDS = {
    "product_reference": "Product",
    "variant_reference": "ProductVariant",
    "file_reference": "MediaImage",
    "collection_reference": "Collection",
    "page_reference": "Page",
    "customer_reference": "Customer",
    "company_reference": "Company",
    "metaobject_reference": "Metaobject",
}
_UNIT_TYPES = {
    "weight": {"oz", "lb", "g", "kg"},
    "dimension": {"in", "ft", "yd", "mm", "cm", "m"},
    "volume": {
        "ml",
        "cl",
        "l",
        "m3",
        "us_fl_oz",
        "us_pt",
        "us_qt",
        "us_gal",
        "imp_fl_oz",
        "imp_pt",
        "imp_qt",
        "imp_gal",
    },
}
BASE_TYPES = (
    "boolean",
    "color",
    "date",
    "date_time",
    "dimension",
    "json",
    "money",
    "multi_line_text_field",
    "number_decimal",
    "number_integer",
    "rating",
    "rich_text_field",
    "single_line_text_field",
    "url",
    "volume",
    "weight",
    *_REFERENCE_KINDS,
)
_LISTABLE = set(BASE_TYPES) - {"boolean", "json", "money", "multi_line_text_field", "rich_text_field"}
METAFIELD_TYPES = frozenset(BASE_TYPES) | {f"list.{t}" for t in _LISTABLE}
UNIQUE_VALUE_TYPES = frozenset({"single_line_text_field", "number_integer", "url"})
TYPE_CATEGORIES = {
    "boolean": "TRUE_FALSE",
    "color": "COLOR",
    "date": "DATE_TIME",
    "date_time": "DATE_TIME",
    "json": "JSON",
    "money": "MEASUREMENT",
    "number_decimal": "NUMBER",
    "number_integer": "NUMBER",
    "rating": "RATING",
    "url": "URL",
    "weight": "MEASUREMENT",
    "dimension": "MEASUREMENT",
    "volume": "MEASUREMENT",
}


def type_category(type_: str) -> str:
    """Shopify's MetafieldDefinitionType.category for a type."""
    base = type_.removeprefix("list.")
    if base.endswith("_reference"):
        return "REFERENCE"
    return TYPE_CATEGORIES.get(base, "TEXT")


def valid_key(key: str) -> str | None:
    """Problem with a metafield key, or None."""
    if len(key) < 2:
        return "Key is too short (minimum is 2 characters)"
    if len(key) > 64:
        return "Key is too long (maximum is 64 characters)"
    if not _KEY_RE.match(key):
        return "Key contains one or more invalid characters."
    return None


def valid_namespace(namespace: str) -> str | None:
    """Problem with a metafield namespace, or None."""
    if len(namespace) < 2:
        return "Namespace is too short (minimum is 2 characters)"
    if len(namespace) > 255:
        return "Namespace is too long (maximum is 255 characters)"
    if not _NAMESPACE_RE.match(namespace):
        return "Namespace contains one or more invalid characters."
    return None


def _check_scalar(base: str, value: Any) -> str | None:
    """Problem with one (non-list) value already decoded from JSON where the type is structured."""
    if base in ("single_line_text_field", "multi_line_text_field", "rich_text_field"):
        if not isinstance(value, str):
            return "Value must be a string."
        if base == "single_line_text_field" and ("\n" in value or "\r" in value):
            return "Value must be a single line text string."
        if base == "rich_text_field":
            return _check_json_object(value, "Value must be a rich text JSON object.")
        return None
    if not isinstance(value, str):
        value = json.dumps(value)
    if base == "number_integer":
        if not _INT_RE.match(value) or abs(int(value)) > _MAX_INT:
            return "Value must be an integer."
    elif base == "number_decimal":
        if not _DECIMAL_RE.match(value):
            return "Value must be a decimal."
    elif base == "boolean":
        if value not in ("true", "false"):
            return "Value must be true or false."
    elif base == "date":
        try:
            date.fromisoformat(value)
            if len(value) != 10:
                raise ValueError
        except ValueError:
            return "Value must be in YYYY-MM-DD format."
    elif base == "date_time":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            if "T" not in value:
                raise ValueError
        except ValueError:
            return "Value must be in YYYY-MM-DDTHH:MM:SS format."
    elif base == "url":
        parsed = urlparse(value)
        if parsed.scheme not in _URL_SCHEMES or not (parsed.netloc or parsed.path) or " " in value:
            return "Value must be a valid URL."
    elif base == "color":
        if not _COLOR_RE.match(value):
            return "Value must be a hex color code (#RRGGBB)."
    elif base == "json":
        try:
            json.loads(value)
        except ValueError:
            return "Value must be valid JSON."
    elif base in _UNIT_TYPES:
        return _check_measure(value, _UNIT_TYPES[base])
    elif base == "money":
        return _check_json_object(value, "Value must be a money object.", ("amount", "currency_code"))
    elif base == "rating":
        return _check_json_object(
            value, "Value must be a rating object.", ("value", "scale_min", "scale_max")
        )
    elif base in _REFERENCE_KINDS and not value.startswith(f"gid://shopify/{_REFERENCE_KINDS[base]}/"):
        return f"Value must be a {_REFERENCE_KINDS[base]} reference (GID)."
    return None


def _check_json_object(value: str, message: str, keys: tuple[str, ...] = ()) -> str | None:
    try:
        decoded = json.loads(value)
    except ValueError:
        return message
    if not isinstance(decoded, dict) or any(k not in decoded for k in keys):
        return message
    return None


def _check_measure(value: str, units: set[str]) -> str | None:
    message = f"Value must be a JSON object with value and unit ({', '.join(sorted(units))})."
    try:
        decoded = json.loads(value)
        Decimal(str(decoded["value"]))
    except (ValueError, KeyError, TypeError, InvalidOperation):
        return message
    if str(decoded.get("unit", "")).lower() not in units:
        return message
    return None


def check_value(type_: str, value: str) -> str | None:
    """Problem with a metafield value for its type, or None when it is valid."""
    if type_.startswith("list."):
        try:
            items = json.loads(value)
        except ValueError:
            return "Value must be a JSON array."
        if not isinstance(items, list):
            return "Value must be a JSON array."
        base = type_[5:]
        for item in items:
            problem = _check_scalar(base, item if isinstance(item, str) else json.dumps(item))
            if problem:
                return problem
        return None
    return _check_scalar(type_, value)


def check_validations(type_: str, value: str, validations: list[dict[str, str]]) -> str | None:
    """Problem with a value against a definition's validations, or None."""
    for rule in validations:
        name, raw = rule.get("name"), rule.get("value", "")
        if name == "choices":
            choices = json.loads(raw)
            if value not in choices:
                return f"Value does not exist in provided choices: {choices}."
        elif name in ("min", "max"):
            limit_problem = _check_limit(type_, value, name, raw)
            if limit_problem:
                return limit_problem
        elif name == "regex" and not re.fullmatch(raw, value):
            return f"Value does not match the regular expression {raw}."
    return None


def _check_limit(type_: str, value: str, name: str, raw: str) -> str | None:
    if type_ in ("number_integer", "number_decimal"):
        measured, limit = Decimal(value), Decimal(raw)
        label = "Value"
    else:
        measured, limit = Decimal(len(value)), Decimal(raw)
        label = "Value length"
    if name == "min" and measured < limit:
        return f"{label} must be greater than or equal to {raw}."
    if name == "max" and measured > limit:
        return f"{label} must be less than or equal to {raw}."
    return None


def check_validation_rules(type_: str, validations: list[dict[str, str]]) -> str | None:
    """Problem with a definition's validation rules themselves, or None."""
    for rule in validations:
        name, raw = rule.get("name"), rule.get("value", "")
        if name == "choices":
            try:
                choices = json.loads(raw)
            except ValueError:
                return "Validations choices must be a JSON array of strings."
            if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
                return "Validations choices must be a JSON array of strings."
        elif name in ("min", "max"):
            try:
                Decimal(raw)
            except InvalidOperation:
                return f"Validations {name} must be a number."
        elif name == "regex":
            try:
                re.compile(raw)
            except re.error:
                return "Validations regex must be a valid regular expression."
        else:
            return f"Validations {name} is not supported for type {type_}."
    return None


def json_value(type_: str, value: str) -> Any:
    """Metafield.jsonValue: the value decoded to JSON according to its type."""
    if type_ == "number_integer":
        return int(value)
    if type_ == "number_decimal":
        return value
    if type_ == "boolean":
        return value == "true"
    if type_ == "json" or type_.startswith("list.") or type_ in ("money", "rating", "rich_text_field"):
        return json.loads(value)
    if type_ in _UNIT_TYPES:
        return json.loads(value)
    return value
