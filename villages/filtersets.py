import django_filters
from django.db.models import Q

from loudi_portal.filters import SortFilter, YearFilter, village_search_q

from .models import County, IncomeReport, IncomeStatus, Township, Village, VillageKind
from .selectors import TIER_MIDDLE_FROM, TIER_MILLION_FROM, TIER_STRONG_FROM, WEAK_TOTAL_LINE
from .widgets import DivisionPicker


class VillageFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="名称或代码")
    county = django_filters.ModelChoiceFilter(
        field_name="township__county",
        queryset=County.objects.all(),
        to_field_name="code",
        label="县市区",
        widget=DivisionPicker("county"),
    )
    township = django_filters.ModelChoiceFilter(
        queryset=Township.objects.all(), to_field_name="code", label="乡镇(街道)", widget=DivisionPicker("township")
    )
    kind = django_filters.ChoiceFilter(choices=VillageKind.choices, label="类型")
    sort = SortFilter(fields=(("code", "code"), ("name", "name"), ("township__code", "township")))

    class Meta:
        model = Village
        fields = ["q", "county", "township", "kind"]

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope is not None:
            # Offer only the divisions the user may see.
            self.filters["county"].queryset = scope.counties()
            self.filters["township"].queryset = scope.townships()

    def search(self, queryset, name, value):
        return queryset.filter(village_search_q(value, village=""))


class _DivisionSearch(django_filters.FilterSet):
    """`q` finds units by name or code prefix: what the division pickers ask as the user types."""

    q = django_filters.CharFilter(method="search", label="名称或代码")

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class CountyFilterSet(_DivisionSearch):
    class Meta:
        model = County
        fields = ["q"]


class TownshipFilterSet(_DivisionSearch):
    county = django_filters.CharFilter(field_name="county__code", label="县市区代码")
    county__code = django_filters.CharFilter(field_name="county__code", label="县市区代码")

    class Meta:
        model = Township
        fields = ["q", "county", "county__code"]


# --- Income ------------------------------------------------------------------------------------
#
# One set of filters for the income pages (villages annotated with their report, see
# selectors.income_village_rows) and the API (IncomeReport rows): the report columns carry the
# same names in both querysets, only the path to the divisions differs.

INCOME_STATUS_CHOICES = [*IncomeStatus.choices, ("none", "未填报")]
INCOME_TIER_CHOICES = [
    ("weak", "弱村(经营性收入<10万,或未审核)"),
    ("middle", "中间村(10万~50万)"),
    ("strong", "强村(≥50万)"),
    ("million", "百万村(≥100万)"),
]
_NOT_APPROVED = Q(status__isnull=True) | Q(status__in=[IncomeStatus.DRAFT, IncomeStatus.SUBMITTED])


def income_tier_q(tier: str) -> Q:
    """Tiers count approved reports only (the campaign's definition); a village without one is a 弱村."""
    approved = Q(status=IncomeStatus.APPROVED)
    if tier == "weak":
        return _NOT_APPROVED | (approved & Q(operating_income__lt=TIER_MIDDLE_FROM))
    if tier == "middle":
        return approved & Q(operating_income__gte=TIER_MIDDLE_FROM, operating_income__lt=TIER_STRONG_FROM)
    if tier == "strong":
        return approved & Q(operating_income__gte=TIER_STRONG_FROM)
    if tier == "million":
        return approved & Q(operating_income__gte=TIER_MILLION_FROM)
    raise ValueError(tier)


INCOME_SORT_COLUMNS = (
    "operating_revenue",
    "contracting_revenue",
    "investment_income",
    "subsidy_income",
    "other_income",
    "total_income",
    "operating_income",
    "status",
)


