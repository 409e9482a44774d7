"""The county- and city-wide clue ledger as an export job (loudi_portal.exports), built by Celery."""

from django.http import QueryDict

from loudi_portal.filters import drop_invalid_sort
from villages.scope import scope_for

from . import excel, selectors
from .filtersets import ClueFilterSet


def clue_rows(*, scope, query: str):
    """The clues as the list page shows them for `query` (the same filters, the same scope), with
    what the ledger's rows read loaded in the same query."""
    filterset = drop_invalid_sort(
        ClueFilterSet,
        QueryDict(query) or None,
        queryset=selectors.clue_list(scope=scope).select_related("closed_by"),
        scope=scope,
    )
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def clue_ledger_build(*, job, output, progress) -> None:
    """The job's clue ledger for its user's scope today."""
    rows = clue_rows(scope=scope_for(job.user), query=job.params.get("query", ""))
    total = rows.count()
    progress(0, total)
    excel.clue_ledger_write(rows.iterator(chunk_size=2000), output=output, total=total, progress=progress)
