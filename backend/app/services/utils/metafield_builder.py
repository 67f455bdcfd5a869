"""Product metafields for ``productSet`` and ``metafieldsSet``, and the definitions to create (pure).

Values follow ``catalog-constants.md`` § Metafields; every value is a string matching its definition's
type (booleans ``"true"``/``"false"``). A metafield without a value is left out: Shopify rejects blanks.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.core.constants.metafields import (
    METAFIELD_DEFINITIONS,
    METAFIELD_OWNER_TYPE,
    MF_AVIALL_PART_NUMBER,
    MF_CERTIFICATE,
    MF_CONDITION,
    MF_COUNTRY_OF_ORIGIN,
    MF_DIMENSIONS,
    MF_DISTRIBUTION_SOURCE,
    MF_ECCN,
    MF_FAA_APPROVAL_CODE,
    MF_HAZMAT_CODE,
    MF_INVENTORY_LOCATION_CODE,
    MF_LOCATION_SUMMARY,
    MF_MANUFACTURER,
    MF_PART_NAME,
    MF_PART_NUMBER,
    MF_PMA,
    MF_SCHEDULE_B_CODE,
    MF_UNIT_OF_MEASURE,
    MetafieldDefinition,
)
from app.core.constants.pricing import DEFAULT_CONDITION
from app.core.constants.publishing import DISTRIBUTION_SOURCE
from app.utils.catalog_rules import map_certificate, map_uom, text_value
from app.utils.normalized_record import NormalizedRecord

__all__ = [
    "build_location_summary_metafield",
    "dimensions_text",
    "inventory_location_code",
    "metafield_definition_inputs",
    "metafield_input",
    "product_metafields",
]


def product_metafields(
    record: NormalizedRecord, inventory_location_codes: Mapping[str, str]
) -> list[dict[str, str]]:
    """Every product metafield that has a value, in the definitions' order, as ``MetafieldInput`` dicts."""
    values: dict[MetafieldDefinition, str | None] = {
        MF_PART_NUMBER: record.base_part_number,
        MF_AVIALL_PART_NUMBER: record.sku,
        MF_PART_NAME: record.boeing_name,
        MF_MANUFACTURER: record.vendor,
        MF_UNIT_OF_MEASURE: map_uom(record.base_uom),
        MF_DIMENSIONS: dimensions_text(record),
        MF_CONDITION: text_value(record.condition) or DEFAULT_CONDITION,
        MF_CERTIFICATE: map_certificate(record.cert),
        MF_PMA: None if record.pma is None else ("true" if record.pma else "false"),
        MF_COUNTRY_OF_ORIGIN: record.country_of_origin,
        MF_HAZMAT_CODE: record.hazmat_code,
        MF_FAA_APPROVAL_CODE: record.faa_approval_code,
        MF_ECCN: record.eccn,
        MF_SCHEDULE_B_CODE: record.schedule_b_code,
        MF_INVENTORY_LOCATION_CODE: inventory_location_code(record, inventory_location_codes),
        MF_DISTRIBUTION_SOURCE: DISTRIBUTION_SOURCE,
        MF_LOCATION_SUMMARY: record.location_summary,
    }
    metafields: list[dict[str, str]] = []
    for definition in METAFIELD_DEFINITIONS:
        value = text_value(values.get(definition))
        if value is not None:
            metafields.append(metafield_input(definition, value))
    return metafields


def metafield_input(definition: MetafieldDefinition, value: str) -> dict[str, str]:
    """``{"namespace", "key", "type", "value"}`` for one definition."""
    return {"namespace": definition.namespace, "key": definition.key, "type": definition.type, "value": value}


def dimensions_text(record: NormalizedRecord) -> str | None:
    """``"2.5 x 1 x 0.5 IN"`` when all three dimensions are known (unit left out if unknown), else None.

    Numbers are written without trailing zeros, so a record read back from the database (``numeric(14,4)``:
    ``2.5000``) gives the same text, and the same publish content hash, as the freshly normalized one.
    """
    if record.dim_length is None or record.dim_width is None or record.dim_height is None:
        return None
    text = " x ".join(_measure(value) for value in (record.dim_length, record.dim_width, record.dim_height))
    unit = text_value(record.dim_uom)
    return f"{text} {unit}" if unit else text


def _measure(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def inventory_location_code(record: NormalizedRecord, codes: Mapping[str, str]) -> str | None:
    """The code of the first warehouse (by name) with stock that has a code in ``codes``.

    Stock Boeing reported without warehouses (placed at the default location) falls back to the first
    Shopify location with stock whose name has a code. ``None`` when nothing matches.
    """
    if not codes:
        return None
    for entry in sorted(record.locations, key=lambda entry: entry.location):
        if entry.quantity > 0 and codes.get(entry.location):
            return codes[entry.location]
    for name, quantity in sorted(record.mapped_inventory):
        if quantity > 0 and codes.get(name):
            return codes[name]
    return None


def build_location_summary_metafield(
    product_id: str, record: NormalizedRecord, *, inventory_location_codes: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``metafieldsSet`` variables for ``boeing.location_summary`` and ``custom.inventory_location_code``.

    Metafields without a value are left out (``metafieldsSet`` cannot clear one); when both are unknown the
    list is empty and the caller skips the call.
    """
    candidates = (
        (MF_LOCATION_SUMMARY, text_value(record.location_summary)),
        (MF_INVENTORY_LOCATION_CODE, inventory_location_code(record, inventory_location_codes or {})),
    )
    return {
        "metafields": [
            {"ownerId": product_id, **metafield_input(definition, value)}
            for definition, value in candidates
            if value is not None
        ]
    }


def metafield_definition_inputs() -> list[dict[str, Any]]:
    """``metafieldDefinitionCreate`` variables for every definition; unique ones get ``uniqueValues``."""
    inputs: list[dict[str, Any]] = []
    for definition in METAFIELD_DEFINITIONS:
        body: dict[str, Any] = {
            "name": definition.name,
            "namespace": definition.namespace,
            "key": definition.key,
            "type": definition.type,
            "ownerType": METAFIELD_OWNER_TYPE,
        }
        if definition.unique:
            body["capabilities"] = {"uniqueValues": {"enabled": True}}
        inputs.append({"definition": body})
    return inputs
