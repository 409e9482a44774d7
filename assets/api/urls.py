from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("assets", views.AssetViewSet, basename="asset")
router.register("resources", views.ResourceViewSet, basename="resource")
router.register("funds", views.FundViewSet, basename="fund")
router.register("contracts", views.ContractViewSet, basename="contract")

urlpatterns = router.urls
