from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from agencies import api_docs
from agencies import views as agency_views

api_v1 = [
    path("", include("agencies.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("meetings.api_urls")),
    path("", include("notifications.api")),
    path("", include("outreach.api")),
    path("", include("community.api_urls")),
    path("", include("participation.api")),
    path("", include("reports.api_urls")),
    path("", include("retention.api")),
]

urlpatterns = [
    path("", agency_views.dashboard, name="dashboard"),
    path("healthz", agency_views.healthz, name="healthz"),
    path("accounts/", include("agencies.auth_urls")),
    path("agencies/", include("agencies.urls")),
    path("access/", include("access.urls")),
    path("audit/", include("audit.urls")),
    path("cases/", include("cases.urls")),
    path("community/", include("community.urls")),
    path("meetings/", include("meetings.urls")),
    path("outreach/", include("outreach.urls")),
    path("participation/", include("participation.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    path("retention/", include("retention.urls")),
    path("i18n/setlang/", agency_views.set_language, name="set_language"),
    path("i18n/date-style/", agency_views.set_date_style, name="set_date_style"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The schema holds no personal data, but it maps every endpoint: staff only (the schema
    # answers 401/403 through SERVE_PERMISSIONS; the docs pages send to the login page).
    path(
        "api/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        api_docs.redoc_page(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
    path("api/redoc/redoc.standalone.js", api_docs.redoc_bundle, name="api-redoc-bundle"),
    path("django-admin/", admin.site.urls),
]

# 400, 404 and 500 use templates/<code>.html through Django's handlers; 403 shows the policy's
# fixed reason (agencies.errors).
# Under /api/ the same handlers answer JSON in the API's error shape (agencies.api_contract).
handler400 = "agencies.api_contract.bad_request"
handler403 = "agencies.api_contract.permission_denied"
handler404 = "agencies.api_contract.page_not_found"
handler500 = "agencies.api_contract.server_error"
