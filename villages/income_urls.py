from django.urls import path, re_path

from . import views

app_name = "income"

urlpatterns = [
    path("", views.IncomeReportListView.as_view(), name="report_list"),
    path("completeness/", views.IncomeCompletenessView.as_view(), name="completeness"),
    path("completeness/urge/", views.IncomeUrgeView.as_view(), name="urge"),
    path("template/", views.IncomeTemplateView.as_view(), name="template"),
    path("upload/", views.IncomeUploadView.as_view(), name="upload"),
    re_path(
        r"^upload/(?P<token>[A-Za-z0-9_-]{16,64})/$", views.IncomeUploadPreviewView.as_view(), name="upload_preview"
    ),
    path("bulk/submit/", views.IncomeBulkSubmitView.as_view(), name="bulk_submit"),
    path("bulk/approve/", views.IncomeBulkApproveView.as_view(), name="bulk_approve"),
    re_path(r"^(?P<code>\d{12})/(?P<year>\d{4})/$", views.IncomeReportDetailView.as_view(), name="report_detail"),
    re_path(r"^(?P<code>\d{12})/(?P<year>\d{4})/edit/$", views.IncomeReportEditView.as_view(), name="report_edit"),
]
