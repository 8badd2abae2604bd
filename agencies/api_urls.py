from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("agencies", api.AgencyViewSet, basename="agency")
router.register("areas", api.AreaViewSet, basename="area")
router.register("staff", api.StaffViewSet, basename="staff")
router.register("memberships", api.MembershipViewSet, basename="membership")
router.register("auth/tokens", api.ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    *router.urls,
]
