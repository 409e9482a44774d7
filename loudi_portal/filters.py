"""Filters shared by the apps' filtersets."""

import django_filters
from django import forms

YEAR_MIN, YEAR_MAX = 2000, 2100
YEAR_RANGE = f"年度应在 {YEAR_MIN} 到 {YEAR_MAX} 之间。"


class YearFilter(django_filters.NumberFilter):
    """A year: a whole number from 2000 to 2100. Anything else is the form's error (400 on the API, an
    empty list with the message on a page), never a query: `date__year=10000` is a server error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        kwargs.setdefault(
            "error_messages", {"invalid": "年度应为 4 位数字。", "min_value": YEAR_RANGE, "max_value": YEAR_RANGE}
        )
        super().__init__(*args, **kwargs)
