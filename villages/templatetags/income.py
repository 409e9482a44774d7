"""Money and status display for the income pages."""

from django import template

from villages.models import IncomeStatus

register = template.Library()


@register.filter
def status_label(value) -> str:
    if not value:
        return "未填报"
    return IncomeStatus(value).label
