"""City- and county-wide 三资 ledger exports as export jobs (loudi_portal.exports), built by Celery."""

from django.http import QueryDict

from villages.scope import scope_for

from . import ledger_export, selectors
from .filtersets import AssetFilterSet, ContractFilterSet, ResourceFilterSet
from .models import ContractPayment

LEDGERS = {
    "asset": (AssetFilterSet, selectors.asset_list, "资产台账"),
    "resource": (ResourceFilterSet, selectors.resource_list, "资源台账"),
    "contract": (ContractFilterSet, selectors.contract_list, "合同台账"),
}


def ledger_rows(*, kind: str, scope, query: str):
    """The ledger as its list page shows it for `query` (the same filters, the same scope)."""
    filterset_class, selector, _ = LEDGERS[kind]
    filterset = filterset_class(QueryDict(query) or None, queryset=selector(scope=scope), scope=scope)
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def ledger_workbook(*, kind: str, rows) -> bytes:
    if kind == "contract":
        payments = ContractPayment.objects.filter(contract__in=rows).select_related("contract__village")
        return ledger_export.contract_workbook(
            rows, payments.order_by("contract__village__code", "contract__number", "due_date")
        )
    return (ledger_export.asset_workbook if kind == "asset" else ledger_export.resource_workbook)(rows)


def ledger_build(*, job, output, progress) -> None:
    """The job's ledger for its user's scope today."""
    kind = job.params["kind"]
    rows = ledger_rows(kind=kind, scope=scope_for(job.user), query=job.params.get("query", ""))
    total = rows.count()
    progress(0, total)
    output.write(ledger_workbook(kind=kind, rows=rows))
    progress(total, total)
