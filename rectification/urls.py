from django.urls import path

from . import views

app_name = "rectification"

urlpatterns = [
    path("clues/", views.ClueListView.as_view(), name="clue_list"),
    path("clues/export/", views.ClueExportView.as_view(), name="clue_export"),
    path("clues/new/", views.ClueCreateView.as_view(), name="clue_create"),
    path("clues/import/", views.ClueImportView.as_view(), name="clue_import"),
    path("clues/import/template/", views.ClueImportTemplateView.as_view(), name="clue_import_template"),
    path("clues/from-warning/", views.ClueFromWarningView.as_view(), name="clue_from_warning"),
    path("clues/<int:pk>/", views.ClueDetailView.as_view(), name="clue_detail"),
    path("clues/<int:pk>/start/", views.ClueStartView.as_view(), name="clue_start"),
    path("clues/<int:pk>/progress/", views.ClueProgressView.as_view(), name="clue_progress"),
    path("clues/<int:pk>/evidence/", views.ClueEvidenceAddView.as_view(), name="clue_evidence_add"),
    path("clues/<int:pk>/request/", views.ClueRequestView.as_view(), name="clue_request"),
    path("clues/<int:pk>/reject/", views.ClueRejectView.as_view(), name="clue_reject"),
    path("clues/<int:pk>/close/", views.ClueCloseView.as_view(), name="clue_close"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.EvidenceDeleteView.as_view(), name="evidence_delete"),
    path("rates/", views.RatesView.as_view(), name="rates"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/new/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.InspectionUpdateView.as_view(), name="inspection_update"),
    path("self-inspection/", views.CampaignListView.as_view(), name="campaign_list"),
    path("self-inspection/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("self-inspection/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path(
        "self-inspection/records/<int:pk>/complete/",
        views.SelfInspectionCompleteView.as_view(),
        name="self_inspection_complete",
    ),
    path("weak-organisations/", views.WeakOrgListView.as_view(), name="weak_org_list"),
    path("weak-organisations/new/", views.WeakOrgCreateView.as_view(), name="weak_org_create"),
    path("weak-organisations/<int:pk>/", views.WeakOrgDetailView.as_view(), name="weak_org_detail"),
    path("weak-organisations/<int:pk>/items/", views.WeakOrgItemAddView.as_view(), name="weak_org_item_add"),
    path("weak-organisations/<int:pk>/close/", views.WeakOrgCloseView.as_view(), name="weak_org_close"),
    path("weak-organisations/items/<int:pk>/progress/", views.ItemProgressView.as_view(), name="item_progress"),
    path("weak-organisations/items/<int:pk>/close/", views.ItemCloseView.as_view(), name="item_close"),
]
