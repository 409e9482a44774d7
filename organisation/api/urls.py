from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("work-teams", views.TeamViewSet, basename="work-team")
router.register("students", views.StudentViewSet, basename="student")
router.register("training-attendance", views.AttendanceViewSet, basename="training-attendance")
router.register("suggestions", views.SuggestionViewSet, basename="suggestion")
router.register("surveys", views.SurveyViewSet, basename="survey")
router.register("assessment-runs", views.AssessmentRunViewSet, basename="assessment-run")

urlpatterns = router.urls
