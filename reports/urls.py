from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("download/", views.download, name="download"),
    path("definitions/", views.definitions, name="definitions"),
    path("figures/<str:code>/", views.figure_detail, name="figure_detail"),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("profile/", views.profile, name="profile"),
    path("jobs/", views.job_create, name="job_create"),
    path("jobs/<uuid:public_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:public_id>/download/", views.job_download, name="job_download"),
    path("narrative/", views.narrative, name="narrative"),
]
