from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("<uuid:public_id>/open/", views.open_notification, name="open"),
    path("<uuid:public_id>/read/", views.mark_read, name="mark_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("rules/", views.rule_settings, name="rule_settings"),
    path("rules/<slug:code>/", views.rule_setting_edit, name="rule_setting_edit"),
    path("overdue/", views.overdue, name="overdue"),
]
