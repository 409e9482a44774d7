"""The one money parser: every amount typed in a form, sent to the API, read from a workbook or given
to a command goes through parse_yuan, and villages/static/villages/income.js (the live total) follows
the same grammar. tests/portal/money_cases.json holds the table of cases both are tested against.

The grammar of an amount in yuan, as text:
- half-width or full-width digits (０-９), point (． or .), thousands comma (， or ,);
- surrounding spaces are ignored, spaces inside are not (“1 000” is refused, never summed as 1000);
- thousands separators only between groups of exactly three digits (“12,345.00”; “12,34” is refused);
- at most 2 decimals; no exponent (“1e5”), no currency sign or unit;
- a minus sign only where the field allows it (`signed`); no field allows “+”;
- at most 12 integer digits: the columns are DECIMAL(14, 2).
Numbers that are already numbers (a workbook's numeric cell, a JSON number) follow the same limits.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework import serializers

CENT = Decimal("0.01")
MAX_DIGITS = 14
DECIMAL_PLACES = 2
INTEGER_DIGITS = MAX_DIGITS - DECIMAL_PLACES
LIMIT = Decimal(10) ** INTEGER_DIGITS  # 12 integer digits: |amount| < 10^12
OUT_OF_RANGE = "金额超出范围,最多 12 位整数、2 位小数"

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
_GRAMMAR = re.compile(r"^(-?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?$")
_SPACES = re.compile(r"\s")


class MoneyError(ValueError):
    """An amount that does not follow the grammar; `message` is the Chinese text a user reads."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_yuan(value, *, label: str = "金额", signed: bool = False) -> Decimal | None:
    """An amount in yuan as a Decimal with 2 places, or None when blank (the caller decides whether
    a blank is allowed). Raises MoneyError with a Chinese message for anything else."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise MoneyError(f"{label}应为数字(元),不能是“{value}”。")
    if isinstance(value, float):
        number = _from_float(value, label)
    elif isinstance(value, int | Decimal):
        number = Decimal(value)
        if not number.is_finite():
            raise MoneyError(f"{label}应为数字(元)。")
    else:
        number = _from_text(str(value), label)
    return _checked(number, label, signed)


def _from_text(raw: str, label: str) -> Decimal:
    text = raw.translate(_FULL_WIDTH).strip()
    if _SPACES.search(text):
        raise MoneyError(f"{label}中间不能有空格:“{raw.strip()}”。")
    if "e" in text.lower():
        raise MoneyError(f"{label}不能用科学计数法:“{raw.strip()}”,请写出完整数字,如 100000。")
    match = _GRAMMAR.match(text)
    if match is None:
        if re.fullmatch(r"-?[0-9,]+(\.[0-9]+)?", text):
            raise MoneyError(f"{label}的千分位逗号位置不对:“{raw.strip()}”,应每三位一个,如 12,345.67。")
        raise MoneyError(f"{label}应为数字(元),如 12345.67 或 12,345.67,不能是“{raw.strip()}”。")
    sign, whole, decimals = match.groups()
    if decimals is not None and len(decimals) > DECIMAL_PLACES:
        raise MoneyError(f"{label}最多保留两位小数(元到分)。")
    return Decimal(f"{sign}{whole.replace(',', '')}.{decimals or '0'}")


def _from_float(value: float, label: str) -> Decimal:
    """A workbook's numeric cell: exact at the cent once Excel's binary noise is dropped
    (a sum computed in Excel may read back as 0.30000000000000004)."""
    exact = Decimal(repr(value))
    if not exact.is_finite():
        raise MoneyError(f"{label}应为数字(元)。")
    if abs(exact) >= LIMIT:
        raise MoneyError(OUT_OF_RANGE)
    rounded = exact.quantize(CENT)
    return rounded if abs(exact - rounded) < Decimal("0.000001") else exact


def _checked(number: Decimal, label: str, signed: bool) -> Decimal:
    if number < 0 and not signed:
        raise MoneyError(f"{label}不能为负数。")
    if abs(number) >= LIMIT:
        raise MoneyError(OUT_OF_RANGE)
    if number != number.quantize(CENT):
        raise MoneyError(f"{label}最多保留两位小数(元到分)。")
    return number.quantize(CENT)


# --- the field in forms, the API and the models ---------------------------------------------------


class YuanFormField(forms.CharField):
    """A money input: text (clerks type “12,345.67”), parsed by parse_yuan."""

    def __init__(self, *, signed: bool = False, **kwargs):
        for name in ("max_digits", "decimal_places", "max_value", "min_value", "step_size"):
            kwargs.pop(name, None)
        self.signed = signed
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # Text, not a number input: clerks type “12,345.67”, which a number input refuses.
        attrs = {"class": "money", "inputmode": "decimal", "autocomplete": "off", "data-money": ""}
        return {**super().widget_attrs(widget), **attrs}

    def prepare_value(self, value):
        return f"{value:.2f}" if isinstance(value, Decimal) and value.is_finite() else value

    def to_python(self, value):
        try:
            return parse_yuan(value, label=str(self.label or "金额"), signed=self.signed)
        except MoneyError as error:
            raise ValidationError(error.message, code="invalid") from None


class YuanSerializerField(serializers.DecimalField):
    """A money value in the API: documented and returned like any DecimalField(14, 2), read by
    parse_yuan so the API accepts exactly what the forms accept."""

    def __init__(self, *, signed: bool = False, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        self.signed = signed
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            value = parse_yuan(data, label=str(self.label or "金额"), signed=self.signed)
        except MoneyError as error:
            raise serializers.ValidationError(error.message) from None
        if value is None:
            # A blank ("" or spaces) where null is allowed is null, as in the forms.
            if self.allow_null:
                return None
            self.fail("invalid")
        return value


class YuanModelField(models.DecimalField):
    """DECIMAL(14, 2) in yuan whose form field is YuanFormField. Migrations see a plain DecimalField."""

    def __init__(self, *args, **kwargs):
        kwargs["max_digits"] = MAX_DIGITS
        kwargs["decimal_places"] = DECIMAL_PLACES
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": YuanFormField, **kwargs})


# Every ModelSerializer reads a YuanModelField with YuanSerializerField (DRF's documented mapping).
serializers.ModelSerializer.serializer_field_mapping[YuanModelField] = YuanSerializerField
