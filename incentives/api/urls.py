from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("target-plans", views.TargetPlanViewSet, basename="target-plan")
router.register("acceptance-runs", views.AcceptanceRunViewSet, basename="acceptance-run")

urlpatterns = router.urls
