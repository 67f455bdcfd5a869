"""Business constants: the catalogue's values, defined once, re-exported, and the bundled placeholder PNG."""

from __future__ import annotations

import struct
import zlib
from decimal import Decimal
from importlib import resources

import app.core.constants as constants
from app.core.constants import metafields, pricing, publishing, sync
from app.core.constants.extraction import BLOCKED_REASON_PRECEDENCE, BlockedReason, StagingStatus


def test_pricing_values() -> None:
    assert Decimal("1.10") == constants.PRICE_MARKUP_FACTOR
    assert isinstance(constants.PRICE_MARKUP_FACTOR, Decimal)
    assert (constants.DEFAULT_CURRENCY, constants.DEFAULT_CONDITION) == ("USD", "NE")
    assert constants.DEFAULT_CERTIFICATE == "FAA 8130-3"
    assert (constants.DEFAULT_SUPPLIER, constants.SYSTEM_USER_ID) == ("BDI", "system")


def test_defaults_are_defined_once_and_re_exported() -> None:
    assert sync.DEFAULT_CURRENCY is pricing.DEFAULT_CURRENCY
    assert constants.UOM_MAPPING is publishing.UOM_MAPPING
    assert constants.METAFIELD_DEFINITIONS is metafields.METAFIELD_DEFINITIONS
    for name in constants.__all__:
        assert hasattr(constants, name), name


def test_blocked_reasons_and_statuses() -> None:
    assert [reason.value for reason in BLOCKED_REASON_PRECEDENCE] == [
        "no_price",
        "no_stock",
        "no_mapped_location",
    ]
    assert BlockedReason.NO_PRICE == "no_price"
    assert {status.value for status in StagingStatus} == {"fetched", "blocked", "published", "failed"}
    assert constants.MIN_PRODUCTS_FOR_ACTIVE_SLOT == 10
    assert constants.HIGH_FAILURE_THRESHOLD == 3


def test_shopify_product_values() -> None:
    assert constants.PRODUCT_TYPE == "Aircraft Parts"
    assert constants.PRODUCT_TAGS == ("boeing", "aerospace", "Aircraft Parts & Accessories")
    assert constants.PRODUCT_CATEGORY_GID == "gid://shopify/TaxonomyCategory/vp-1-1"
    assert constants.PRODUCT_STATUS == "ACTIVE"
    assert constants.DISTRIBUTION_SOURCE == "Boeing Distribution"
    assert (constants.UPSERT_KEY_NAMESPACE, constants.UPSERT_KEY_KEY) == ("custom", "aviall_part_number")


def test_uom_and_weight_maps() -> None:
    uom = constants.UOM_MAPPING
    assert {key for key, value in uom.items() if value == "EA"} == {
        "EA", "EACH", "PC", "PCS", "PIECE", "PIECES", "UNIT", "UNITS"
    }  # fmt: skip
    assert uom["INCHES"] == "Inches"
    assert uom["LBS"] == "Pound"
    assert uom["PK"] == uom["PACK"] == "Pack (1PK = 25EA)"
    assert constants.WEIGHT_UNIT_MAPPING["LB"] == "POUNDS"
    assert constants.WEIGHT_UNIT_MAPPING["KG"] == "KILOGRAMS"


def test_cert_mapping_is_ordered_as_the_catalogue() -> None:
    values = [value for _, value in constants.CERT_MAPPING]
    assert values == [
        "FAA 8130-3",
        "EASA Form 1",
        "Brazil Form SEGV00 003",
        "OEM Cert",
        "121 Trace",
        "129 Trace",
        "145 Trace",
        "Transport Canada Form 1",
        "C of C",
        "CAA UK",
    ]
    assert constants.CERT_MAPPING[0][0] == ("8130", "FAA")


def test_metafield_definitions_match_the_catalogue_table() -> None:
    table = [(d.namespace, d.key, d.type, d.unique) for d in constants.METAFIELD_DEFINITIONS]
    text = "single_line_text_field"
    assert table == [
        ("custom", "part_number", text, False),
        ("custom", "aviall_part_number", text, True),
        ("custom", "part_name", text, False),
        ("custom", "manufacturer", text, False),
        ("custom", "unit_of_measure", text, False),
        ("custom", "dimensions", text, False),
        ("custom", "condition", text, False),
        ("custom", "certificate", text, False),
        ("custom", "pma", "boolean", False),
        ("custom", "country_of_origin", text, False),
        ("custom", "hazmat_code", text, False),
        ("custom", "faa_approval_code", text, False),
        ("custom", "eccn", text, False),
        ("custom", "schedule_b_code", text, False),
        ("custom", "inventory_location_code", text, False),
        ("custom", "distribution_source", text, False),
        ("boeing", "location_summary", text, False),
    ]
    assert all(d.name for d in constants.METAFIELD_DEFINITIONS)
    upsert = metafields.MF_AVIALL_PART_NUMBER
    assert (upsert.namespace, upsert.key) == (constants.UPSERT_KEY_NAMESPACE, constants.UPSERT_KEY_KEY)
    assert upsert.full_key == "custom.aviall_part_number"


def test_placeholder_image_is_a_valid_png() -> None:
    data = (
        resources.files(constants.FALLBACK_IMAGE_PACKAGE) / constants.FALLBACK_IMAGE_RESOURCE
    ).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert constants.FALLBACK_IMAGE_RESOURCE.endswith(constants.FALLBACK_IMAGE_FILENAME)
    chunks: dict[bytes, bytes] = {}
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc
        chunks[kind] = chunks.get(kind, b"") + body
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)  # 8-bit RGB
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + 3 * width)
    assert b"IEND" in chunks
