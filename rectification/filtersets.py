"""Filters shared by the pages and the API. Division choices are limited to the user's scope, so a
filter can narrow a list but never widen it."""

import django_filters
from django import forms
from django.db.models import Q

from loudi_portal.filters import SortFilter, YearFilter, village_search_q
from villages.models import County, Township
from villages.scope import scope_for
from villages.widgets import DivisionPicker

from .models import (
    Clue,
    ClueCategory,
    ClueSource,
    ClueStatus,
    Inspection,
    InspectionKind,
    WeakOrgStatus,
    WeakPartyOrganisation,
)
from .selectors import overdue_q

YES_NO = [("1", "是"), ("0", "否")]


class ScopedFilterSet(django_filters.FilterSet):
    """Offers only the counties and townships in the user's scope (pages pass `scope`; the API's
    filter backend passes the request)."""

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope is None and self.request is not None:
            scope = scope_for(self.request.user)
        if scope is not None:
            if "county" in self.filters:
                self.filters["county"].queryset = scope.counties()
            if "township" in self.filters:
                self.filters["township"].queryset = scope.townships()


class ClueFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label="编号、描述或村名")
    sort = SortFilter(
        fields=(
            ("code", "code"),
            ("village__code", "village"),
            ("found_on", "found_on"),
            ("deadline", "deadline"),
            ("status", "status"),
        )
    )
    county = django_filters.ModelChoiceFilter(
        field_name="village__township__county",
        queryset=County.objects.all(),
        to_field_name="code",
        label="县市区",
        widget=DivisionPicker("county"),
    )
    township = django_filters.ModelChoiceFilter(
        field_name="village__township",
        queryset=Township.objects.all(),
        to_field_name="code",
        label="乡镇(街道)",
        widget=DivisionPicker("township"),
    )
    village = django_filters.CharFilter(field_name="village__code", label="村(社区)代码")
    status = django_filters.ChoiceFilter(choices=ClueStatus.choices, label="状态")
    category = django_filters.ChoiceFilter(choices=ClueCategory.choices, label="问题类别")
    source = django_filters.ChoiceFilter(choices=ClueSource.choices, label="线索来源")
    overdue = django_filters.ChoiceFilter(choices=YES_NO, method="filter_overdue", label="逾期")
    open = django_filters.ChoiceFilter(choices=YES_NO, method="filter_open", label="未销号")
    # Reached from an inspection's or a campaign's page (?inspection=<id>), not typed in.
    inspection = django_filters.NumberFilter(field_name="inspection_id", label="检查", widget=forms.HiddenInput)
    campaign = django_filters.NumberFilter(field_name="campaign_id", label="自查自纠工作", widget=forms.HiddenInput)

    class Meta:
        model = Clue
        fields = ["q", "county", "township", "village", "status", "category", "source", "overdue", "open"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(description__icontains=value) | village_search_q(value))

    def filter_open(self, queryset, name, value):
        closed = Q(status=ClueStatus.CLOSED)
        return queryset.exclude(closed) if value == "1" else queryset.filter(closed)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value == "1" else queryset.exclude(overdue_q())


class InspectionFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label="编号、检查单位或村名")
    sort = SortFilter(fields=(("code", "code"), ("date", "date"), ("county__code", "county"), ("kind", "kind")))
    county = django_filters.ModelChoiceFilter(
        queryset=County.objects.all(), to_field_name="code", label="县市区", widget=DivisionPicker("county")
    )
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label="检查方式")
    year = YearFilter(field_name="date__year", label="年度")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="检查日期起")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="检查日期止")

    class Meta:
        model = Inspection
        fields = ["q", "county", "kind", "year", "date_from", "date_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        # An inspection covers several townships and villages: match any of them, list it once.
        places = Inspection.objects.filter(
            village_search_q(value, village="villages__")
            | Q(townships__name__icontains=value)
            | Q(townships__code__startswith=value)
        ).values("pk")
        return queryset.filter(
            Q(code__icontains=value)
            | Q(unit__icontains=value)
            | Q(county__name__icontains=value)
            | Q(county__code__startswith=value)
            | Q(pk__in=places)
        )


class WeakOrgFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label="党组织或村名、代码")
    sort = SortFilter(
        fields=(("village__code", "village"), ("year_listed", "year_listed"), ("status", "status")),
        tiebreak=("village__code", "pk"),
    )
    county = django_filters.ModelChoiceFilter(
        field_name="village__township__county",
        queryset=County.objects.all(),
        to_field_name="code",
        label="县市区",
        widget=DivisionPicker("county"),
    )
    township = django_filters.ModelChoiceFilter(
        field_name="village__township",
        queryset=Township.objects.all(),
        to_field_name="code",
        label="乡镇(街道)",
        widget=DivisionPicker("township"),
    )
    village = django_filters.CharFilter(field_name="village__code", label="村(社区)代码")
    status = django_filters.ChoiceFilter(choices=WeakOrgStatus.choices, label="状态")
    year_listed = YearFilter(label="列入年度")

    class Meta:
        model = WeakPartyOrganisation
        fields = ["q", "county", "township", "village", "status", "year_listed"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(branch_name__icontains=value) | village_search_q(value))
