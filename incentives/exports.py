"""The acceptance workbook as an export job (loudi_portal.exports): built by Celery, never in a request."""

from django.core.exceptions import PermissionDenied, ValidationError

from villages.scope import scope_for

from . import selectors
from .models import RunStatus
from .workbook import acceptance_workbook_write


def acceptance_workbook_build(*, job, output, progress) -> None:
    """The run's workbook, as much of it as the job's user may see today."""
    scope = scope_for(job.user)
    run = selectors.run_list(scope=scope).filter(pk=job.params.get("run_id")).first()
    if run is None:
        raise PermissionDenied("无权导出该验收结果。")
    if run.status != RunStatus.DONE:
        raise ValidationError("验收尚未计算完成。")
    acceptance_workbook_write(run=run, scope=scope, output=output, progress=progress)
