"""How the portal shows numbers and people, on every page (a template builtin, see settings).

Money is Decimal yuan; officials read totals in 万元. Nothing here rounds a stored figure: these
only format for display.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()
EMPTY = "—"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _places(digits) -> Decimal:
    return Decimal(1).scaleb(-int(digits))


@register.filter
def yuan(value) -> str:
    """12345.6 → "12,345.60"; nothing → "—"."""
    number = _decimal(value)
    return EMPTY if number is None else f"{number.quantize(_places(2), rounding=ROUND_HALF_UP):,.2f}"


@register.filter
def wan(value) -> str:
    """Yuan shown in 万元 with two decimals, as officials read them: 92200 → "9.22"."""
    number = _decimal(value)
    return EMPTY if number is None else f"{(number / 10000).quantize(_places(2), rounding=ROUND_HALF_UP):,.2f}"


@register.filter
def pct(value, digits=2) -> str:
    """A fraction as a percentage: "0.6123" → "61.23%"; nothing → "—".

    Shares and rates come rounded down to 4 decimals from their rule, so 2 digits show them exactly;
    fewer digits cut (never round up), so a shown rate never reaches a target the rule says is missed."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    return f"{(number * 100).quantize(_places(digits), rounding=ROUND_DOWN)}%"


@register.filter
def signed_pct(value, digits=2) -> str:
    """A change as a signed percentage: "0.5950" → "+59.50%"."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    return f"{(number * 100).quantize(_places(digits), rounding=ROUND_HALF_UP):+}%"


@register.filter
def person(user, default: str = EMPTY) -> str:
    """A user's display name (the demo accounts carry their office in first_name)."""
    if user is None:
        return default
    return user.first_name or user.get_username()
