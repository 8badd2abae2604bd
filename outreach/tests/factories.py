"""Helpers for outreach tests: a 社協 running アウトリーチ等事業 and targets made through the
services (so numbering, transitions and audit rows are real)."""

import datetime as dt

from django.utils import timezone

from agencies.choices import AgencyKind, Programme
from agencies.tests.factories import AgencyFactory
from outreach import services
from outreach.models import ContactKind, Counterpart, Outcome, Source


def outreach_agency(**kwargs):
    kwargs.setdefault("kind", AgencyKind.SHAKYO)
    kwargs.setdefault("programmes", [Programme.OUTREACH.value, Programme.COMMUNITY.value])
    return AgencyFactory(**kwargs)


def make_target(actor, agency, **data):
    values = {
        "source": Source.MINSEI,
        "informant": "民生委員 A",
        "approx_name": "山田 さん",
        "approx_address": "北町2丁目の角",
        "approx_age": 80,
        "worry": "新聞がたまっている。姿を見かけない。",
    } | data
    assignees = values.pop("assignees", ())
    return services.target_create(actor=actor, agency=agency, data=values, assignees=assignees)


def _midnight(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def log_contact(actor, target, *, kind=ContactKind.HOME_VISIT, staff=None, when=None, **kw):
    contact, _created = services.contact_log(
        actor=actor,
        target=target,
        kind=kind,
        # An hour ago, but not before the day the target became known (just after midnight).
        occurred_at=when or max(timezone.now() - dt.timedelta(hours=1), _midnight(target.known_on)),
        staff=staff or [actor],
        counterpart=kw.pop("counterpart", Counterpart.PERSON),
        outcome=kw.pop("outcome", Outcome.MET),
        minutes=kw.pop("minutes", 30),
        **kw,
    )
    return contact
