from django.urls import path

from . import admin_views as v
from .views import agency_picker, staff_picker

app_name = "agencies"

urlpatterns = [
    path("", v.agency_list, name="agency_list"),
    path("pick/staff/", staff_picker, name="staff_picker"),
    path("pick/agencies/", agency_picker, {"purpose": "active"}, name="agency_picker"),
    # つなぐシートの送付先: only agencies where someone can answer the sheet
    path("pick/receivers/", agency_picker, {"purpose": "receiver"}, name="receiver_picker"),
    path("new/", v.agency_create, name="agency_create"),
    path("<int:pk>/", v.agency_detail, name="agency_detail"),
    path("<int:pk>/edit/", v.agency_edit, name="agency_edit"),
    path("<int:pk>/active/", v.agency_set_active, name="agency_set_active"),
    path("import/", v.agency_import, name="agency_import"),
    path("import/template.csv", v.agency_import_template, name="agency_import_template"),
    path("admin/", v.admin_home, name="admin_home"),
    path("areas/", v.area_list, name="area_list"),
    path("areas/new/", v.area_create, name="area_create"),
    path("areas/<int:pk>/edit/", v.area_edit, name="area_edit"),
    path("staff/", v.staff_list, name="staff_list"),
    path("staff/new/", v.staff_create, name="staff_create"),
    path("staff/import/", v.staff_import, name="staff_import"),
    path("staff/import/template.csv", v.staff_import_template, name="staff_import_template"),
    path("staff/<uuid:public_id>/", v.staff_detail, name="staff_detail"),
    path("staff/<uuid:public_id>/edit/", v.staff_edit, name="staff_edit"),
    path("staff/<uuid:public_id>/deactivate/", v.staff_deactivate, name="staff_deactivate"),
    path("staff/<uuid:public_id>/activate/", v.staff_activate, name="staff_activate"),
    path(
        "staff/<uuid:public_id>/password-setup/",
        v.staff_password_setup,
        name="staff_password_setup",
    ),
    path("staff/<uuid:public_id>/memberships/new/", v.membership_add, name="membership_add"),
    path("memberships/<int:pk>/end/", v.membership_end, name="membership_end"),
    path("memberships/<int:pk>/transfer/", v.membership_transfer, name="membership_transfer"),
]
