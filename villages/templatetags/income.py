"""Money and status display for the income pages."""

from django import template

from loudi_portal.templatetags.portal_format import wan, yuan
from villages.models import IncomeStatus

register = template.Library()


@register.filter
def status_label(value) -> str:
    if not value:
        return "未填报"
    return IncomeStatus(value).label


UNFILLED = "未填"


@register.filter
def amount(value, reported=True) -> str:
    """An amount of a report in yuan; a blank a draft keeps (None) is “未填”, never 0. `reported`
    False (a village with no report at all) shows the usual “—”."""
    if value is None and reported:
        return UNFILLED
    return yuan(value)


@register.filter
def amount_wan(value, reported=True) -> str:
    """As `amount`, in 万元."""
    if value is None and reported:
        return UNFILLED
    return wan(value)
