"""The intake demo data: deterministic, every route, category and referral state."""

import random

import pytest
from django.db.models import Count

from agencies import demo as agency_demo
from cases.choices import IssueCategory, Route
from cases.demo import intake as intake_demo
from cases.demo import persons as persons_demo
from cases.models import (
    ConcernSlip,
    Consultation,
    ConsultationIssue,
    Referral,
    ReferralEvent,
    ReferralOutcome,
)


@pytest.fixture
def seeded(db):
    ctx = {"rng": random.Random(20261122)}
    agency_demo.seed(ctx)
    persons_demo.seed(ctx)
    intake_demo.seed(ctx)
    return ctx


def test_demo_covers_routes_categories_and_states(seeded):
    # 300 received at the windows, plus the receiving agencies' own records of the sheets they
    # accepted into their own work (受理・自機関で対応 / 同行して引継ぎ).
    own = Referral.objects.filter(handled_consultation__isnull=False).count()
    assert own == 2
    from_slips = ConcernSlip.objects.filter(consultation__isnull=False).count()
    assert from_slips == 1
    assert Consultation.objects.count() == 300 + own + from_slips
    assert set(Consultation.objects.values_list("route", flat=True)) == set(Route.values)
    assert set(ConsultationIssue.objects.values_list("category", flat=True)) == set(
        IssueCategory.values
    )
    statuses = dict(Referral.objects.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == set(Referral.Status.values), statuses
    assert 35 <= sum(statuses.values()) <= 45
    for r in Referral.objects.exclude(status="draft"):
        assert r.events.filter(kind="sent").exists()
    assert ReferralEvent.objects.filter(kind="accepted").count() == statuses["accepted"]
    assert (
        Referral.objects.filter(
            status="accepted", case__isnull=True, handled_consultation__isnull=True
        ).count()
        == 0
    )
    outcomes = set(Referral.objects.exclude(outcome="").values_list("outcome", flat=True))
    assert outcomes == set(ReferralOutcome.values)
    assert ConcernSlip.objects.filter(submitted_by__username="minsei1").count() >= 5
    assert set(ConcernSlip.objects.values_list("status", flat=True)) == set(
        ConcernSlip.Status.values
    )


def test_demo_consultations_span_eighteen_months(seeded):
    from django.utils import timezone

    oldest = Consultation.objects.order_by("received_at").first().received_at
    assert (timezone.now() - oldest).days > 365
    assert Consultation.objects.filter(received_at__gt=timezone.now()).count() == 0


def test_demo_is_robust_without_the_persons_demo(db):
    ctx = {"rng": random.Random(1)}
    agency_demo.seed(ctx)
    intake_demo.seed(ctx)
    # 300 received at the windows, plus the receiving agencies' own records of the sheets they
    # accepted into their own work (受理・自機関で対応 / 同行して引継ぎ).
    own = Referral.objects.filter(handled_consultation__isnull=False).count()
    assert own == 2
    from_slips = ConcernSlip.objects.filter(consultation__isnull=False).count()
    assert from_slips == 1
    assert Consultation.objects.count() == 300 + own + from_slips
    assert Referral.objects.filter(status="accepted").exists()
