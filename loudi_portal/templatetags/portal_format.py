"""How the portal shows numbers and people, on every page (a template builtin, see settings).

Money is Decimal yuan; officials read totals in 万元. Nothing here rounds a stored figure: these
only format for display.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from loudi_portal import clock

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


def wan_text(value, *, grouping: bool = True) -> str:
    """Yuan in 万元 without rounding: a cent is the sixth decimal, trailing zeros dropped
    (12345678.90 → "1,234.56789"; 10000000 → "1,000")."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    wan = (number / 10000).quantize(_places(6))
    text = f"{wan:,.6f}" if grouping else f"{wan:.6f}"
    return text.rstrip("0").rstrip(".")


@register.filter
def wan_exact(value) -> str:
    """Yuan shown in 万元 to the cent, where a figure is checked or typed again (targets, sign-off)."""
    return wan_text(value)


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


def person_label(user, default: str = EMPTY) -> str:
    """Who did it, as colleagues know them: name, role and unit — "刘建国(乡镇填报员 · 乐坪街道)".
    A user without a name shows the login; a user without a role shows the name alone."""
    if user is None:
        return default
    name = user.first_name or user.get_username()
    try:
        official = user.official
    except ObjectDoesNotExist:
        return name
    unit = official.township or official.county
    role = official.get_role_display()
    return f"{name}({role} · {unit.name})" if unit is not None else f"{name}({role})"


@register.filter
def person(user, default: str = EMPTY) -> str:
    """A user's name, role and unit (see person_label); `|person:"系统"` names a missing user."""
    return person_label(user, default)


@register.filter
def since(moment) -> str:
    """When figures were computed: "14:05" today, "12月4日 23:50" before."""
    if not moment:
        return EMPTY
    local = timezone.localtime(moment)
    return f"{local:%H:%M}" if local.date() == clock.today() else f"{local.month}月{local.day}日 {local:%H:%M}"
