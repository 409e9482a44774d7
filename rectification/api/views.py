"""The API: /api/inspections/ and /api/clues/, scoped like the pages, transitions as actions.

Service errors come back as 400 (ValidationError) or 403 (PermissionDenied) with the services'
Chinese messages.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from villages.scope import scope_for

from .. import selectors, services
from ..filtersets import ClueFilterSet, InspectionFilterSet
from ..models import Clue, ClueEvidence, Inspection, SelfInspectionCampaign
from . import serializers as s


class ScopedViewSetMixin:
    @property
    def scope(self):
        return scope_for(self.request.user)


class InspectionViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.InspectionSerializer
    filterset_class = InspectionFilterSet
    queryset = Inspection.objects.none()

    def get_queryset(self):
        return (
            selectors.inspection_list(scope=self.scope)
            .prefetch_related("townships", "villages")
            .order_by("-date", "-code")
        )

    @extend_schema(request=s.InspectionWriteSerializer, responses={201: s.InspectionSerializer})
    def create(self, request, *args, **kwargs):
        data = s.InspectionWriteSerializer(data=request.data, scope=self.scope)
        data.is_valid(raise_exception=True)
        inspection = services.inspection_create(user=request.user, **data.validated_data)
        return Response(
            s.InspectionSerializer(self.get_queryset().get(pk=inspection.pk)).data, status=status.HTTP_201_CREATED
        )


class ClueViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ClueSerializer
    filterset_class = ClueFilterSet
    queryset = Clue.objects.none()
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        qs = selectors.clue_list(scope=self.scope)
        if self.action != "list":
            qs = qs.prefetch_related(Prefetch("evidence", queryset=ClueEvidence.objects.order_by("uploaded_at", "pk")))
        return qs

    def get_serializer_class(self):
        return s.ClueSerializer if self.action == "list" else s.ClueDetailSerializer

    def _fresh(self, clue, code=status.HTTP_200_OK):
        return Response(s.ClueDetailSerializer(self.get_queryset().get(pk=clue.pk)).data, status=code)

    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=s.ClueCreateSerializer, responses={201: s.ClueDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = s.ClueCreateSerializer(
            data=request.data, scope=self.scope, inspections=selectors.inspections_in_scope(scope=self.scope)
        )
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        campaign = None
        if v.get("campaign"):
            campaign = SelfInspectionCampaign.objects.filter(pk=v["campaign"]).first()
            if campaign is None:
                raise exceptions.ValidationError({"campaign": "自查自纠工作不存在。"})
        clue = services.clue_create(
            user=request.user,
            source=v["source"],
            inspection=v.get("inspection"),
            campaign=campaign,
            data=services.ClueInput(
                village=v["village"],
                category=v["category"],
                description=v["description"],
                amount_involved=v["amount_involved"],
                responsible_person=v["responsible_person"],
                deadline=v["deadline"],
                found_on=v.get("found_on"),
                measures=v.get("measures", ""),
            ),
        )
        return self._fresh(clue, status.HTTP_201_CREATED)

    @extend_schema(request=s.MeasuresSerializer, responses=s.ClueDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        data = self._input(s.MeasuresSerializer)
        return self._fresh(services.clue_start(clue=self.get_object(), user=request.user, **data))

    @extend_schema(request=s.ProgressSerializer, responses=s.ClueDetailSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        data = self._input(s.ProgressSerializer)
        return self._fresh(services.clue_update_progress(clue=self.get_object(), user=request.user, **data))

    @extend_schema(request={"multipart/form-data": s.EvidenceUploadSerializer}, responses={201: s.ClueDetailSerializer})
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        data = self._input(s.EvidenceUploadSerializer)
        clue = self.get_object()
        services.clue_add_evidence(clue=clue, user=request.user, **data)
        return self._fresh(clue, status.HTTP_201_CREATED)

    @extend_schema(request=s.RequestSerializer, responses=s.ClueDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-acceptance")
    def request_acceptance(self, request, pk=None):
        data = self._input(s.RequestSerializer)
        return self._fresh(services.clue_request_acceptance(clue=self.get_object(), user=request.user, **data))

    @extend_schema(request=s.RejectSerializer, responses=s.ClueDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = self._input(s.RejectSerializer)
        return self._fresh(services.clue_reject(clue=self.get_object(), user=request.user, **data))

    @extend_schema(request=s.CloseSerializer, responses=s.ClueDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = self._input(s.CloseSerializer)
        return self._fresh(services.clue_close(clue=self.get_object(), user=request.user, **data))

    @extend_schema(request=s.FromWarningSerializer, responses={201: s.ClueDetailSerializer})
    @action(detail=False, methods=["post"], url_path="from-warning")
    def from_warning(self, request):
        from assets.models import Contract

        data = self._input(s.FromWarningSerializer)
        contract = self.scope.filter(Contract.objects.all()).filter(pk=data["contract"]).first()
        if contract is None:
            # A record named in the body, not in the path: the body is wrong (400), as for `campaign`.
            raise exceptions.ValidationError({"contract": ["没有找到该合同,或它不在您的管辖范围内。"]})
        clue = services.clue_from_warning(user=request.user, contract=contract, warning=data["warning"])
        return self._fresh(clue, status.HTTP_201_CREATED)
