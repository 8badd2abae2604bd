"""The API contract in one place: what /api/ answers is what the OpenAPI schema says.

- Under /api/ every error is JSON in the project's error shape ({"error": {"code", "message",
  "fields"}}), never an HTML page: Django's 400/403/404/500 handlers are wrapped here.
- A malformed id that reaches a lookup anywhere (pages too) is a 404, a value the database cannot
  hold a 400 (`QueryParamsMiddleware.process_exception`), never a 500.
- Query strings are checked against the schema before the view runs (`QueryParamsMiddleware`):
  a parameter the operation does not document → 400 naming it; a malformed id (a uuid parameter
  that is not a uuid) → 404 like a missing record; an integer beyond its range → 400 naming it;
  NUL characters → 400. Every view gets this from the schema it already declares, no view does it
  by hand.
- Serializer fields are bounded like the database columns they land in (`harden_fields`):
  integers default to PostgreSQL's `integer` range, so a too large number is a 400 naming the
  field, never a database error; times that Python would print with a seconds offset (dates before
  1888 in Asia/Tokyo's LMT) are given in UTC so they stay RFC 3339.
- `postprocess_schema` (a drf-spectacular hook) documents the answers every operation can give:
  401/403 always, 404 where a path, query or body names a record or a page, 400 where there is a body
  or query string and on every write (a state rule refuses it), 414 where a path or query string
  can grow past the web server's request-line limit, and writes times as a pattern (OpenAPI's
  "time" format demands an offset).
"""

import re
import uuid
from functools import cache

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework import parsers, serializers

from . import errors

API_PREFIX = "/api/"
VERSIONED_PREFIX = "/api/v1/"  # the operations of the schema (not the schema and docs views)
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL `integer`, the narrowest column we write
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(status: int, code: str, message, fields: dict | None = None) -> JsonResponse:
    body = {"code": code, "message": str(message)}
    if fields is not None:
        body["fields"] = fields
    return JsonResponse({"error": body}, status=status, json_dumps_params={"ensure_ascii": False})


# --- Django's error handlers, JSON under /api/ ------------------------------------------------


def bad_request(request, exception=None):
    if is_api(request):
        return error_response(400, "invalid", _("入力内容に誤りがあります。"), {})
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api(request):
        reason = errors.public_reason(exception) or _("この操作を行う権限がありません。")
        return error_response(403, "permission_denied", reason)
    return errors.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if is_api(request):
        return error_response(404, "not_found", _("見つかりません。"))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api(request):
        return error_response(
            500, "server_error", _("サーバーで問題が起きました。時間をおいてお試しください。")
        )
    return defaults.server_error(request)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lockout page, or under /api/ a JSON 429 (documented on the
    token endpoint) instead of the HTML page axes would send."""
    if is_api(request):
        return error_response(
            429,
            "locked_out",
            _(
                "ログインの失敗が続いたため、一時的にロックされています。時間をおいてお試しください。"
            ),
        )
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit
    from django.conf import settings
    from django.shortcuts import render

    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": get_cool_off(request),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)


# --- query strings checked against the schema -------------------------------------------------


@cache
def documented_query_params() -> dict:
    """{(view class, action, METHOD): {name: schema}} for every operation of the API, read from
    the same generator that serves /api/schema/ (built once per process)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.plumbing import ComponentRegistry

    generator = SchemaGenerator()
    generator._initialise_endpoints()
    registry = ComponentRegistry()
    table = {}
    for path, path_regex, method, callback in generator.endpoints:
        view = generator.create_view(callback, method)
        if getattr(view.schema, "get_operation", None) is None:
            continue
        operation = view.schema.get_operation(path, path_regex, "", method, registry) or {}
        params = {
            p["name"]: p.get("schema", {})
            for p in operation.get("parameters", [])
            if p.get("in") == "query"
        }
        table[(callback.cls, getattr(view, "action", None), method.upper())] = params
    return table


