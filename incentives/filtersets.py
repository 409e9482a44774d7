import django_filters

from loudi_portal.filters import YearFilter

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
    county = django_filters.CharFilter(field_name="county_code", label="县市区代码")
    township = django_filters.CharFilter(field_name="township_code", label="乡镇代码")
    village = django_filters.CharFilter(field_name="village_code", label="村(社区)代码")
    below_clearing = django_filters.BooleanFilter(label="低于清零线")
    approved = django_filters.BooleanFilter(label="有已审核报告")
    tier = django_filters.CharFilter(label="档次")

    class Meta:
        model = AcceptanceVillageResult
        fields = ["county", "township", "village", "below_clearing", "approved", "tier"]
