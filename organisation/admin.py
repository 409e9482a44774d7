from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AssessmentRun,
    Attendance,
    Finding,
    FindingCategory,
    Handover,
    Student,
    Suggestion,
    Survey,
    TeamMember,
    TeamTerm,
    TrainingSession,
    WeightRule,
    WorkTeam,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """These records change only through the portal's services (roles, history with reasons)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkTeam)
class WorkTeamAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "dispatching_unit", "village"]
    search_fields = ["code", "name", "dispatching_unit", "village__name"]


@admin.register(TeamTerm)
class TeamTermAdmin(ReadOnlyAdmin):
    list_display = ["team", "number", "started_on", "ended_on"]


@admin.register(TeamMember)
class TeamMemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "role", "term"]
    search_fields = ["name"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["outgoing", "incoming", "handed_over_on"]


@admin.register(Student)
class StudentAdmin(ReadOnlyAdmin):
    list_display = ["name", "township", "enrolled_year", "graduated_year", "village", "status"]
    list_filter = ["status", "enrolled_year"]
    search_fields = ["name"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "started_on", "hours"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["name", "position", "village", "session", "hours"]
    search_fields = ["name"]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "source", "status", "submitted_at"]
    list_filter = ["status", "source", "category"]
    search_fields = ["code", "title"]


@admin.register(FindingCategory)
class FindingCategoryAdmin(ReadOnlyAdmin):
    list_display = ["order", "name", "clue_category"]


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["name", "seed", "tier_year", "township_count", "village_count", "drawn_at"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["survey", "village", "category", "clue"]


@admin.register(WeightRule)
class WeightRuleAdmin(ReadOnlyAdmin):
    list_display = ["version", "note", "created_at"]


@admin.register(AssessmentRun)
class AssessmentRunAdmin(ReadOnlyAdmin):
    list_display = ["year", "kind", "rule", "computed_at"]
