"""Number formats of the acceptance pages: yuan, 万元, percentages, the matching ratio."""

from decimal import Decimal, InvalidOperation

from django import template

from incentives.rules import ratio_label

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def ratio(value) -> str:
    return "—" if _decimal(value) is None else ratio_label(value)


@register.filter
def passed(flag) -> str:
    return "达标" if flag else "未达标"
