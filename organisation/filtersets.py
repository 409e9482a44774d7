"""Filters shared by the pages and the API. Division choices are limited to the user's scope, so a
filter can narrow a list but never widen it."""

import django_filters
from django.db.models import Q

from loudi_portal.filters import YearFilter
from villages.models import County, Township
from villages.scope import scope_for

from .models import (
    Attendance,
    Student,
    StudentStatus,
    Suggestion,
    SuggestionCategory,
    SuggestionSource,
    SuggestionStatus,
    TraineePosition,
    WorkTeam,
)

YES_NO = [("1", "是"), ("0", "否")]


class ScopedFilterSet(django_filters.FilterSet):
    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope is None and self.request is not None:
            scope = scope_for(self.request.user)
        if scope is not None:
            if "county" in self.filters:
                self.filters["county"].queryset = scope.counties()
            if "township" in self.filters:
                self.filters["township"].queryset = scope.townships()


def _county(path: str):
    return django_filters.ModelChoiceFilter(
        field_name=path, queryset=County.objects.all(), to_field_name="code", label="县市区"
    )


def _township(path: str):
    return django_filters.ModelChoiceFilter(
        field_name=path, queryset=Township.objects.all(), to_field_name="code", label="乡镇(街道)"
    )


class TeamFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label="编号、队名、派出单位或村名")
    county = _county("village__township__county")
    township = _township("village__township")
    village = django_filters.CharFilter(field_name="village__code", label="村(社区)代码")
    in_place = django_filters.ChoiceFilter(choices=YES_NO, method="filter_in_place", label="在岗")

    class Meta:
        model = WorkTeam
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name__icontains=value)
            | Q(dispatching_unit__icontains=value)
            | Q(village__name__icontains=value)
        )

    def filter_in_place(self, queryset, name, value):
        has_open = Q(terms__ended_on__isnull=True)
        if value == "1":
            return queryset.filter(pk__in=WorkTeam.objects.filter(has_open).values("pk"))
        return queryset.exclude(pk__in=WorkTeam.objects.filter(has_open).values("pk"))


class SuggestionFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label="编号、标题或建议人")
    county = _county("county")
    township = _township("township")
    status = django_filters.ChoiceFilter(choices=SuggestionStatus.choices, label="状态")
    source = django_filters.ChoiceFilter(choices=SuggestionSource.choices, label="建议人身份")
    category = django_filters.ChoiceFilter(choices=SuggestionCategory.choices, label="类别")

    class Meta:
        model = Suggestion
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value) | Q(author__icontains=value))


class StudentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")
    county = _county("township__county")
    township = _township("township")
    status = django_filters.ChoiceFilter(choices=StudentStatus.choices, label="在岗状态")
    enrolled_year = YearFilter(label="入学年份")
    graduated = django_filters.ChoiceFilter(choices=YES_NO, method="filter_graduated", label="已毕业")
    assigned = django_filters.ChoiceFilter(choices=YES_NO, method="filter_assigned", label="已分配到村")

    class Meta:
        model = Student
        fields = []

    def filter_graduated(self, queryset, name, value):
        return queryset.filter(graduated_year__isnull=value != "1")

    def filter_assigned(self, queryset, name, value):
        return queryset.filter(village__isnull=value != "1")


class AttendanceFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")
    county = _county("village__township__county")
    township = _township("village__township")
    session = django_filters.NumberFilter(field_name="session_id", label="培训班")
    position = django_filters.ChoiceFilter(choices=TraineePosition.choices, label="职务")

    class Meta:
        model = Attendance
        fields = []
