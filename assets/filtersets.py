"""Filters shared by the list pages, the exports and the API.

Division filters take codes (`county`, `township`, `village`); a county or township outside the
user's scope is an invalid choice, so a filter can never widen what the scope shows.
"""

import django_filters
from django.db.models import Q

from loudi_portal import clock
from loudi_portal.filters import SortFilter, village_search_q
from villages.models import County, Township
from villages.scope import scope_for
from villages.widgets import DivisionPicker

from . import rules
from .models import (
    Asset,
    AssetCategory,
    AssetNature,
    AssetStatus,
    Contract,
    ContractMethod,
    Fund,
    FundKind,
    Resource,
    ResourceStatus,
    ResourceType,
    Revitalisation,
)


class DivisionFilterSet(django_filters.FilterSet):
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

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope is None and self.request is not None:  # the API's filter backend passes the request
            scope = scope_for(self.request.user)
        if scope is not None:
            self.filters["county"].queryset = scope.counties()
            self.filters["township"].queryset = scope.townships()


class RevitalisedFilterMixin(django_filters.FilterSet):
    # revitalised=1 / 0, as the dashboards link it.
    revitalised = django_filters.ChoiceFilter(
        choices=[("1", "已盘活"), ("0", "未盘活")], method="filter_revitalised", label="盘活"
    )

    def filter_revitalised(self, queryset, name, value):
        # The list selectors annotate `revitalised`; the API's querysets come from them too.
        return queryset.filter(revitalised=value == "1")


class AssetFilterSet(RevitalisedFilterMixin, DivisionFilterSet):
    q = django_filters.CharFilter(method="search", label="编号、名称或村名")
    status = django_filters.ChoiceFilter(choices=AssetStatus.choices, label="状态")
    sort = SortFilter(
        fields=(
            ("village__code", "village"),
            ("code", "code"),
            ("name", "name"),
            ("acquired_on", "acquired_on"),
            ("original_value", "original_value"),
            ("book_value", "book_value"),
            ("status", "status"),
        ),
        tiebreak=("village__code", "code"),
    )
    nature = django_filters.ChoiceFilter(choices=AssetNature.choices, label="资产性质")
    category = django_filters.ChoiceFilter(choices=AssetCategory.choices, label="资产类别")

    class Meta:
        model = Asset
        fields = ["q", "county", "township", "village", "nature", "category", "status", "revitalised"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | village_search_q(value))


class ResourceFilterSet(RevitalisedFilterMixin, DivisionFilterSet):
    q = django_filters.CharFilter(method="search", label="编号、名称或村名")
    sort = SortFilter(
        fields=(
            ("village__code", "village"),
            ("code", "code"),
            ("name", "name"),
            ("area", "area"),
            ("status", "status"),
        ),
        tiebreak=("village__code", "code"),
    )
    resource_type = django_filters.ChoiceFilter(choices=ResourceType.choices, label="资源类型")
    status = django_filters.ChoiceFilter(choices=ResourceStatus.choices, label="状态")

    class Meta:
        model = Resource
        fields = ["q", "county", "township", "village", "resource_type", "status", "revitalised"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(location__icontains=value) | village_search_q(value)
        )


CONTRACT_STATUS_CHOICES = [("active", "履行中"), ("pending", "未开始"), ("ended", "已到期")]
SUBJECT_CHOICES = [("asset", "资产"), ("resource", "资源")]


class ContractFilterSet(RevitalisedFilterMixin, DivisionFilterSet):
    q = django_filters.CharFilter(method="search", label="编号、承包方或村名")
    sort = SortFilter(
        fields=(
            ("village__code", "village"),
            ("number", "number"),
            ("counterparty", "counterparty"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
            ("yearly_amount", "yearly_amount"),
        ),
        tiebreak=("village__code", "number"),
    )
    status = django_filters.ChoiceFilter(choices=CONTRACT_STATUS_CHOICES, method="filter_status", label="履行状态")
    subject = django_filters.ChoiceFilter(choices=SUBJECT_CHOICES, method="filter_subject", label="标的")
    method = django_filters.ChoiceFilter(choices=ContractMethod.choices, label="发包方式")

    class Meta:
        model = Contract
        fields = ["q", "county", "township", "village", "status", "subject", "method", "revitalised"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(counterparty__icontains=value) | village_search_q(value))

    def filter_status(self, queryset, name, value):
        today = clock.today()
        if value == "active":
            return queryset.filter(rules.in_force_q(today))
        if value == "pending":
            return queryset.filter(start_date__gt=today)
        return queryset.filter(end_date__lt=today)

    def filter_subject(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})


class FundFilterSet(DivisionFilterSet):
    q = django_filters.CharFilter(method="search", label="名称或村名")
    kind = django_filters.ChoiceFilter(choices=FundKind.choices, label="类别")
    sort = SortFilter(
        fields=(("village__code", "village"), ("kind", "kind"), ("name", "name")),
        tiebreak=("village__code", "kind", "name"),
    )

    class Meta:
        model = Fund
        fields = ["q", "county", "township", "village", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | village_search_q(value))


class RevitalisationFilterSet(DivisionFilterSet):
    q = django_filters.CharFilter(method="search", label="村(社区)名称或代码")
    sort = SortFilter(
        fields=(("village__code", "village"), ("revitalised_on", "revitalised_on")), tiebreak=("village__code", "pk")
    )
    subject = django_filters.ChoiceFilter(choices=SUBJECT_CHOICES, method="filter_subject", label="盘活对象")

    class Meta:
        model = Revitalisation
        fields = ["q", "county", "township", "village", "subject"]

    def search(self, queryset, name, value):
        return queryset.filter(village_search_q(value))

    def filter_subject(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})


class WarningFilterSet(DivisionFilterSet):
    """Narrows the contracts whose warnings are listed; the warning code is applied afterwards."""

    q = django_filters.CharFilter(method="search", label="村(社区)名称或代码")

    code = django_filters.ChoiceFilter(
        choices=list(rules.WARNING_LABELS.items()),
        method="keep",
        label="预警类型",
    )

    class Meta:
        model = Contract
        fields = ["q", "county", "township", "village", "code"]

    def search(self, queryset, name, value):
        return queryset.filter(village_search_q(value))

    def keep(self, queryset, name, value):
        return queryset
