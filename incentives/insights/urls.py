from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("income-check/", views.IncomeCheckView.as_view(), name="income_check"),
    path("income-check/settings/", views.IncomeCheckSettingsView.as_view(), name="income_check_settings"),
    path("near-miss/", views.NearMissView.as_view(), name="near_miss"),
    path("near-miss/export/", views.NearMissExportView.as_view(), name="near_miss_export"),
    path("what-if/<int:year>/", views.WhatIfView.as_view(), name="whatif"),
    path("income-check/clue/", views.IncomeCheckClueView.as_view(), name="income_check_clue"),
]
