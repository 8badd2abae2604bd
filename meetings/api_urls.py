from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("meeting-bodies", api.MeetingBodyViewSet, basename="meetingbody")
router.register("meeting-members", api.BodyMemberViewSet, basename="meetingmember")
router.register("meeting-pledges", api.PledgeViewSet, basename="meetingpledge")
router.register("meetings", api.MeetingViewSet, basename="meeting")
router.register("agenda-items", api.AgendaItemViewSet, basename="agendaitem")
router.register("meeting-decisions", api.DecisionViewSet, basename="meetingdecision")
router.register("meeting-roles", api.RoleAssignmentViewSet, basename="meetingrole")

urlpatterns = router.urls
