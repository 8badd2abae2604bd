from django.urls import path

from .views import intake as views

urlpatterns = [
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/export/", views.consultation_export, name="consultation_export"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/<uuid:public_id>/", views.consultation_detail, name="consultation_detail"),
    path(
        "consultations/<uuid:public_id>/edit/",
        views.consultation_update,
        name="consultation_update",
    ),
    path(
        "consultations/<uuid:public_id>/print.pdf", views.consultation_pdf, name="consultation_pdf"
    ),
    path("referrals/inbox/", views.referral_inbox, name="referral_inbox"),
    path("referrals/inbox/export/", views.referral_inbox_export, name="referral_inbox_export"),
    path("referrals/sent/", views.referral_sent, name="referral_sent"),
    path("referrals/sent/export/", views.referral_sent_export, name="referral_sent_export"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<uuid:public_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<uuid:public_id>/edit/", views.referral_update, name="referral_update"),
    path("referrals/<uuid:public_id>/print.pdf", views.referral_pdf, name="referral_pdf"),
    path(
        "referrals/<uuid:public_id>/<slug:action>/", views.referral_action, name="referral_action"
    ),
    path("concern-slips/", views.concern_slip_mine, name="concern_slip_mine"),
    path("concern-slips/new/", views.concern_slip_create, name="concern_slip_create"),
    path("concern-slips/received/", views.concern_slip_received, name="concern_slip_received"),
    path("concern-slips/<uuid:public_id>/", views.concern_slip_detail, name="concern_slip_detail"),
]
