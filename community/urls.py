from django.urls import path

from .views import maps, places, volunteers, work

app_name = "community"

urlpatterns = [
    path("", places.index, name="index"),
    path("places/", places.place_list, name="place_list"),
    path("places/new/", places.place_create, name="place_create"),
    path("places/<str:public_id>/", places.place_detail, name="place_detail"),
    path("places/<str:public_id>/edit/", places.place_edit, name="place_edit"),
    path("places/<str:public_id>/sessions/", places.session_list, name="session_list"),
    path("places/<str:public_id>/tally/", places.session_tally, name="session_tally"),
    path("places/<str:public_id>/concerns/link/", places.concern_link, name="concern_link"),
    path("sessions/<str:public_id>/edit/", places.session_edit, name="session_edit"),
    path("sessions/<str:public_id>/delete/", places.session_delete, name="session_delete"),
    path("sessions/<str:public_id>/print/", places.session_print, name="session_print"),
    path("kizuki/new/", places.concern_submit, name="concern_submit"),
    path("volunteers/", volunteers.volunteer_list, name="volunteer_list"),
    path("volunteers/new/", volunteers.volunteer_create, name="volunteer_create"),
    path("volunteers/<str:public_id>/", volunteers.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<str:public_id>/edit/", volunteers.volunteer_edit, name="volunteer_edit"),
    path(
        "volunteers/<str:public_id>/training/",
        volunteers.volunteer_training,
        name="volunteer_training",
    ),
    path(
        "volunteers/<str:public_id>/activity/",
        volunteers.volunteer_activity,
        name="volunteer_activity",
    ),
    path("programs/", work.program_list, name="program_list"),
    path("programs/new/", work.program_create, name="program_create"),
    path("programs/<str:public_id>/", work.program_detail, name="program_detail"),
    path("programs/<str:public_id>/edit/", work.program_edit, name="program_edit"),
    path(
        "programs/<str:public_id>/sessions/new/",
        work.program_session_create,
        name="program_session_create",
    ),
    path("issues/", work.issue_list, name="issue_list"),
    path("issues/new/", work.issue_create, name="issue_create"),
    path("issues/<str:public_id>/", work.issue_detail, name="issue_detail"),
    path("issues/<str:public_id>/actions/", work.issue_action_create, name="issue_action_create"),
    path(
        "issues/<str:public_id>/actions/<int:action_id>/done/",
        work.issue_action_done,
        name="issue_action_done",
    ),
    path("issues/<str:public_id>/link/", work.issue_link_resource, name="issue_link_resource"),
    path("issues/<str:public_id>/status/", work.issue_status, name="issue_status"),
    path("agreements/", work.agreement_list, name="agreement_list"),
    path("agreements/new/", work.agreement_create, name="agreement_create"),
    path("agreements/<str:public_id>/edit/", work.agreement_edit, name="agreement_edit"),
    path("map/", maps.area_view, name="area_view"),
]
