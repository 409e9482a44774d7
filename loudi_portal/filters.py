"""Filters shared by the apps' filtersets: years, searching and sorting.

`q` finds a village by any part of its name or its township's name, or by any prefix of its
code (a township's or county's code is a prefix of its villages' codes). `sort` orders by one
column (`sort=name`, `sort=-total_income`), always followed by a stable order (the codes), so
pages never repeat or skip rows; empty values go last either way. Pages, their Excel exports and
the API share them.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q

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


def village_search_q(value: str, *, village: str = "village__") -> Q:
    """`village` is the path from the filtered model to Village ("" for Village itself)."""
    value = value.strip()
    if not value:
        return Q()
    return (
        Q(**{f"{village}name__icontains": value})
        | Q(**{f"{village}township__name__icontains": value})
        | Q(**{f"{village}code__startswith": value})
    )


class SortFilter(django_filters.OrderingFilter):
    """`sort=<key>` or `sort=-<key>`; `fields` maps model paths to keys, `tiebreak` is the stable
    order after the chosen column. Hidden in the filter form, so filtering keeps the sort."""

    def __init__(self, *args, tiebreak: tuple[str, ...] = ("code",), **kwargs):
        self.tiebreak = tiebreak
        kwargs.setdefault("label", "排序")
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        params = [param for param in value or [] if param]
        if not params:
            return qs
        ordering = []
        for param in params:
            descending = param.startswith("-")
            expression = F(self.param_map[param.lstrip("-")])
            ordering.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
        return qs.order_by(*ordering, *self.tiebreak)


def drop_invalid_sort(filterset_class, data, **kwargs):
    """A filterset bound to `data`, without a `sort` it does not offer (an old bookmark, a typo):
    the list then keeps its usual order instead of showing nothing."""
    filterset = filterset_class(data, **kwargs)
    if data is not None and "sort" in data and not filterset.is_valid() and "sort" in filterset.errors:
        data = data.copy()
        data.pop("sort")
        filterset = filterset_class(data or None, **kwargs)
    return filterset
