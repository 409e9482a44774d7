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
def yuan(value) -> str:
    """1234567.8 → "1,234,567.80"; nothing → "—"."""
    number = _decimal(value)
    return "—" if number is None else f"{number:,.2f}"


@register.filter
def wan(value) -> str:
    """Yuan shown in 万元 with two decimals, as officials read them: 92200 → "9.22"."""
    number = _decimal(value)
    return "—" if number is None else f"{number / 10000:,.2f}"


@register.filter
def pct(value) -> str:
    """A fraction as a percentage: "0.6123" → "61.23%"; nothing → "—"."""
    number = _decimal(value)
    return "—" if number is None else f"{number * 100:.2f}%"


@register.filter
def signed_pct(value) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{number * 100:+.2f}%"


@register.filter
def ratio(value) -> str:
    return "—" if _decimal(value) is None else ratio_label(value)


@register.filter
def passed(flag) -> str:
    return "达标" if flag else "未达标"


@register.filter
def person(user, default: str = "") -> str:
    """A user's display name (the demo accounts carry their office in first_name)."""
    if user is None:
        return default
    return user.first_name or user.get_username()
