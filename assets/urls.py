from django.urls import path, re_path

from . import views

app_name = "assets"

VILLAGE = r"^village/(?P<code>\d{12})/"

urlpatterns = [
    path("", views.AssetListView.as_view(), name="asset_list"),
    path("resources/", views.ResourceListView.as_view(), name="resource_list"),
    path("contracts/", views.ContractListView.as_view(), name="contract_list"),
    path("funds/", views.FundListView.as_view(), name="fund_list"),
    path("warnings/", views.WarningListView.as_view(), name="warning_list"),
    path("revitalisation/", views.RevitalisationSummaryView.as_view(), name="revitalisation_summary"),
    # One village's 三资.
    re_path(VILLAGE + r"$", views.VillageLedgerView.as_view(), name="village_ledger"),
    re_path(VILLAGE + r"export/$", views.VillageExportView.as_view(), name="village_export"),
    re_path(VILLAGE + r"assets/new/$", views.AssetCreateView.as_view(), name="asset_create"),
    re_path(VILLAGE + r"resources/new/$", views.ResourceCreateView.as_view(), name="resource_create"),
    re_path(VILLAGE + r"contracts/new/$", views.ContractCreateView.as_view(), name="contract_create"),
    re_path(VILLAGE + r"funds/new/$", views.FundCreateView.as_view(), name="fund_create"),
    # Records.
    path("asset/<int:pk>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("asset/<int:pk>/edit/", views.AssetEditView.as_view(), name="asset_edit"),
    path("asset/<int:pk>/revitalise/", views.AssetRevitaliseView.as_view(), name="asset_revitalise"),
    path("asset/<int:pk>/delete/", views.AssetDeleteView.as_view(), name="asset_delete"),
    path("resource/<int:pk>/", views.ResourceDetailView.as_view(), name="resource_detail"),
    path("resource/<int:pk>/edit/", views.ResourceEditView.as_view(), name="resource_edit"),
    path("resource/<int:pk>/revitalise/", views.ResourceRevitaliseView.as_view(), name="resource_revitalise"),
    path("resource/<int:pk>/delete/", views.ResourceDeleteView.as_view(), name="resource_delete"),
    path("contract/<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("contract/<int:pk>/edit/", views.ContractEditView.as_view(), name="contract_edit"),
    path("contract/<int:pk>/delete/", views.ContractDeleteView.as_view(), name="contract_delete"),
    path("contract/<int:pk>/payments/new/", views.PaymentCreateView.as_view(), name="payment_create"),
    path("payment/<int:pk>/edit/", views.PaymentEditView.as_view(), name="payment_edit"),
    path("payment/<int:pk>/delete/", views.PaymentDeleteView.as_view(), name="payment_delete"),
    path("fund/<int:pk>/", views.FundDetailView.as_view(), name="fund_detail"),
    path("fund/<int:pk>/edit/", views.FundEditView.as_view(), name="fund_edit"),
    path("fund/<int:pk>/balance/", views.FundBalanceView.as_view(), name="fund_balance"),
    # Excel.
    path("export/<str:kind>/", views.LedgerExportView.as_view(), name="ledger_export"),
    path("import/<str:kind>/", views.LedgerImportView.as_view(), name="ledger_import"),
    path("import/<str:kind>/template/", views.LedgerTemplateView.as_view(), name="ledger_template"),
]
