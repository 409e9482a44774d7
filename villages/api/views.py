from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from villages import selectors, services
from villages.filtersets import CountyFilterSet, IncomeReportFilterSet, TownshipFilterSet, VillageFilterSet
from villages.models import County, IncomeReport, Notification, ReportingPeriod, Township, Village
from villages.scope import scope_for

from .serializers import (
    CountySerializer,
    IncomeActionSerializer,
    IncomeReasonSerializer,
    IncomeReportSerializer,
    NotificationSerializer,
    ReportingPeriodSerializer,
    TownshipSerializer,
    VillageSerializer,
)


class CountyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CountySerializer
    filterset_class = CountyFilterSet
    lookup_field = "code"
    queryset = County.objects.none()

    def get_queryset(self):
        return scope_for(self.request.user).counties()


class TownshipViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TownshipSerializer
    lookup_field = "code"
    queryset = Township.objects.none()
    filterset_class = TownshipFilterSet

    def get_queryset(self):
        return scope_for(self.request.user).townships()


class VillageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VillageSerializer
    lookup_field = "code"
    filterset_class = VillageFilterSet
    queryset = Village.objects.none()

    def get_queryset(self):
        return scope_for(self.request.user).villages()


# A write based on a version that is no longer the current one (optimistic locking).
CONFLICT = inline_serializer(
    "IncomeConflict",
    {
        "detail": serializers.CharField(),
        "current_version": serializers.IntegerField(allow_null=True, help_text="报表当前的版本;报表不存在时为 null"),
    },
)


@extend_schema_view(
    create=extend_schema(responses={201: IncomeReportSerializer, 409: CONFLICT}),
    update=extend_schema(responses={200: IncomeReportSerializer, 409: CONFLICT}),
    partial_update=extend_schema(responses={200: IncomeReportSerializer, 409: CONFLICT}),
)
class IncomeReportViewSet(viewsets.ModelViewSet):
    """村级集体经济收入. Scoped like the pages; writes and transitions go through villages.services.

    Update (PUT/PATCH) requires `version`, the version the client read: a stale one answers 409
    with the current version. Actions: POST .../submit/, .../approve/ ({version}),
    .../return/ and .../reopen/ ({version, reason}). Reports are never deleted.
    """

    serializer_class = IncomeReportSerializer
    filterset_class = IncomeReportFilterSet
    queryset = IncomeReport.objects.none()
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        reports = selectors.income_reports(scope=scope_for(self.request.user))
        if self.action in ("update", "partial_update"):
            # One read, locked until the write commits, serves the scope (404), the version check,
            # the write and the response.
            reports = reports.select_for_update(of=("self",))
        return reports

    def handle_exception(self, exc):
        if isinstance(exc, Http404):
            exc = NotFound("未找到该收入报表,或它不在您的管辖范围内。")
        return super().handle_exception(exc)

    @staticmethod
    def _figures(validated: dict, report: IncomeReport | None = None) -> dict:
        """The amounts and note to save; on a partial update the missing ones keep their values."""
        names = (*services.INCOME_AMOUNT_FIELDS, "note")
        return {
            n: validated[n] if n in validated else getattr(report, n, None) for n in names if n in validated or report
        }

    def _respond(self, report: IncomeReport, code=status.HTTP_200_OK) -> Response:
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = services.income_save_draft(
            user=request.user,
            village=data["village"],
            year=data["year"],
            data=self._figures(data),
            version=data.get("version") or None,
        )
        return self._respond(report, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        with transaction.atomic():
            report = self.get_object()
            serializer = self.get_serializer(report, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            report = services.income_update(
                user=request.user, report=report, data=self._figures(data, report), version=data["version"]
            )
        return Response(self.get_serializer(report).data)

    def _transition(self, request, service, serializer_class):
        report = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = service(user=request.user, report=report, **serializer.validated_data)
        return self._respond(report)

    @extend_schema(request=IncomeActionSerializer, responses={200: IncomeReportSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """草稿 → 已提交 (township clerk)."""
        return self._transition(request, services.income_submit, IncomeActionSerializer)

    @extend_schema(request=IncomeActionSerializer, responses={200: IncomeReportSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """已提交 → 已审核 (county reviewer)."""
        return self._transition(request, services.income_approve, IncomeActionSerializer)

    @extend_schema(request=IncomeReasonSerializer, responses={200: IncomeReportSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_report(self, request, pk=None):
        """已提交 → 草稿 with a reason (county reviewer)."""
        return self._transition(request, services.income_return, IncomeReasonSerializer)

    @extend_schema(request=IncomeReasonSerializer, responses={200: IncomeReportSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """已审核 → 草稿 with a reason (市委组织部)."""
        return self._transition(request, services.income_reopen, IncomeReasonSerializer)


class ReportingPeriodViewSet(viewsets.ModelViewSet):
    """填报期, by year. Everyone with a role reads them; 市委组织部 sets them (POST) and changes or
    extends them (PUT/PATCH, with `reason`). Never deleted."""

    serializer_class = ReportingPeriodSerializer
    lookup_field = "year"
    queryset = ReportingPeriod.objects.none()
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        if not scope_for(self.request.user).has_role:
            return ReportingPeriod.objects.none()
        return ReportingPeriod.objects.order_by("-year")

    def _save(self, request, *, year: int, partial: bool, instance=None):
        if not scope_for(request.user).sets_periods:
            raise PermissionDenied("只有市委组织部可以设定填报期。")
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        period = services.reporting_period_set(
            user=request.user,
            year=year,
            opens_on=data.get("opens_on", getattr(instance, "opens_on", None)),
            entry_deadline=data.get("entry_deadline", getattr(instance, "entry_deadline", None)),
            review_deadline=data.get("review_deadline", getattr(instance, "review_deadline", None)),
            reason=data.get("reason", ""),
        )
        return Response(
            self.get_serializer(period).data, status=status.HTTP_200_OK if instance else status.HTTP_201_CREATED
        )

    def create(self, request, *args, **kwargs):
        year = request.data.get("year")
        if not str(year or "").isdigit():
            raise DRFValidationError({"year": ["请填写年度。"]})
        if ReportingPeriod.objects.filter(year=int(year)).exists():
            raise DRFValidationError({"year": [f"{year} 年度填报期已存在,请用 PUT/PATCH 修改。"]})
        return self._save(request, year=int(year), partial=False)

    def update(self, request, *args, partial=False, **kwargs):
        instance = self.get_object()
        return self._save(request, year=instance.year, partial=partial, instance=instance)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The current user's own notifications, newest first; `?unread=1` for the unread only.
    POST .../{id}/read/ marks one read, POST .../read-all/ all of them."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self):
        qs = selectors.notification_list(user=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read_all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_read(user=request.user)})
