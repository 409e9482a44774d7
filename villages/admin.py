from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import ClosedYear, County, IncomeReport, Official, Township, Village


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county"]
    list_filter = ["county"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "township"]
    list_filter = ["kind", "township__county"]
    search_fields = ["code", "name"]
    list_select_related = ["township"]


class OfficialInline(admin.StackedInline):
    model = Official
    can_delete = False
    autocomplete_fields = ["county", "township"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [OfficialInline]
    list_display = ["username", "first_name", "official", "is_active", "is_staff"]
    list_select_related = ["official"]


@admin.register(IncomeReport)
class IncomeReportAdmin(SimpleHistoryAdmin):
    list_display = ["village", "year", "status", "total_income", "operating_income", "version"]
    list_filter = ["year", "status", "village__township__county"]
    search_fields = ["village__code", "village__name"]
    list_select_related = ["village"]
    # Changes go through the portal's services (version check, audit, closed years): read-only here.
    readonly_fields = [f.name for f in IncomeReport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClosedYear)
class ClosedYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "closed_at", "closed_by"]
    readonly_fields = ["year", "closed_at", "closed_by", "reason"]

    # Closing follows the joint sign-off; unlocking needs a recorded reason (the portal's unlock page).
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
