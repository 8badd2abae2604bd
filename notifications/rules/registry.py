"""The rule registry and what a rule gets to work with.

A rule is a function `(ctx, setting) -> Iterable[Hit]` over querysets. It must cost a fixed number
of queries however many rows match (select_related / prefetch / annotate, never a query per row):
the sweep runs every rule every hour over every open case. It yields the *current* state — every
object whose condition holds today, with the escalation step reached — on every run; the sweep's
unique Reminder row turns that into "once", and an object that stops appearing is resolved.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import BigIntegerField, Case, Exists, OuterRef, Q, QuerySet, When
from django.db.models.functions import Cast, Substr
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from agencies.choices import Role

from ..models import Level


@dataclass(frozen=True)
class Setting:
    enabled: bool
    threshold: int
    escalation: int


@dataclass
class Hit:
    """One object due for one rule today, at one escalation step, for these users."""

    object_ref: str
    due_date: date
    step: int
    recipients: set[int]
    subject: str
    title: str  # a message code (notifications.messages), rendered with `params`
    params: dict = field(default_factory=dict)
    body: tuple[str, ...] = ()  # message codes, one line each
    body_text: str = ""  # text typed by a user, shown as written (when `body` is empty)
    url: str = ""
    agency_id: int | None = None
    level: str = Level.NORMAL


@dataclass(frozen=True)
class RuleSpec:
    code: str
    area: str
    label: str
    description: str
    threshold_label: str
    default_threshold: int
    default_escalation: int
    unit: str  # "business_days" or "days"
    evaluate: Callable[["RuleContext", Setting], Iterable[Hit]]
    # Models and fields ("app.Model.field") the rule reads; missing ones make it unavailable.
    requires: tuple[str, ...] = ()
    # The objects whose condition may still hold *now* (a queryset of the rule's model), for rules
    # whose condition ends with a state change a user makes (a referral opened): the overdue view
    # drops stored rows of objects resolved since the last sweep. None: the sweep's rows stand.
    still_open: Callable[[], QuerySet] | None = None

    def default_setting(self) -> Setting:
        return Setting(True, self.default_threshold, self.default_escalation)

    def missing(self) -> list[str]:
        return [r for r in self.requires if not _exists(r)]

    @property
    def available(self) -> bool:
        return not self.missing()


def _exists(requirement: str) -> bool:
    app_label, model_name, *rest = requirement.split(".")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return False
    if rest:
        try:
            model._meta.get_field(rest[0])
        except FieldDoesNotExist:
            return False
    return True


_RULES: dict[str, RuleSpec] = {}


def register(**kwargs) -> Callable:
    """Register `evaluate` as a rule: `@register(code=..., area=..., label=..., ...)`."""

    def wrap(fn):
        spec = RuleSpec(evaluate=fn, **kwargs)
        if spec.code in _RULES:
            raise RuntimeError(f"notification rule {spec.code!r} registered twice")
        _RULES[spec.code] = spec
        return fn

    return wrap


def without_resolved(reminders: QuerySet, code: str, still_open: QuerySet) -> QuerySet:
    """`reminders` less rule `code`'s rows whose object is no longer among `still_open`. The
    object's key is read from the reminder's object_ref ('<app_label>.<model>:<pk>',
    models.object_ref) and looked up by primary key — an index probe a reminder, not a list of
    every open object's reference."""
    prefix = f"{still_open.model._meta.label_lower}:"
    key = f"_open_key_{code}"
    keyed = reminders.alias(
        **{
            key: Case(
                When(
                    rule=code,
                    object_ref__startswith=prefix,
                    then=Cast(Substr("object_ref", len(prefix) + 1), BigIntegerField()),
                ),
                output_field=BigIntegerField(),
            )
        }
    )
    return keyed.exclude(Q(rule=code) & ~Exists(still_open.order_by().filter(pk=OuterRef(key))))


