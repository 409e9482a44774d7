from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AcceptanceRun, AcceptanceSignoff, CountyTarget, TargetPlan, YearUnlock


class CountyTargetInline(admin.TabularInline):
    model = CountyTarget
    extra = 0
    can_delete = False
    # Targets are edited on the portal's plan page (services keep the history and the closed-year rule).
    readonly_fields = [f.name for f in CountyTarget._meta.fields if f.name != "id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TargetPlan)
class TargetPlanAdmin(SimpleHistoryAdmin):
    list_display = ["year", "share_required", "count_500k_required", "count_1m_required", "reward_budget", "updated_at"]
    readonly_fields = [f.name for f in TargetPlan._meta.fields]
    inlines = [CountyTargetInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AcceptanceRun)
class AcceptanceRunAdmin(SimpleHistoryAdmin):
    """Read-only: runs are immutable once done; a new computation is a new version."""

    list_display = ["year", "version", "status", "started_by", "created_at", "finished_at"]
    list_filter = ["year", "status"]
    readonly_fields = [f.name for f in AcceptanceRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AcceptanceSignoff)
class AcceptanceSignoffAdmin(SimpleHistoryAdmin):
    list_display = ["run", "role", "user", "signed_at", "confirmed_reward_total"]
    list_filter = ["role"]
    readonly_fields = [f.name for f in AcceptanceSignoff._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(YearUnlock)
class YearUnlockAdmin(admin.ModelAdmin):
    list_display = ["year", "unlocked_by", "unlocked_at", "reason"]
    readonly_fields = [f.name for f in YearUnlock._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
