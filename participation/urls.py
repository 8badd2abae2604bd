from django.urls import path

from . import views
from . import views_placements as pv

app_name = "participation"

urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<uuid:case_id>/", views.case_page, name="case"),
    path("cases/<uuid:case_id>/plan.pdf", pv.plan_pdf, name="plan_pdf"),
    path("cases/<uuid:case_id>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/<uuid:public_id>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<uuid:public_id>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<uuid:public_id>/pdf/", views.assessment_pdf, name="assessment_pdf"),
    path("assessments/<uuid:public_id>/match/", pv.match, name="match"),
    path("assessments/<uuid:public_id>/propose/", pv.propose, name="propose"),
    path("assessments/<uuid:public_id>/gap/", pv.gap_new, name="gap_new"),
    path("placements/<uuid:public_id>/", pv.placement_detail, name="placement"),
    path("placements/<uuid:public_id>/move/", pv.placement_move, name="placement_move"),
    path("placements/<uuid:public_id>/activity/", pv.placement_activity, name="placement_activity"),
    path(
        "placements/<uuid:public_id>/follow-up/", pv.placement_follow_up, name="placement_follow_up"
    ),
    path("placements/<uuid:public_id>/pdf/", pv.placement_pdf, name="placement_pdf"),
    path("resources/", pv.catalogue, name="catalogue"),
    path("resources/<uuid:public_id>/", pv.resource_detail, name="resource"),
    path("gaps/", pv.gap_list, name="gap_list"),
    path("gaps/<uuid:public_id>/", pv.gap_detail, name="gap"),
    path("gaps/<uuid:public_id>/raise/", pv.gap_raise, name="gap_raise"),
    path("gaps/<uuid:public_id>/resource/", pv.gap_link, name="gap_link"),
]
