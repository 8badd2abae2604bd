from django.urls import path

from . import views

app_name = "participation"

urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<uuid:case_id>/", views.case_page, name="case"),
    path("cases/<uuid:case_id>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/<uuid:public_id>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<uuid:public_id>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<uuid:public_id>/pdf/", views.assessment_pdf, name="assessment_pdf"),
]
