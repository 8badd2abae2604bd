from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path("persons/<uuid:public_id>/", views.person_access_record, name="person_record"),
    path("persons/<uuid:public_id>/pdf/", views.person_access_record_pdf, name="person_record_pdf"),
]

urlpatterns += [
    path("emergency/", views.emergency_list, name="emergency_list"),
    path("emergency/new/", views.emergency_open, name="emergency_open"),
    path("emergency/<uuid:public_id>/", views.emergency_review, name="emergency_review"),
]
