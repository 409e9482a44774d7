from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "incentives"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incentives:run_list"), name="index"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:year>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:year>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("periods/<int:year>/", views.PeriodEditView.as_view(), name="period_edit"),
    path("runs/", views.RunListView.as_view(), name="run_list"),
    path("runs/start/", views.RunStartView.as_view(), name="run_start"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/status/", views.RunStatusView.as_view(), name="run_status"),
    path("runs/<int:pk>/sign/", views.RunSignView.as_view(), name="run_sign"),
    path("runs/<int:pk>/workbook.xlsx", views.RunWorkbookView.as_view(), name="run_workbook"),
    path("years/unlock/", views.YearUnlockView.as_view(), name="year_unlock"),
]