def _uuid_ok(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _int_problem(value: str, schema: dict) -> str:
    try:
        number = int(value)
    except ValueError:
        return _("整数を入力してください。")
    low = schema.get("minimum", BIGINT_MIN)
    high = schema.get("maximum", BIGINT_MAX)
    if not low <= number <= high:
        return _("%(low)s から %(high)s までの値を入力してください。") % {"low": low, "high": high}
    return ""


def check_query(request, params: dict) -> JsonResponse | None:
    """The answer to a query string the operation does not accept, or None when it is fine."""
    problems: dict[str, list[str]] = {}
    not_found = False
    for name in request.GET:
        values = request.GET.getlist(name)
        if name not in params:
            problems[name] = [_("このパラメータは使えません。")]
            continue
        schema = params[name]
        item = schema.get("items", {}) if schema.get("type") == "array" else schema
        for value in values:
            if "\x00" in value:
                problems[name] = [_("使えない文字が含まれています。")]
            elif item.get("format") == "uuid" and value and not _uuid_ok(value):
                not_found = True  # a malformed id names no record: the same answer as none
            elif item.get("type") == "integer" and value:
                message = _int_problem(value, item)
                if message:
                    problems[name] = [message]
    if problems:
        return error_response(400, "invalid", _("入力内容に誤りがあります。"), problems)
    if not_found:
        return error_response(404, "not_found", _("見つかりません。"))
    return None


class QueryParamsMiddleware:
    """Checks API query strings against the operation's documented parameters (see module doc).
    Operations outside the schema (the schema and docs views) are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith(VERSIONED_PREFIX) or not request.GET:
            return None
        cls = getattr(view_func, "cls", None)
        if cls is None:
            return None
        actions = getattr(view_func, "actions", None) or {}
        action = actions.get(request.method.lower())
        params = documented_query_params().get((cls, action, request.method.upper()))
        if params is None:
            return None
        return check_query(request, params)

    def process_exception(self, request, exception):
        """The net under every view, pages and API alike: a malformed id that reached a lookup
        (Django's ValidationError, e.g. "not a valid UUID") is a 404 like a missing record; a
        value the database cannot hold (DataError: out of range, too long) is a 400. Neither is
        a server error."""
        from django.core.exceptions import ValidationError
        from django.db import DataError

        if isinstance(exception, ValidationError):
            return page_not_found(request, exception)
        if isinstance(exception, DataError):
            if is_api(request):
                return error_response(400, "invalid", _("入力内容に誤りがあります。"), {})
            return defaults.bad_request(request, exception)
        return None


# --- bodies are objects --------------------------------------------------------------------------


class ObjectJSONParser(parsers.JSONParser):
    """Every request body of the API is a JSON object: `0`, `"x"` or `[…]` is a 400 here instead
    of an AttributeError in whichever view first calls `request.data.get`."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            from rest_framework.exceptions import ParseError

            raise ParseError(_("本文は JSON のオブジェクト({…})で送ってください。"))
        return data


PARSERS = [ObjectJSONParser, parsers.FormParser, parsers.MultiPartParser]


# --- serializer fields bounded like their columns ---------------------------------------------

_OFFSET_WITH_SECONDS = re.compile(r"[+-]\d\d:\d\d:\d\d(\.\d+)?$")


def harden_fields() -> None:
    """Give DRF's fields the project's limits once, at start-up (AgenciesConfig.ready).

    Done here rather than in every serializer so that a new endpoint cannot forget it: an
    integer without a declared range would reach PostgreSQL and fail there (a 500)."""
    if getattr(serializers.IntegerField, "_tsunagu_bounded", False):
        return
    int_init = serializers.IntegerField.__init__

    def bounded_init(self, **kwargs):
        if kwargs.get("max_value") is None and not kwargs.get("read_only"):
            kwargs["max_value"] = INT_MAX
        if kwargs.get("min_value") is None and not kwargs.get("read_only"):
            kwargs["min_value"] = INT_MIN
        int_init(self, **kwargs)

    serializers.IntegerField.__init__ = bounded_init
    serializers.IntegerField._tsunagu_bounded = True

    datetime_repr = serializers.DateTimeField.to_representation

    def rfc3339(self, value):
        text = datetime_repr(self, value)
        if isinstance(text, str) and _OFFSET_WITH_SECONDS.search(text):
            from datetime import UTC

            text = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return text

    serializers.DateTimeField.to_representation = rfc3339

    # A date or time outside the years the system knows (agencies.jpdates.MIN_YEAR..MAX_YEAR)
    # is a 400 at its field: year 1 overflowed the time zone conversion (a 500), and dates near
    # either end overflow the services' date arithmetic.
    from . import jpdates

    enforce_timezone = serializers.DateTimeField.enforce_timezone

    def enforce_in_range(self, value):
        if not jpdates.in_range(value):
            raise serializers.ValidationError(jpdates.out_of_range_message(), code="out_of_range")
        return enforce_timezone(self, value)

    serializers.DateTimeField.enforce_timezone = enforce_in_range
    date_internal = serializers.DateField.to_internal_value

    def date_in_range(self, value):
        parsed = date_internal(self, value)
        if not jpdates.in_range(parsed):
            raise serializers.ValidationError(jpdates.out_of_range_message(), code="out_of_range")
        return parsed

    serializers.DateField.to_internal_value = date_in_range

    # A read-only choice that the model allows blank ("" until a case is closed) is documented
    # with the blank value too: ModelSerializer drops allow_blank for read-only fields.
    include_extra = serializers.ModelSerializer.include_extra_kwargs

    def keep_blank(self, kwargs, extra_kwargs):
        blank = kwargs.get("allow_blank", False) and "choices" in kwargs
        kwargs = include_extra(self, kwargs, extra_kwargs)
        if blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs

    serializers.ModelSerializer.include_extra_kwargs = keep_blank


# --- the schema says every answer -------------------------------------------------------------

ERROR_REF = {"$ref": "#/components/schemas/Error"}
DESCRIPTIONS = {
    "400": gettext_lazy("入力内容またはクエリパラメータの誤り(fields に項目ごとのメッセージ)"),
    "401": gettext_lazy("認証されていない"),
    "403": gettext_lazy("権限がない、または二要素認証が必要"),
    "404": gettext_lazy("見つからない(存在しない、見る権限がない、または ID の形式が違う)"),
}
# The web server (gunicorn) refuses a request line over 4,094 bytes before the application sees
# it, with its own short HTML page.
URI_TOO_LONG = gettext_lazy("リクエスト行(パスとクエリ文字列)が長すぎる: 4,094 バイトまで")


def _uri_too_long() -> dict:
    return {
        "description": str(URI_TOO_LONG),
        "content": {"text/html": {"schema": {"type": "string"}}},
    }


def _error(code: str) -> dict:
    return {
        "description": str(DESCRIPTIONS[code]),
        "content": {"application/json": {"schema": ERROR_REF}},
    }


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def postprocess_schema(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry (see module doc)."""
    for operations in result.get("paths", {}).values():
        for method, op in operations.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            params = op.get("parameters", [])
            has_query = any(p.get("in") == "query" for p in params)
            has_path = any(p.get("in") == "path" for p in params)
            needed = ["401", "403"]
            if has_path or has_query or "requestBody" in op:  # a body names records too
                needed.append("404")
            # A write without a body still meets the rules of the record's state (an action on
            # a gap already raised, a meeting already closed): 400 with the reason.
            if has_query or "requestBody" in op or method in ("post", "put", "patch", "delete"):
                needed.append("400")
            for code in needed:
                responses.setdefault(code, _error(code))
            if has_path or has_query:
                responses.setdefault("414", _uri_too_long())
    for node in _walk(result.get("components", {})):
        if node.get("format") == "time" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = TIME_PATTERN
    return result
