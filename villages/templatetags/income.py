"""Money and status display for the income pages."""

from decimal import Decimal

from django import template

from villages.models import IncomeStatus

register = template.Library()


@register.filter
def yuan(value) -> str:
    """12345.6 → "12,345.60" (yuan, two decimals); empty for no value."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"


@register.filter
def wan(value) -> str:
    """Yuan shown in 万元 with two decimals, as officials read it: 92200 → "9.22"."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value) / Decimal(10000):,.2f}"


@register.filter
def status_label(value) -> str:
    if not value:
        return "未填报"
    return IncomeStatus(value).label
