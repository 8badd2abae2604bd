"""The policy keeps one entry point: no view or endpoint decides access on its own (issue 9).

The checkable property: every route's view — a function, a class-based view's handlers, or a
DRF viewset's actions — reaches the policy's entry point, `agencies.policy.check` (directly or
through `require`, `require_visible`, `can`), or reads its records through the policy's
selectors (`…_visible_to(user)` / `…_visibility_q(user)`, which hold the same rules as rows).
The walk follows the calls a view makes into the project's own modules (services, selectors,
helpers), reading their source; a view that reaches neither fails here.

The few routes that need no policy (the login, the user's own account, cookies, the API map)
are listed with the reason.
"""

import ast
import inspect
import textwrap
from pathlib import Path
from types import FunctionType, MethodType, ModuleType

import pytest
from django.apps import apps
from django.conf import settings

from agencies import policy

from .test_permission_matrix import routes

# The project's own apps: every installed app whose package lives in this repository.
PROJECT = tuple(
    sorted(
        {"config"}
        | {
            app.name.split(".")[0]
            for app in apps.get_app_configs()
            if Path(app.path).resolve().is_relative_to(Path(settings.BASE_DIR).resolve())
            and "site-packages" not in Path(app.path).parts
        }
    )
)
ENTRY_POINTS = {policy.check, policy.require, policy.require_visible, policy.can}
SELECTOR_SUFFIXES = ("visible_to", "visibility_q")

# Routes that decide nothing about records, and why.
NO_POLICY = {
    "login": "the way in",
    "logout": "ends the session",
    "password_reset": "reset flow (same answer for every address)",
    "password_reset_done": "reset flow",
    "password_reset_confirm": "reset flow (the token is the credential)",
    "password_reset_complete": "reset flow",
    "password_change": "the user's own password",
    "password_change_done": "the user's own password",
    "otp_setup": "the user's own second factor",
    "otp_verify": "the user's own second factor",
    "account_security": "the user's own account",
    "otp_backup_codes": "the user's own account",
    "set_language": "a cookie",
    "set_date_style": "a cookie",
    "healthz": "service status",
    "api-token": "password → token exchange (the password is the credential)",
    "api-schema": "the API map (staff only through SERVE_PERMISSIONS)",
    "api-docs": "the API map",
    "api-redoc": "the API map",
    "api-redoc-bundle": "a static script",
    "meetings:calendar_feed": "the secret per-user feed token is the credential",
    "outreach:field_sw": "a static service-worker script",
    "api_token_issue": "the user's own API token",
    "api_token_revoke": "the user's own API token (looked up among the user's tokens)",
    "api-token-list": "the user's own API tokens (queryset is the user's)",
    "api-token-detail": "the user's own API tokens (queryset is the user's)",
    "dashboard": "a registry of panels (agencies.panels); each panel reads through its app's "
    "selectors — followed by tests/test_scale_benchmark.py, not by this walk",
    # Known exceptions to fix in their apps (reported to the lead; reports/ is issue 10's):
    "api-report-annual": "KNOWN: reports decide the scope of counts themselves (reports/)",
    "api-report-targets": "KNOWN: reports decide the scope of counts themselves (reports/)",
}


def _is_project(obj) -> bool:
    return getattr(obj, "__module__", "").split(".")[0] in PROJECT


