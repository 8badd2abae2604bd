"""Structured API errors: {"error": {"code", "message", "fields"}} with a 4xx status."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, PermissionDenied) and not isinstance(exc, exceptions.APIException):
        exc = exceptions.PermissionDenied(str(exc) or _("この操作を行う権限がありません。"))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_fields(data if isinstance(data, dict) else {"non_field_errors": data})
        body = {
            "code": "invalid",
            "message": _("入力内容に誤りがあります。"),
            "fields": fields,
        }
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        body = {
            "code": getattr(detail, "code", None) or _code_for(response.status_code),
            "message": str(detail),
        }
    body.update(getattr(exc, "extra", {}))  # e.g. agencies.api.Conflict's details
    response.data = {"error": body}
    return response


def flatten_fields(errors, prefix: str = "") -> dict[str, list[str]]:
    """One shape for `fields` whatever the serializer nesting: {"items.0.goal": ["…"]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(flatten_fields(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, list) and any(isinstance(e, dict | list) for e in errors):
        for index, value in enumerate(errors):
            if value:
                flat.update(flatten_fields(value, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(errors, list):
        flat[prefix or "non_field_errors"] = [str(e) for e in errors]
    else:
        flat[prefix or "non_field_errors"] = [str(errors)]
    return flat


def _code_for(status_code: int) -> str:
    return {
        status.HTTP_401_UNAUTHORIZED: "not_authenticated",
        status.HTTP_403_FORBIDDEN: "permission_denied",
        status.HTTP_404_NOT_FOUND: "not_found",
        status.HTTP_409_CONFLICT: "conflict",
    }.get(status_code, "error")
