"""URLs of the 多機関協働 case (app_name "cases", mounted under /cases/)."""

from django.urls import path

from .views import support as v
from .views import transfer as vt

_c = "support/<uuid:case_id>/"

urlpatterns = [
    path("support/", v.case_list, name="case_list"),
    path("support/export/", v.case_export, name="case_export"),
    path("support/new/", v.case_create, name="case_create"),
    path("support/handover/", v.handover, name="handover"),
    path("support/transfer/", vt.transfer, name="transfer"),
    path(_c, v.case_detail, name="case_detail"),
    path(_c + "edit/", v.case_edit, name="case_edit"),
    path(_c + "team/", v.case_team, name="case_team"),
    path(_c + "transition/<slug:action>/", v.case_transition, name="case_transition"),
    path(_c + "assessments/new/", v.assessment_new, name="assessment_new"),
    path(_c + "assessments/compare/", v.assessment_compare, name="assessment_compare"),
    path(_c + "assessments/<int:number>/", v.assessment_detail, name="assessment_detail"),
    path(_c + "assessments/<int:number>/edit/", v.assessment_edit, name="assessment_edit"),
    path(_c + "assessments/<int:number>/pdf/", v.assessment_pdf, name="assessment_pdf"),
    path(_c + "plans/new/", v.plan_new, name="plan_new"),
    path(_c + "plans/<int:number>/", v.plan_detail, name="plan_detail"),
    path(_c + "plans/<int:number>/edit/", v.plan_edit, name="plan_edit"),
    path(_c + "plans/<int:number>/submit/", v.plan_submit, name="plan_submit"),
    path(_c + "plans/<int:number>/return/", v.plan_return, name="plan_return"),
    path(_c + "plans/<int:number>/pdf/", v.plan_pdf, name="plan_pdf"),
    path(_c + "monitoring/", v.monitoring, name="monitoring"),
    path(_c + "evaluations/new/", v.evaluation_new, name="evaluation_new"),
    path(_c + "evaluations/<int:number>/", v.evaluation_detail, name="evaluation_detail"),
    path(_c + "evaluations/<int:number>/edit/", v.evaluation_edit, name="evaluation_edit"),
    path(_c + "evaluations/<int:number>/ready/", v.evaluation_ready, name="evaluation_ready"),
    path(_c + "evaluations/<int:number>/pdf/", v.evaluation_pdf, name="evaluation_pdf"),
    path(_c + "notes/", v.notes, name="case_notes"),
    path(_c + "notes/pdf/", v.notes_pdf, name="notes_pdf"),
    path(_c + "notes/<uuid:note_id>/", v.note_detail, name="note_detail"),
    path(
        _c + "attachments/<uuid:attachment_id>/", v.attachment_download, name="attachment_download"
    ),
]
