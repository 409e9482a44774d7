import django_filters
from django.db.models import Q

from .models import County, Township, Village, VillageKind


class VillageFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="名称或代码")
    county = django_filters.ModelChoiceFilter(
        field_name="township__county", queryset=County.objects.all(), to_field_name="code", label="县市区"
    )
    township = django_filters.ModelChoiceFilter(
        queryset=Township.objects.all(), to_field_name="code", label="乡镇(街道)"
    )
    kind = django_filters.ChoiceFilter(choices=VillageKind.choices, label="类型")

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
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))
