from django.urls import path

from . import views

app_name = "organisation"

urlpatterns = [
    path("teams/", views.TeamListView.as_view(), name="team_list"),
    path("teams/export/", views.TeamExportView.as_view(), name="team_export"),
    path("teams/import/", views.TeamImportView.as_view(), name="team_import"),
    path("teams/import/template/", views.TeamImportTemplateView.as_view(), name="team_import_template"),
    path("teams/new/", views.TeamCreateView.as_view(), name="team_create"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team_detail"),
    path("teams/<int:pk>/rotate/", views.TeamRotateView.as_view(), name="team_rotate"),
    path("villages/<str:code>/teams/", views.VillageTeamsView.as_view(), name="village_teams"),
    path("training/", views.TrainingView.as_view(), name="training"),
    path("training/students/", views.StudentListView.as_view(), name="student_list"),
    path("training/students/export/", views.StudentExportView.as_view(), name="student_export"),
    path("training/students/import/", views.StudentImportView.as_view(), name="student_import"),
    path(
        "training/students/import/template/", views.StudentImportTemplateView.as_view(), name="student_import_template"
    ),
    path("training/students/new/", views.StudentCreateView.as_view(), name="student_create"),
    path("villages/", views.VillageCoverageListView.as_view(), name="village_coverage"),
    path("training/attendance/", views.AttendanceListView.as_view(), name="attendance_list"),
    path("training/attendance/new/", views.AttendanceCreateView.as_view(), name="attendance_create"),
    path("training/sessions/new/", views.SessionCreateView.as_view(), name="session_create"),
    path("suggestions/", views.SuggestionListView.as_view(), name="suggestion_list"),
    path("suggestions/new/", views.SuggestionCreateView.as_view(), name="suggestion_create"),
    path("suggestions/golden/", views.GoldenIdeasView.as_view(), name="golden_ideas"),
    path("suggestions/<int:pk>/", views.SuggestionDetailView.as_view(), name="suggestion_detail"),
    path("suggestions/<int:pk>/triage/", views.SuggestionTriageView.as_view(), name="suggestion_triage"),
    path("suggestions/<int:pk>/decide/", views.SuggestionDecideView.as_view(), name="suggestion_decide"),
    path("suggestions/<int:pk>/publish/", views.SuggestionPublishView.as_view(), name="suggestion_publish"),
    path("surveys/", views.SurveyListView.as_view(), name="survey_list"),
    path("surveys/new/", views.SurveyCreateView.as_view(), name="survey_create"),
    path("surveys/categories/", views.FindingCategoryCreateView.as_view(), name="finding_category_create"),
    path("surveys/<int:pk>/", views.SurveyDetailView.as_view(), name="survey_detail"),
    path("surveys/<int:pk>/findings/", views.FindingCreateView.as_view(), name="finding_create"),
    path("findings/<int:pk>/clue/", views.FindingToClueView.as_view(), name="finding_to_clue"),
    path("assessment/", views.AssessmentListView.as_view(), name="assessment_list"),
    path("assessment/weights/", views.WeightSaveView.as_view(), name="weight_save"),
    path("assessment/compute/", views.AssessmentComputeView.as_view(), name="assessment_compute"),
    path("assessment/runs/<int:pk>/", views.AssessmentRunView.as_view(), name="assessment_run"),
    path("assessment/runs/<int:pk>/export/", views.AssessmentExportView.as_view(), name="assessment_export"),
]
