from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("", views.target_list, name="index"),
    path("new/", views.target_create, name="target_create"),
    path("visits/", views.visit_plan, name="visit_plan"),
    path("visits/<uuid:visit_id>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("workload/", views.workload, name="workload"),
    path("import/", views.import_list, name="import"),
    path("from-slip/<uuid:slip_id>/", views.target_from_slip, name="from_slip"),
    path("field/", views.field_page, name="field"),
    path("field/sw.js", views.field_service_worker, name="field_sw"),
    path("<uuid:target_id>/", views.target_detail, name="target_detail"),
    path("<uuid:target_id>/edit/", views.target_edit, name="target_edit"),
    path("<uuid:target_id>/assign/", views.target_assign, name="target_assign"),
    path("<uuid:target_id>/stage/", views.target_stage, name="target_stage"),
    path("<uuid:target_id>/contacts/new/", views.contact_create, name="contact_create"),
    path("<uuid:target_id>/visits/new/", views.visit_create, name="visit_create"),
    path("<uuid:target_id>/plan/new/", views.plan_create, name="plan_create"),
    path("<uuid:target_id>/agenda/", views.agenda_request, name="agenda_request"),
    path("<uuid:target_id>/person/", views.register_person, name="register_person"),
    path("<uuid:target_id>/case/", views.link_case, name="link_case"),
    path("<uuid:target_id>/print.pdf", views.target_print, name="target_print"),
]
