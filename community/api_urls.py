from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("resources", api.ResourceViewSet, basename="resource")
router.register("community-sessions", api.SessionViewSet, basename="community-session")
router.register("community-issues", api.CommunityIssueViewSet, basename="community-issue")
router.register("community-programs", api.ProgramViewSet, basename="community-program")
router.register("community-agreements", api.AgreementViewSet, basename="community-agreement")
router.register("volunteers", api.VolunteerViewSet, basename="volunteer")

urlpatterns = [
    path("community-area-figures/", api.AreaFiguresView.as_view(), name="community-area-figures"),
    *router.urls,
]
