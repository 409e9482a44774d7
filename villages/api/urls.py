from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("counties", views.CountyViewSet, basename="county")
router.register("townships", views.TownshipViewSet, basename="township")
router.register("villages", views.VillageViewSet, basename="village")
router.register("incomes", views.IncomeReportViewSet, basename="income")
router.register("reporting-periods", views.ReportingPeriodViewSet, basename="reporting_period")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
