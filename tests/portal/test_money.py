"""The one money grammar (loudi_portal.money.parse_yuan) against the table of cases that the browser
test runs through income.js too, and its use by the forms, the API and the uploads."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from loudi_portal.money import OUT_OF_RANGE, MoneyError, parse_yuan

CASES = json.loads((Path(__file__).parent / "money_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["accepted"], ids=lambda c: c["text"])
def test_accepted(case):
    assert parse_yuan(case["text"]) == Decimal(case["cents"]).scaleb(-2)


@pytest.mark.parametrize("text", CASES["blank"])
def test_blank_is_none_for_the_caller_to_decide(text):
    assert parse_yuan(text) is None


@pytest.mark.parametrize("case", CASES["refused"], ids=lambda c: c["text"])
def test_refused_with_a_chinese_message(case):
    with pytest.raises(MoneyError) as error:
        parse_yuan(case["text"], label="经营收入")
    assert case["error"] in error.value.message


@pytest.mark.parametrize(
    "value, expected",
    [
        (12345, Decimal("12345.00")),
        (0.1 + 0.2, Decimal("0.30")),  # Excel's binary noise is dropped at the cent
        (Decimal("1.5"), Decimal("1.50")),
    ],
)
def test_numbers_from_cells_and_json(value, expected):
    assert parse_yuan(value) == expected


@pytest.mark.parametrize("value", [1e26, 1e30, 10**12, Decimal("1E+12"), float("inf")])
def test_absurd_numbers_are_out_of_range_not_a_crash(value):
    with pytest.raises(MoneyError) as error:
        parse_yuan(value)
    assert error.value.message in (OUT_OF_RANGE, "金额应为数字(元)。")


def test_a_signed_field_takes_a_minus_and_others_do_not():
    assert parse_yuan("-1,234.50", signed=True) == Decimal("-1234.50")
    with pytest.raises(MoneyError, match="不能为负数"):
        parse_yuan("-1")
    with pytest.raises(MoneyError, match="不能为负数"):
        parse_yuan(Decimal("-0.01"))


def test_three_decimals_in_a_cell_are_refused():
    with pytest.raises(MoneyError, match="两位小数"):
        parse_yuan(1.005)
