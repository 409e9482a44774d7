from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Clue,
    ClueEvidence,
    Inspection,
    OverdueSnapshot,
    RectificationItem,
    SelfInspection,
    SelfInspectionCampaign,
    WeakPartyOrganisation,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Clues and their steps change only through the portal's services (roles, evidence, history)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "date", "unit", "county"]
    list_filter = ["kind", "county"]
    search_fields = ["code", "unit"]
    date_hierarchy = "date"


@admin.register(SelfInspectionCampaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "year", "started_on", "deadline"]


@admin.register(SelfInspection)
class SelfInspectionAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "village", "status", "completed_at"]
    list_filter = ["campaign", "status", "village__township__county"]
    search_fields = ["village__code", "village__name"]
    list_select_related = ["campaign", "village"]


@admin.register(Clue)
class ClueAdmin(ReadOnlyAdmin):
    list_display = ["code", "village", "source", "category", "status", "deadline", "amount_involved"]
    list_filter = ["status", "source", "category", "village__township__county"]
    search_fields = ["code", "village__code", "village__name", "description"]
    list_select_related = ["village"]


@admin.register(ClueEvidence)
class ClueEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["clue", "original_name", "file_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["clue", "uploaded_by"]


@admin.register(OverdueSnapshot)
class OverdueSnapshotAdmin(admin.ModelAdmin):
    list_display = ["date", "county", "overdue", "open", "recorded_at"]
    list_filter = ["county"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ItemInline(admin.TabularInline):
    model = RectificationItem
    extra = 0
    can_delete = False
    readonly_fields = ["number", "measure", "responsible", "deadline", "progress", "closed_at", "closed_by"]


@admin.register(WeakPartyOrganisation)
class WeakPartyOrganisationAdmin(ReadOnlyAdmin):
    list_display = ["branch_name", "village", "year_listed", "responsible_leader", "status"]
    list_filter = ["status", "year_listed", "village__township__county"]
    search_fields = ["branch_name", "village__code", "village__name"]
    list_select_related = ["village"]
    inlines = [ItemInline]