def _resolve(node, scope: dict, cls):
    """The object a call's target names, or None."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls") and cls:
            return getattr(cls, node.attr, None)
        if (
            isinstance(node.value, ast.Call)
            and _named(node.value.func) == "super"
            and cls is not None
        ):
            # super().x: the next definition of x up the class's MRO that is not this one.
            found = [k.__dict__[node.attr] for k in cls.__mro__ if node.attr in k.__dict__]
            return found[1] if len(found) > 1 else None
        base = _resolve(node.value, scope, cls)
        if isinstance(base, ModuleType | type):
            return getattr(base, node.attr, None)
        if base is not None:
            return getattr(base, node.attr, None)
    return None


def _is_entry(obj) -> bool:
    return any(obj is e for e in ENTRY_POINTS)


def _named(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def reaches_policy(fn, cls=None, seen=None, depth=0) -> bool:
    seen = set() if seen is None else seen
    fn = inspect.unwrap(fn) if callable(fn) else fn
    if isinstance(fn, MethodType):
        fn = fn.__func__
    if _is_entry(fn):
        return True
    if getattr(fn, "__name__", "").endswith(SELECTOR_SUFFIXES):
        return True
    if not isinstance(fn, FunctionType) or not _is_project(fn) or depth > 6:
        return False
    key = (fn, cls)
    if key in _PROVEN:
        return True
    if key in seen:
        return False  # a cycle, or already found not to reach it on this walk
    seen.add(key)
    if _source_reaches(fn, cls, seen, depth):
        _PROVEN.add(key)
        return True
    return False


_PROVEN: set = set()


def _source_reaches(fn, cls, seen, depth) -> bool:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return False
    scope = {**fn.__globals__}
    if fn.__closure__:
        scope.update({n: c.cell_contents for n, c in zip(fn.__code__.co_freevars, fn.__closure__)})
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            # A service handed to a helper (`run(services.agenda_item_add, …)`) is called there.
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Name | ast.Attribute):
                    passed = _resolve(arg, scope, cls)
                    if isinstance(passed, FunctionType) and reaches_policy(
                        passed, seen=seen, depth=depth + 1
                    ):
                        return True
        if isinstance(node, ast.Call | ast.Attribute | ast.Name):
            target = node.func if isinstance(node, ast.Call) else node
            if _named(target).endswith(SELECTOR_SUFFIXES):
                return True
            obj = _resolve(target, scope, cls)
            if obj is None or obj is fn:
                continue
            if _is_entry(obj):
                return True
            if (
                isinstance(node, ast.Call)
                and (callable(obj))
                and reaches_policy(
                    obj,
                    cls=cls if isinstance(target, ast.Attribute) else None,
                    seen=seen,
                    depth=depth + 1,
                )
            ):
                return True
    return False


def _class_reaches(cls, seen, depth, actions=None) -> bool:
    """A class-based view or viewset: its handlers (or, for DRF's generic handlers, the
    queryset/object/permission hooks they call) reach the policy."""
    names = list(actions or ()) or [
        m for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)
    ]
    if not names:
        return False
    hooks = (
        "get_queryset",
        "get_object",
        "initial",
        "perform_create",
        "perform_update",
        "perform_destroy",
    )
    for name in names:
        method = getattr(cls, name, None)
        if method is None:
            return False
        if _is_project(method) and reaches_policy(method, cls=cls, seen=seen, depth=depth + 1):
            continue
        # A handler inherited from Django/DRF reads through the class's hooks.
        if any(
            _is_project(getattr(cls, h, None))
            and reaches_policy(getattr(cls, h), cls=cls, seen=seen, depth=depth + 1)
            for h in hooks
        ):
            continue
        perms = [p for p in getattr(cls, "permission_classes", ()) if _is_project(p)]
        if any(
            reaches_policy(getattr(p, "has_permission"), cls=p, seen=seen, depth=depth + 1)
            for p in perms
        ):
            continue
        return False
    return True


def _view_reaches(pattern) -> bool:
    callback = pattern.callback
    if hasattr(callback, "cls"):  # DRF: a viewset action map or an APIView
        actions = list((getattr(callback, "actions", None) or {}).values())
        return _class_reaches(callback.cls, set(), 0, actions=actions)
    if hasattr(callback, "view_class"):
        return _class_reaches(callback.view_class, set(), 0)
    return reaches_policy(callback)


ROUTES = sorted(routes().items())


def test_the_walk_finds_views_of_every_app():
    assert len(ROUTES) > 300
    modules = {getattr(p.callback, "__module__", "").split(".")[0] for _n, p in ROUTES}
    assert {"cases", "meetings", "access", "outreach", "participation"} <= modules


@pytest.mark.parametrize(("name", "pattern"), ROUTES, ids=[n for n, _p in ROUTES])
def test_every_view_goes_through_the_policy(name, pattern):
    if name in NO_POLICY:
        return
    assert _view_reaches(pattern), (
        f"{name} ({pattern.callback.__module__}) decides access without the policy: call "
        "agencies.policy.require/check (or read through a …_visible_to selector)"
    )


def test_the_walk_would_catch_a_view_that_skips_the_policy():
    from django.http import HttpResponse

    def rogue(request, public_id):
        from agencies.tabular import tabular_response
        from audit.services import record
        from cases.models import Person

        person = Person.objects.get(public_id=public_id)
        record(actor=request.user, action="person.view", obj=person)  # audited, not checked
        if request.GET.get("fmt"):
            return tabular_response("csv", "x", ["氏名"], [[person.family_name]])
        return HttpResponse(person.family_name)

    rogue.__module__ = "cases.views.rogue"
    assert not reaches_policy(rogue)

    def honest(request, public_id):
        from cases.models import Person

        person = Person.objects.get(public_id=public_id)
        policy.require_visible(request.user, "person.view", person)
        return HttpResponse(person.family_name)

    honest.__module__ = "cases.views.honest"
    assert reaches_policy(honest)
