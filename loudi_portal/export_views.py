"""The page of an export job (progress, then the download), its status as JSON, and the download.
Only the user who asked for an export sees it."""

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView

from .models import ExportJob, ExportStatus
from .xlsx import XLSX_CONTENT_TYPE


class OwnJobMixin:
    def get_queryset(self):
        return ExportJob.objects.filter(user=self.request.user)


class ExportJobView(OwnJobMixin, DetailView):
    template_name = "exports/job_detail.html"
    context_object_name = "job"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["finished"] = self.object.status in (ExportStatus.DONE, ExportStatus.FAILED)
        return ctx


class ExportJobStatusView(OwnJobMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk)
        done = job.status == ExportStatus.DONE
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "percent": job.percent,
                "rows_done": job.rows_done,
                "rows_total": job.rows_total,
                "error": job.error,
                "download_url": reverse("export_job_download", args=[job.pk]) if done else None,
            }
        )


class ExportJobDownloadView(OwnJobMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk, status=ExportStatus.DONE)
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:
            raise Http404("文件已不存在,请重新导出。") from None
        return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=XLSX_CONTENT_TYPE)
