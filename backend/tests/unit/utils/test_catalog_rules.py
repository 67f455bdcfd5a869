"""Catalogue rules: part numbers, the store's UOM / certificate / weight maps and value parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.utils.catalog_rules import (
    base_part_number,
    map_certificate,
    map_uom,
    map_weight_unit,
    price_value,
    quantity_value,
    render_description_html,
    split_part_number,
    text_value,
)


@pytest.mark.parametrize(
    ("sku", "split"),
    [
        ("WF338109=K3", ("WF338109", "K3")),
        ("AN3-12A", ("AN3-12A", None)),
        ("A=B=C", ("A", "B=C")),
        ("X=", ("X", "")),
    ],
)
def test_split_part_number(sku: str, split: tuple[str, str | None]) -> None:
    assert split_part_number(sku) == split
    assert base_part_number(sku) == split[0]


@pytest.mark.parametrize(
    ("raw", "mapped"),
    [
        *[(key, "EA") for key in ("EA", "EACH", "PC", "PCS", "PIECE", "PIECES", "UNIT", "UNITS")],
        ("ea", "EA"),
        ("  Each ", "EA"),
        *[(key, "Inches") for key in ("IN", "INCH", "INCHES")],
        *[(key, "Pound") for key in ("LB", "LBS", "POUND", "POUNDS")],
        *[(key, "Pack (1PK = 25EA)") for key in ("PK", "PACK")],
        ("Pack (1PK = 25EA)", "Pack (1PK = 25EA)"),  # a store value maps to itself
        ("Inches", "Inches"),
        ("DRUM", None),
        ("", None),
        (None, None),
    ],
)
def test_uom_map(raw: str | None, mapped: str | None) -> None:
    assert map_uom(raw) == mapped


@pytest.mark.parametrize(
    ("text", "certificate"),
    [
        ("FAA 8130-3", "FAA 8130-3"),
        ("8130", "FAA 8130-3"),
        ("faa form", "FAA 8130-3"),
        ("EASA Form 1", "EASA Form 1"),
        ("Brazil", "Brazil Form SEGV00 003"),
        ("segv00 003", "Brazil Form SEGV00 003"),
        ("OEM", "OEM Cert"),
        ("Part 121", "121 Trace"),
        ("129", "129 Trace"),
        ("145 repair station", "145 Trace"),
        ("Transport Canada", "Transport Canada Form 1"),
        ("canada", "Transport Canada Form 1"),
        ("C of C", "C of C"),
        ("COC", "C of C"),
        ("Certificate of Conformance", "C of C"),
        ("CAA UK", "CAA UK"),
        ("EASA and FAA dual release", "FAA 8130-3"),  # the first entry of the ordered list wins
        ("EASA / CAA", "EASA Form 1"),
        ("OEM 145", "OEM Cert"),
        ("nothing known", "FAA 8130-3"),
        ("", "FAA 8130-3"),
        (None, "FAA 8130-3"),
    ],
)
def test_certificate_map(text: str | None, certificate: str) -> None:
    assert map_certificate(text) == certificate


def test_every_certificate_value_maps_to_itself() -> None:
    for value in (
        "FAA 8130-3",
        "EASA Form 1",
        "Brazil Form SEGV00 003",
        "OEM Cert",
        "121 Trace",
        "129 Trace",
    ):
        assert map_certificate(value) == value
    for value in ("145 Trace", "Transport Canada Form 1", "C of C", "CAA UK"):
        assert map_certificate(value) == value


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("LB", "POUNDS"),
        (" lbs ", "POUNDS"),
        ("KG", "KILOGRAMS"),
        ("oz", "OUNCES"),
        ("G", "GRAMS"),
        ("POUNDS", "POUNDS"),
        ("STONE", None),
        ("", None),
        (None, None),
    ],
)
def test_weight_unit_map(raw: str | None, unit: str | None) -> None:
    assert map_weight_unit(raw) == unit


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (" A ", "A"),
        ("", None),
        ("   ", None),
        (None, None),
        (8484, "8484"),
        (Decimal("1.50"), "1.50"),
        (True, None),
        ([], None),
        ({"a": 1}, None),
    ],
)
def test_text_value(value: object, text: str | None) -> None:
    assert text_value(value) == text


@pytest.mark.parametrize(
    ("value", "quantity"),
    [
        (150, 150),
        ("150", 150),
        (" 7 ", 7),
        ("12.9", 12),
        (-3, 0),
        ("-3", 0),
        (0, 0),
        ("", None),
        (None, None),
        ("many", None),
        (True, None),
    ],
)
def test_quantity_value(value: object, quantity: int | None) -> None:
    assert quantity_value(value) == quantity


def test_price_value_treats_zero_and_negative_as_unpriced() -> None:
    assert price_value("25.50") == Decimal("25.50")
    assert price_value(0) is None
    assert price_value("0.004") is None  # rounds to 0.00
    assert price_value("-1") is None


def test_description_template() -> None:
    html = render_description_html(
        base="AN3", name="BOLT", manufacturer="BDI", certificate="FAA 8130-3", condition="NE", uom=None
    )
    assert html == (
        "<p>Part No. AN3</p><p>Description: BOLT</p><p>Manufacturer: BDI</p><p>Cert: FAA 8130-3</p>"
        "<p>Condition: NE</p><p>Unit of Measure: </p>"
    )
