from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import ClosedYear, County, IncomeReport, Notification, Official, ReportingPeriod, Township, Urge, Village


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


class ReportingPeriodAdminForm(forms.ModelForm):
    reason = forms.CharField(
        label="修改或延期原因", required=False, max_length=200, help_text="修改已设定的填报期时必填。"
    )

    class Meta:
        model = ReportingPeriod
        fields = ["year", "opens_on", "entry_deadline", "review_deadline"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # The service's checks (dates in order, a reason for a change, closed years) as form errors.
        self.saved = None
        try:
            with transaction.atomic():
                self.saved = services.reporting_period_set(
                    user=self.user,
                    year=data.get("year") or self.instance.year,
                    opens_on=data["opens_on"],
                    entry_deadline=data["entry_deadline"],
                    review_deadline=data["review_deadline"],
                    reason=data.get("reason", ""),
                )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return data

    def validate_unique(self):
        # A new period for a year that has one is the service's update, not a duplicate.
        pass


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    form = ReportingPeriodAdminForm
    list_display = ["year", "opens_on", "entry_deadline", "review_deadline", "updated_by", "updated_at"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj else []

    def save_model(self, request, obj, form, change):
        # Saved by the service in the form's clean (with who and why); the admin's own save is skipped.
        obj.pk = form.saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Urge)
class UrgeAdmin(admin.ModelAdmin):
    list_display = ["township", "year", "day", "sent_by", "sent_at", "recipients"]
    list_select_related = ["township", "sent_by"]
    readonly_fields = [f.name for f in Urge._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
