from rest_framework import viewsets

from villages.filtersets import VillageFilterSet
from villages.models import County, Township, Village
from villages.scope import scope_for

from .serializers import CountySerializer, TownshipSerializer, VillageSerializer


class CountyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CountySerializer
    lookup_field = "code"
    queryset = County.objects.none()

    def get_queryset(self):
        return scope_for(self.request.user).counties()


class TownshipViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TownshipSerializer
    lookup_field = "code"
    queryset = Township.objects.none()
    filterset_fields = ["county__code"]

    def get_queryset(self):
        return scope_for(self.request.user).townships()


class VillageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VillageSerializer
    lookup_field = "code"
    filterset_class = VillageFilterSet
    queryset = Village.objects.none()

    def get_queryset(self):
        return scope_for(self.request.user).villages()
