"""The project's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from agencies.policy import PolicyDenied, deny
from config.urls import handler403
from config.urls import urlpatterns as project_urlpatterns

SECRET = "山田太郎 090-1234-5678"


def boom(request):
    raise RuntimeError(f"failed for {SECRET}")


def denied_plain(request):
    raise PermissionDenied(f"not for {SECRET}")


def denied_policy(request):
    raise PolicyDenied(
        "test.view", deny("この会議体の構成員ではないため、資料・議事録は開けません。")
    )


def denied_policy_no_reason(request):
    raise PolicyDenied("test.view", deny(""))


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/denied-plain/", denied_plain),
    path("test-errors/denied-policy/", denied_policy),
    path("test-errors/denied-policy-empty/", denied_policy_no_reason),
    *project_urlpatterns,
]

__all__ = ["handler403", "urlpatterns"]
