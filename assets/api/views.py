"""The 三资 API: scoped querysets (404 outside the scope), shared filtersets, writes via services."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from villages.scope import scope_for

from .. import selectors, services
from ..filtersets import AssetFilterSet, ContractFilterSet, FundFilterSet, ResourceFilterSet
from ..models import Asset, Contract, ContractPayment, Fund, Resource
from .serializers import (
    AssetSerializer,
    ContractSerializer,
    FundBalanceSerializer,
    FundSerializer,
    PaymentSerializer,
    ResourceSerializer,
)


class LedgerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Read for every role in scope; create/update/delete for the township's clerk (the services
    refuse anybody else with 403)."""

    selector = None
    create_service = update_service = delete_service = None
    object_arg = ""

    def get_queryset(self):
        return type(self).selector(scope=scope_for(self.request.user))

    def _data(self, serializer) -> dict:
        data = dict(serializer.validated_data)
        data.pop("village", None)
        return data

    def perform_create(self, serializer):
        village = serializer.validated_data["village"]
        obj = type(self).create_service(user=self.request.user, village=village, **self._data(serializer))
        serializer.instance = self.get_queryset().get(pk=obj.pk)

    def perform_update(self, serializer):
        obj = type(self).update_service(
            user=self.request.user,
            **{self.object_arg: serializer.instance},
            **self._data(serializer),
        )
        serializer.instance = self.get_queryset().get(pk=obj.pk)

    def perform_destroy(self, instance):
        type(self).delete_service(user=self.request.user, **{self.object_arg: instance})


class AssetViewSet(LedgerViewSet):
    """/api/assets/: 资产台账. Filters: county, township, village (codes), status, nature, category,
    revitalised=1, q."""

    queryset = Asset.objects.none()
    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet
    selector = selectors.asset_list
    create_service, update_service, delete_service = services.asset_create, services.asset_update, services.asset_delete
    object_arg = "asset"


class ResourceViewSet(LedgerViewSet):
    """/api/resources/: 资源台账. Filters: county, township, village, resource_type, status, revitalised=1, q."""

    queryset = Resource.objects.none()
    serializer_class = ResourceSerializer
    filterset_class = ResourceFilterSet
    selector = selectors.resource_list
    create_service, update_service, delete_service = (
        services.resource_create,
        services.resource_update,
        services.resource_delete,
    )
    object_arg = "resource"


class FundViewSet(LedgerViewSet):
    """/api/funds/: 货币资金 with year-end balances; POST {year, balance} to /api/funds/{id}/balances/."""

    queryset = Fund.objects.none()
    serializer_class = FundSerializer
    filterset_class = FundFilterSet
    selector = selectors.fund_list
    create_service, update_service = services.fund_create, services.fund_update
    object_arg = "fund"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=FundBalanceSerializer, responses={201: FundBalanceSerializer})
    @action(detail=True, methods=["post"], serializer_class=FundBalanceSerializer)
    def balances(self, request, pk=None):
        fund = self.get_object()
        serializer = FundBalanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.fund_balance_set(user=request.user, fund=fund, **serializer.validated_data)
        return Response(FundBalanceSerializer(row).data, status=status.HTTP_201_CREATED)


class ContractViewSet(LedgerViewSet):
    """/api/contracts/: 合同 with payment schedule and totals. Filters: county, township, village,
    status (active/pending/ended), subject (asset/resource), method, revitalised=1, q.
    POST /api/contracts/{id}/payments/ adds an instalment."""

    queryset = Contract.objects.none()
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    create_service, update_service, delete_service = (
        services.contract_create,
        services.contract_update,
        services.contract_delete,
    )
    object_arg = "contract"

    def get_queryset(self):
        payments = ContractPayment.objects.order_by("due_date")
        return selectors.contract_list(scope=scope_for(self.request.user)).prefetch_related(
            Prefetch("payments", queryset=payments)
        )

    def _data(self, serializer) -> dict:
        data = super()._data(serializer)
        if self.action != "create":
            data.pop("schedule", None)
        return data

    @extend_schema(request=PaymentSerializer, responses={201: PaymentSerializer})
    @action(detail=True, methods=["post"], serializer_class=PaymentSerializer)
    def payments(self, request, pk=None):
        contract = self.get_object()
        serializer = PaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.payment_create(user=request.user, contract=contract, **serializer.validated_data)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
