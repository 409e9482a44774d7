"""Number formats of the 三资 pages: yuan with two decimals, 万元 where officials read totals."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()
CENT = Decimal("0.01")


@register.filter
def yuan(value) -> str:
    """12345.6 → "12,345.60"; empty stays "—"."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


@register.filter
def wan(value) -> str:
    """Yuan shown in 万元 with two decimals: 1680000 → "168.00"."""
    if value is None or value == "":
        return "—"
    return f"{(Decimal(value) / Decimal(10000)).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
