"""The product metafield definitions publishing writes (``catalog-constants.md`` § Metafields)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

SINGLE_LINE_TEXT: Final = "single_line_text_field"
BOOLEAN: Final = "boolean"
METAFIELD_OWNER_TYPE: Final = "PRODUCT"


@dataclass(frozen=True, slots=True)
class MetafieldDefinition:
    """One product metafield definition; ``unique`` enables Shopify's ``uniqueValues`` capability."""

    namespace: str
    key: str
    name: str
    type: str
    unique: bool = False

    @property
    def full_key(self) -> str:
        """``namespace.key``, the form the setup endpoint reports."""
        return f"{self.namespace}.{self.key}"


MF_PART_NUMBER: Final = MetafieldDefinition("custom", "part_number", "Part Number", SINGLE_LINE_TEXT)
MF_AVIALL_PART_NUMBER: Final = MetafieldDefinition(
    "custom", "aviall_part_number", "Aviall Part Number", SINGLE_LINE_TEXT, unique=True
)
MF_PART_NAME: Final = MetafieldDefinition("custom", "part_name", "Part Name", SINGLE_LINE_TEXT)
MF_MANUFACTURER: Final = MetafieldDefinition("custom", "manufacturer", "Manufacturer", SINGLE_LINE_TEXT)
MF_UNIT_OF_MEASURE: Final = MetafieldDefinition(
    "custom", "unit_of_measure", "Unit of Measure", SINGLE_LINE_TEXT
)
MF_DIMENSIONS: Final = MetafieldDefinition("custom", "dimensions", "Dimensions", SINGLE_LINE_TEXT)
MF_CONDITION: Final = MetafieldDefinition("custom", "condition", "Condition", SINGLE_LINE_TEXT)
MF_CERTIFICATE: Final = MetafieldDefinition("custom", "certificate", "Certificate", SINGLE_LINE_TEXT)
MF_PMA: Final = MetafieldDefinition("custom", "pma", "PMA", BOOLEAN)
MF_COUNTRY_OF_ORIGIN: Final = MetafieldDefinition(
    "custom", "country_of_origin", "Country of Origin", SINGLE_LINE_TEXT
)
MF_HAZMAT_CODE: Final = MetafieldDefinition("custom", "hazmat_code", "Hazmat Code", SINGLE_LINE_TEXT)
MF_FAA_APPROVAL_CODE: Final = MetafieldDefinition(
    "custom", "faa_approval_code", "FAA Approval Code", SINGLE_LINE_TEXT
)
MF_ECCN: Final = MetafieldDefinition("custom", "eccn", "ECCN", SINGLE_LINE_TEXT)
MF_SCHEDULE_B_CODE: Final = MetafieldDefinition(
    "custom", "schedule_b_code", "Schedule B Code", SINGLE_LINE_TEXT
)
MF_INVENTORY_LOCATION_CODE: Final = MetafieldDefinition(
    "custom", "inventory_location_code", "Inventory Location Code", SINGLE_LINE_TEXT
)
MF_DISTRIBUTION_SOURCE: Final = MetafieldDefinition(
    "custom", "distribution_source", "Distribution Source", SINGLE_LINE_TEXT
)
MF_LOCATION_SUMMARY: Final = MetafieldDefinition(
    "boeing", "location_summary", "Location Summary", SINGLE_LINE_TEXT
)

METAFIELD_DEFINITIONS: Final[tuple[MetafieldDefinition, ...]] = (
    MF_PART_NUMBER,
    MF_AVIALL_PART_NUMBER,
    MF_PART_NAME,
    MF_MANUFACTURER,
    MF_UNIT_OF_MEASURE,
    MF_DIMENSIONS,
    MF_CONDITION,
    MF_CERTIFICATE,
    MF_PMA,
    MF_COUNTRY_OF_ORIGIN,
    MF_HAZMAT_CODE,
    MF_FAA_APPROVAL_CODE,
    MF_ECCN,
    MF_SCHEDULE_B_CODE,
    MF_INVENTORY_LOCATION_CODE,
    MF_DISTRIBUTION_SOURCE,
    MF_LOCATION_SUMMARY,
)
"""Every definition, in the catalogue's order; ``productSet`` sends those of them that have a value."""
