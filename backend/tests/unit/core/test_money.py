"""The Money type: half-up cents from any accepted input, never float arithmetic, JSON numbers out."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from app.core.money import (
    MoneyField,
    cents_to_money,
    format_money,
    money_to_cents,
    parse_decimal,
    round_money,
    to_money,
)


class Priced(BaseModel):
    price: MoneyField
    compare_at_price: MoneyField | None = None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("25.50", Decimal("25.50")),
        (" 23 ", Decimal("23.00")),
        (23, Decimal("23.00")),
        (Decimal("18450"), Decimal("18450.00")),
        ("0.045", Decimal("0.05")),
        (0.045, Decimal("0.05")),
        ("0.044", Decimal("0.04")),
        ("0.005", Decimal("0.01")),
        ("0.015", Decimal("0.02")),
        ("0.025", Decimal("0.03")),
        (2.675, Decimal("2.68")),
        ("-0.045", Decimal("-0.05")),
        ("1e2", Decimal("100.00")),
        (0, Decimal("0.00")),
    ],
)
def test_to_money_rounds_half_up_to_cents(value: object, expected: Decimal) -> None:
    result = to_money(value)
    assert result == expected
    assert result is not None
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "value", [None, "", "   ", "abc", "1,234.50", "NaN", "Infinity", True, False, [], {}]
)
def test_to_money_gives_none_for_values_that_are_not_numbers(value: object) -> None:
    assert to_money(value) is None


def test_parse_decimal_keeps_the_given_precision() -> None:
    assert parse_decimal("2.500") == Decimal("2.500")
    assert str(parse_decimal("2.500")) == "2.500"
    assert parse_decimal(0.1) == Decimal("0.1")  # the float's repr, not its binary expansion
    assert parse_decimal(Decimal("NaN")) is None
    assert parse_decimal(float("inf")) is None


def test_round_money_is_not_bankers_rounding() -> None:
    # Banker's rounding would give 0.04, 0.02 and 2.50 for these ties.
    assert round_money(Decimal("0.045")) == Decimal("0.05")
    assert round_money(Decimal("0.025")) == Decimal("0.03")
    assert round_money(Decimal("2.505")) == Decimal("2.51")


def test_cents_conversions_round_trip() -> None:
    assert money_to_cents(Decimal("28.05")) == 2805
    assert money_to_cents(Decimal("0.045")) == 5
    assert money_to_cents(Decimal("18450")) == 1_845_000
    assert cents_to_money(2805) == Decimal("28.05")
    assert cents_to_money(money_to_cents(Decimal("123.456"))) == Decimal("123.46")


def test_format_money_always_has_two_decimals() -> None:
    assert format_money(Decimal("25.5")) == "25.50"
    assert format_money(Decimal("1E+2")) == "100.00"
    assert format_money(Decimal("28.045")) == "28.05"


def test_money_field_validates_any_accepted_input_to_cents() -> None:
    assert Priced.model_validate({"price": "28.045"}).price == Decimal("28.05")
    assert Priced.model_validate({"price": 0.045}).price == Decimal("0.05")
    assert Priced.model_validate({"price": 7}).price == Decimal("7.00")
    assert Priced(price=Decimal("1.005")).price == Decimal("1.01")


@pytest.mark.parametrize("value", ["abc", "", None, True, "NaN"])
def test_money_field_rejects_non_numbers(value: object) -> None:
    with pytest.raises(ValidationError):
        Priced.model_validate({"price": value})


def test_money_field_serializes_as_a_json_number() -> None:
    text = Priced(price=Decimal("28.05"), compare_at_price=None).model_dump_json()
    assert text == '{"price":28.05,"compare_at_price":null}'
    assert json.loads(text)["price"] == 28.05


def test_money_field_json_is_exact_for_large_amounts() -> None:
    text = Priced(price="9999999999.99", compare_at_price="18450").model_dump_json()
    assert '"price":9999999999.99' in text
    assert '"compare_at_price":18450.0' in text


def test_money_field_python_dump_keeps_decimal() -> None:
    dumped = Priced(price="0.1", compare_at_price="0.2").model_dump()
    assert dumped == {"price": Decimal("0.10"), "compare_at_price": Decimal("0.20")}
    assert isinstance(dumped["price"], Decimal)