class _IncomeFilterSet(django_filters.FilterSet):
    # The rows with no report: villages without one on the pages, nothing in the API.
    no_report_q = Q(pk__in=[])
    # The path to Village: the pages list villages, the API lists reports.
    village_path = "village__"

    q = django_filters.CharFilter(method="search", label="村(社区)名称或代码")

    status = django_filters.ChoiceFilter(choices=INCOME_STATUS_CHOICES, method="filter_status", label="状态")
    tier = django_filters.ChoiceFilter(choices=INCOME_TIER_CHOICES, method="filter_tier", label="分类")
    below_line = django_filters.ChoiceFilter(
        choices=[("1", "是")], method="filter_below_line", label="总收入低于5万", empty_label="不限"
    )
    operating_min = django_filters.NumberFilter(
        method="filter_operating_min", label="经营性收入不低于(元)", min_value=0
    )
    operating_max = django_filters.NumberFilter(method="filter_operating_max", label="经营性收入低于(元)", min_value=0)

    ORDER = (
        "q",
        "year",
        "county",
        "township",
        "village",
        "status",
        "tier",
        "below_line",
        "operating_min",
        "operating_max",
        "sort",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters = {name: self.filters[name] for name in self.ORDER}

    def search(self, queryset, name, value):
        return queryset.filter(village_search_q(value, village=self.village_path))

    def filter_status(self, queryset, name, value):
        if value == "none":
            return queryset.filter(self.no_report_q)
        return queryset.filter(status=value)

    def filter_tier(self, queryset, name, value):
        return queryset.filter(income_tier_q(value))

    def filter_below_line(self, queryset, name, value):
        if value != "1":
            return queryset
        return queryset.filter(_NOT_APPROVED | Q(status=IncomeStatus.APPROVED, total_income__lt=WEAK_TOTAL_LINE))

    def filter_operating_min(self, queryset, name, value):
        return queryset.filter(status=IncomeStatus.APPROVED, operating_income__gte=value)

    def filter_operating_max(self, queryset, name, value):
        # Bands on the dashboards are of approved reports: [operating_min, operating_max).
        return queryset.filter(status=IncomeStatus.APPROVED, operating_income__lt=value)


class IncomeReportFilterSet(_IncomeFilterSet):
    """The API's filters on IncomeReport."""

    # The queryset is already narrowed to the user's scope: a code outside it finds nothing.
    year = YearFilter(field_name="year", label="年度")
    county = django_filters.CharFilter(field_name="village__township__county__code", label="县市区代码")
    township = django_filters.CharFilter(field_name="village__township__code", label="乡镇代码")
    village = django_filters.CharFilter(field_name="village__code", label="村区划代码")
    sort = SortFilter(
        fields=(("village__code", "code"), ("village__name", "name"), *((c, c) for c in INCOME_SORT_COLUMNS)),
        tiebreak=("village__code", "year"),
    )

    class Meta:
        model = IncomeReport
        fields: list[str] = []


class IncomeVillageFilterSet(_IncomeFilterSet):
    """The report list page's filters on villages annotated with the year's report.

    The year is read by the view (it decides which reports are joined); it is a field here so the
    form shows it.
    """

    no_report_q = Q(report_id__isnull=True)
    village_path = ""

    year = django_filters.ChoiceFilter(choices=[], method="filter_year", label="年度", empty_label=None)
    county = django_filters.ModelChoiceFilter(
        field_name="township__county",
        queryset=County.objects.none(),
        to_field_name="code",
        label="县市区",
        widget=DivisionPicker("county"),
    )
    township = django_filters.ModelChoiceFilter(
        field_name="township",
        queryset=Township.objects.none(),
        to_field_name="code",
        label="乡镇(街道)",
        widget=DivisionPicker("township"),
    )
    village = django_filters.CharFilter(field_name="code", label="村区划代码")
    sort = SortFilter(
        fields=(
            ("code", "code"),
            ("name", "name"),
            ("township__code", "township"),
            *((c, c) for c in INCOME_SORT_COLUMNS),
            ("last_total", "last_total"),
        )
    )

    class Meta:
        model = Village
        fields: list[str] = []

    def __init__(self, *args, scope, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = [(str(y), f"{y} 年") for y in years]
        # Only the divisions the user may see are valid (a code outside the scope is an invalid
        # choice); a chosen code is looked up, the list of every unit is never loaded.
        self.filters["township"].queryset = scope.townships()
        self.filters["county"].queryset = scope.counties()

    def selected_township(self):
        """The township filtered on, if any."""
        return self.form.cleaned_data.get("township")

    def filter_year(self, queryset, name, value):
        return queryset
