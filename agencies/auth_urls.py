from django.contrib.auth import views as auth_views
from django.urls import path

from . import auth_views as views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    path("security/", views.account_security, name="account_security"),
    path("security/backup-codes/", views.backup_codes_regenerate, name="otp_backup_codes"),
    path("security/api-token/", views.api_token_issue, name="api_token_issue"),
    path(
        "security/api-token/<uuid:public_id>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("staff/<int:pk>/unlock/", views.staff_unlock, name="staff_unlock"),
    path("staff/<int:pk>/2fa-reset/", views.staff_otp_reset, name="staff_otp_reset"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
