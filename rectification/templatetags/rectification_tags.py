"""Number formats of the rectification pages: yuan, 万元 for totals, rates as percentages."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


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


@register.filter
def pct(value) -> str:
    """A Decimal fraction as a percentage with one decimal: 0.9370 → "93.7%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{(Decimal(value) * 100).quantize(TENTH, rounding=ROUND_HALF_UP)}%"


@register.filter
def who(user) -> str:
    """A user's display name (their first name, else the account), "—" when nobody."""
    if user is None:
        return "—"
    return user.first_name or user.get_username()
