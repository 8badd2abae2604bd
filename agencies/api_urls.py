from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("agencies", api.AgencyViewSet, basename="agency")
router.register("areas", api.AreaViewSet, basename="area")
router.register("staff", api.StaffViewSet, basename="staff")

urlpatterns = router.urls