def all_rules() -> list[RuleSpec]:
    return list(_RULES.values())


def available_rules() -> list[RuleSpec]:
    return [r for r in _RULES.values() if r.available]


def get_rule(code: str) -> RuleSpec | None:
    return _RULES.get(code)


# --- the world as of one sweep ------------------------------------------------------------


class Directory:
    """Current memberships, loaded in one query per sweep: who holds which role where.

    Rules resolve recipients from it in memory, so "the receiving agency's coordinators" or "the
    supervisors of this worker" cost no query per object. A worker who has left (April transfer,
    inactive account) is not a recipient; rules fall back to the agency's coordinators.
    """

    def __init__(self, on: date):
        from agencies.models import Membership

        self.by_agency_role: dict[tuple[int, str], set[int]] = defaultdict(set)
        self.agencies_of: dict[int, set[int]] = defaultdict(set)
        rows = (
            Membership.objects.current(on)
            .filter(user__is_active=True)
            .values_list("agency_id", "role", "user_id")
        )
        for agency_id, role, user_id in rows:
            self.by_agency_role[(agency_id, role)].add(user_id)
            self.agencies_of[user_id].add(agency_id)

    def with_role(self, agency_id: int | None, *roles: str) -> set[int]:
        if agency_id is None:
            return set()
        users: set[int] = set()
        for role in roles:
            users |= self.by_agency_role.get((agency_id, role), set())
        return users

    def coordinators(self, agency_id: int | None) -> set[int]:
        return self.with_role(agency_id, Role.COORDINATOR)

    def supervisors(self, agency_id: int | None) -> set[int]:
        return self.with_role(agency_id, Role.SUPERVISOR)

    def is_current(self, user_id: int | None, agency_id: int | None = None) -> bool:
        if user_id is None or user_id not in self.agencies_of:
            return False
        return agency_id is None or agency_id in self.agencies_of[user_id]

    def supervisors_of_user(self, user_id: int | None) -> set[int]:
        result: set[int] = set()
        for agency_id in self.agencies_of.get(user_id, ()):
            result |= self.supervisors(agency_id)
        result.discard(user_id)
        return result

    def person_or_coordinators(self, user_id: int | None, agency_id: int | None) -> set[int]:
        """The named worker if still current (at the agency when given), else its coordinators."""
        if self.is_current(user_id, agency_id):
            return {user_id}
        return self.coordinators(agency_id)


@dataclass
class RuleContext:
    today: date
    now: datetime
    directory: Directory
    cache: dict = field(default_factory=dict)

    @classmethod
    def build(cls, today: date | None = None, now: datetime | None = None) -> "RuleContext":
        now = now or timezone.now()
        today = today or timezone.localdate(now)
        return cls(today=today, now=now, directory=Directory(today))


# --- helpers for rules ----------------------------------------------------------------------


def steps_passed(today: date, start: date, every: int, max_step: int) -> int:
    """Escalation step reached on `today` for a ladder that starts at step 0 on `start` and climbs
    one step every `every` calendar days (capped)."""
    if today < start:
        return -1
    return min(max_step, (today - start).days // max(every, 1))


def business_steps_passed(today: date, start: date, every: int, max_step: int) -> int:
    """Same ladder counted in business days (national holidays and the year-end closure skipped)."""
    from agencies.jpdates import add_business_days

    if today < start:
        return -1
    step = 0
    while step < max_step and today >= add_business_days(start, every * (step + 1)):
        step += 1
    return step


def safe_url(obj=None, name: str = "", *args) -> str:
    """A link for the notification: the object's own URL (UUID-based) or a named route; empty if
    the page is not installed yet."""
    if obj is not None and hasattr(obj, "get_absolute_url"):
        try:
            return obj.get_absolute_url()
        except NoReverseMatch:
            pass
    if name:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return ""
    return ""


def days_before(d: date, n: int) -> date:
    return d - timedelta(days=n)
