"""Reads of the divisions and of income, for views, exports and other apps."""

from django.db.models import Count, QuerySet

from .models import ClosedYear, County, Township, Village
from .scope import Scope


def village_list(*, scope: Scope) -> QuerySet[Village]:
    return scope.villages().order_by("code")


def county_summaries(*, scope: Scope) -> QuerySet[County]:
    """Counties in scope with their township and village counts (one query)."""
    return scope.counties().annotate(
        township_count=Count("townships", distinct=True), village_count=Count("townships__villages", distinct=True)
    )


def township_summaries(*, scope: Scope) -> QuerySet[Township]:
    return scope.townships().annotate(village_count=Count("villages"))


def year_is_closed(*, year: int) -> bool:
    return ClosedYear.objects.filter(year=year).exists()


def closed_years() -> set[int]:
    return set(ClosedYear.objects.values_list("year", flat=True))
