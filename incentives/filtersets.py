import django_filters
from django.db.models import Q

from loudi_portal.filters import SortFilter, YearFilter

from .models import AcceptanceRun, AcceptanceVillageResult, RunStatus, TargetPlan


class TargetPlanFilterSet(django_filters.FilterSet):
    year = YearFilter(label="年度")

    class Meta:
        model = TargetPlan
        fields = ["year"]


class AcceptanceRunFilterSet(django_filters.FilterSet):
    year = YearFilter(label="年度")
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label="状态")

    class Meta:
        model = AcceptanceRun
        fields = ["year", "status"]


class VillageResultFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="村(社区)名称或代码")
    county = django_filters.CharFilter(field_name="county_code", label="县市区代码")
    township = django_filters.CharFilter(field_name="township_code", label="乡镇代码")
    village = django_filters.CharFilter(field_name="village_code", label="村(社区)代码")
    below_clearing = django_filters.BooleanFilter(label="低于清零线")
    approved = django_filters.BooleanFilter(label="有已审核报告")
    tier = django_filters.CharFilter(label="档次")
    sort = SortFilter(
        fields=(("village_code", "code"), ("village_name", "name"), ("operating_income", "operating_income")),
        tiebreak=("village_code",),
    )

    class Meta:
        model = AcceptanceVillageResult
        fields = ["q", "county", "township", "village", "below_clearing", "approved", "tier"]

    def search(self, queryset, name, value):
        # The result rows keep the names and codes as they were at the run (history stays true).
        value = value.strip()
        return queryset.filter(
            Q(village_name__icontains=value) | Q(township_name__icontains=value) | Q(village_code__startswith=value)
        )
