"""The API of targets and the acceptance: reads scoped like the pages, writes through the services."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from incentives import selectors, services
from incentives.filtersets import AcceptanceRunFilterSet, TargetPlanFilterSet, VillageResultFilterSet
from incentives.models import AcceptanceRun, AcceptanceSignoff, CountyTarget, TargetPlan
from villages.scope import scope_for

from .serializers import (
    AcceptanceRunSerializer,
    RunStartSerializer,
    SignoffSerializer,
    SignSerializer,
    TargetPlanSerializer,
    VillageResultSerializer,
)


class AcceptanceScopeMixin:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.scope = scope_for(request.user)
        if not selectors.can_view(self.scope):
            raise PermissionDenied("目标任务与年终验收仅供市级部门和县级审核员查看。")

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        if hasattr(self, "scope"):
            ctx["scope"] = self.scope
            ctx["visible_codes"] = selectors.visible_unit_codes(self.scope)
        return ctx


class TargetPlanViewSet(AcceptanceScopeMixin, viewsets.ReadOnlyModelViewSet):
    """Yearly targets with the counties' allocations (a county reviewer sees his own county's)."""

    serializer_class = TargetPlanSerializer
    filterset_class = TargetPlanFilterSet
    lookup_field = "year"
    queryset = TargetPlan.objects.none()

    def get_queryset(self):
        return selectors.plan_list(scope=self.scope).prefetch_related(
            Prefetch("county_targets", queryset=CountyTarget.objects.select_related("county"))
        )


class AcceptanceRunViewSet(AcceptanceScopeMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Acceptance runs. POST {"year": 2024} starts a new version (市委组织部), computed by Celery."""

    serializer_class = AcceptanceRunSerializer
    filterset_class = AcceptanceRunFilterSet
    queryset = AcceptanceRun.objects.none()

    def get_queryset(self):
        return selectors.run_list(scope=self.scope).prefetch_related(
            Prefetch("signoffs", queryset=AcceptanceSignoff.objects.select_related("user"))
        )

    def get_serializer_class(self):
        if self.action == "create":
            return RunStartSerializer
        if self.action == "sign":
            return SignSerializer
        if self.action == "villages":
            return VillageResultSerializer
        return super().get_serializer_class()

    @extend_schema(request=RunStartSerializer, responses={201: AcceptanceRunSerializer})
    def create(self, request, *args, **kwargs):
        form = RunStartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        run = services.acceptance_start(year=form.validated_data["year"], user=request.user)
        run = self.get_queryset().get(pk=run.pk)
        return Response(AcceptanceRunSerializer(run, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=SignSerializer, responses={201: SignoffSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign the run for the user's department (finance: with `reward_total`)."""
        run = self.get_object()
        form = SignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        signoff = services.acceptance_sign(
            run=run,
            user=request.user,
            comment=form.validated_data.get("comment", ""),
            reward_total=form.validated_data.get("reward_total"),
        )
        return Response(SignoffSerializer(signoff).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=VillageResultSerializer(many=True),
        parameters=[
            OpenApiParameter(name, bool if name in ("below_clearing", "approved") else str, description=f.label)
            for name, f in VillageResultFilterSet.base_filters.items()
        ]
        + [OpenApiParameter("page", int)],
    )
    @action(detail=True, methods=["get"], pagination_class=PageNumberPagination, filter_backends=[])
    def villages(self, request, pk=None):
        """The run's per-village rows in the user's scope; filters county, township, village,
        below_clearing, approved, tier."""
        run = self.get_object()
        filterset = VillageResultFilterSet(
            request.query_params, queryset=selectors.run_village_results(run=run, scope=self.scope)
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        rows = filterset.qs
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(VillageResultSerializer(page, many=True).data)
