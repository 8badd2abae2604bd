"""The demo city's support cases load, cover every status and are deterministic."""

import random

import pytest

from cases.models import Evaluation, Monitoring, Plan, SupportCase

pytestmark = pytest.mark.django_db


def _load():
    from agencies import demo as agencies_demo
    from cases import demo as cases_demo

    ctx = {"rng": random.Random(20261122)}
    agencies_demo.seed(ctx)
    cases_demo.seed(ctx)
    return ctx


def test_demo_cases_cover_every_status_with_full_sheets():
    ctx = _load()
    cases = SupportCase.objects.all()
    assert 55 <= cases.count() <= 75
    assert set(cases.values_list("status", flat=True)) == set(SupportCase.Status.values)
    assert Plan.objects.approved().filter(items__agency__isnull=False).distinct().count() >= 20
    multi = [
        p
        for p in Plan.objects.prefetch_related("items")
        if len({i.agency_id for i in p.items.all()}) >= 3
    ]
    assert len(multi) >= 20
    assert Monitoring.objects.count() > 50
    assert Evaluation.objects.filter(status="decided", decision="close").exists()
    closed = SupportCase.objects.filter(status="closed")
    assert (
        closed.filter(closure_reason="died").exists()
        or closed.filter(closure_reason="moved").exists()
    )
    morita, kawashima = (SupportCase.objects.get(pk=c.pk) for c in ctx["support_cases"][:2])
    assert morita.principal.family_name == "森田" and morita.status == "closed"
    assert morita.lead_agency.code == "houkatsu-north"
    assert kawashima.status == "supporting"
    assert kawashima.household.members.count() == 4
    assert kawashima.plans.approved().get().items.values("agency").distinct().count() >= 5
    # every case has a coherent history: the last transition ends in the current status
    for case in SupportCase.objects.prefetch_related("transitions"):
        transitions = list(case.transitions.all())
        if transitions:
            assert transitions[-1].to_status == case.status


def test_demo_has_a_death_on_its_date_and_the_survivors_linked_case():
    ctx = _load()
    morita = SupportCase.objects.get(pk=ctx["support_cases"][0].pk)
    survivor = SupportCase.objects.get(pk=ctx["support_cases"][-1].pk)
    assert survivor.previous_case == morita and survivor.principal != morita.principal
    father = morita.principal
    assert father.deceased_on is not None
    row = morita.household.members.get(person=father)
    assert row.left_on == father.deceased_on and row.left_reason == "死亡"
