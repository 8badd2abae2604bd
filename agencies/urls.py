from django.urls import path

from . import admin_views

app_name = "agencies"

urlpatterns = [
    path("", admin_views.agency_list, name="agency_list"),
    path("admin/", admin_views.admin_home, name="admin_home"),
    path("staff/", admin_views.staff_list, name="staff_list"),
]
