from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:public_id>/approve/", views.approve, name="approve"),
    path("rules/<slug:kind>/", views.rule_edit, name="rule_edit"),
]
