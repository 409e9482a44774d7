"""The administrator's view of the 三资 ledgers (reference and corrections; clerks use the pages)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Asset, Contract, ContractPayment, Fund, FundBalance, Resource, Revitalisation


class FundBalanceInline(admin.TabularInline):
    model = FundBalance
    extra = 0


@admin.register(Fund)
class FundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "bank", "village"]
    list_filter = ["kind", "village__township__county"]
    search_fields = ["name", "village__code", "village__name"]
    list_select_related = ["village"]
    raw_id_fields = ["village"]
    inlines = [FundBalanceInline]


@admin.register(Asset)
class AssetAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "nature", "category", "book_value", "status", "village"]
    list_filter = ["status", "nature", "category", "village__township__county"]
    search_fields = ["code", "name", "village__code", "village__name"]
    list_select_related = ["village"]
    raw_id_fields = ["village"]


@admin.register(Resource)
class ResourceAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "resource_type", "area", "status", "village"]
    list_filter = ["status", "resource_type", "village__township__county"]
    search_fields = ["code", "name", "village__code", "village__name"]
    list_select_related = ["village"]
    raw_id_fields = ["village"]


class PaymentInline(admin.TabularInline):
    model = ContractPayment
    extra = 0


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["number", "counterparty", "start_date", "end_date", "yearly_amount", "village"]
    list_filter = ["method", "village__township__county"]
    search_fields = ["number", "counterparty", "village__code", "village__name"]
    list_select_related = ["village"]
    raw_id_fields = ["village", "asset", "resource"]
    inlines = [PaymentInline]


@admin.register(Revitalisation)
class RevitalisationAdmin(SimpleHistoryAdmin):
    list_display = ["village", "became", "revitalised_on", "yearly_income"]
    list_filter = ["village__township__county"]
    search_fields = ["became", "village__code", "village__name"]
    list_select_related = ["village"]
    raw_id_fields = ["village", "asset", "resource", "contract", "created_by"]
