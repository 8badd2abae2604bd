from django.urls import path

from .views import persons as views
from .views import pickers

# Personal records are addressed by public_id (UUID), never by name or sequential id.
urlpatterns = [
    # Search-as-you-type pickers (agencies/combobox.py); the search text is a query parameter.
    path("pick/persons/", pickers.person_picker, name="person_picker"),
    path("pick/households/", pickers.household_picker, name="household_picker"),
    path("pick/consents/", pickers.consent_picker, name="consent_picker"),
    path("pick/cases/", pickers.case_picker, name="case_picker"),
    # 前の支援: closed cases only
    path("pick/cases/closed/", pickers.case_picker, {"closed": True}, name="closed_case_picker"),
    path("persons/", views.person_search_view, name="person_search"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/<uuid:public_id>/", views.person_detail, name="person_detail"),
    path("persons/<uuid:public_id>/edit/", views.person_edit, name="person_edit"),
    path("persons/<uuid:public_id>/merge/", views.person_merge, name="person_merge"),
    path("persons/<uuid:public_id>/consents/new/", views.consent_create, name="consent_create"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<uuid:public_id>/", views.household_detail, name="household_detail"),
    path("households/<uuid:public_id>/edit/", views.household_edit, name="household_edit"),
    path(
        "households/<uuid:public_id>/members/add/",
        views.household_member_add,
        name="household_member_add",
    ),
    path(
        "households/<uuid:public_id>/members/<uuid:person_id>/leave/",
        views.household_member_leave,
        name="household_member_leave",
    ),
    path("consents/<uuid:public_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<uuid:public_id>/document/", views.consent_document, name="consent_document"),
    path("consents/<uuid:public_id>/attach/", views.consent_attach, name="consent_attach"),
]
