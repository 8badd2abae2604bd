"""The demo seeds a CSW caseload across the three 圏域 and a 市貝-style survey list."""

import random

import pytest

from agencies import demo as agencies_demo
from agencies.policy import can
from meetings import demo as meetings_demo
from outreach import demo
from outreach.models import OutreachTarget, Source, Stage
from outreach.selectors import outreach_counts

pytestmark = pytest.mark.django_db


def test_demo_seeds_caseload_survey_and_plan():
    ctx = {"rng": random.Random(20261122)}
    agencies_demo.seed(ctx)
    meetings_demo.seed(ctx)
    demo.seed(ctx)
    targets = OutreachTarget.objects.all()
    assert {t.area.code for t in targets if t.area} == {"north", "central", "south"}
    assert targets.filter(source=Source.SURVEY).count() == 40
    assert targets.filter(stage=Stage.CLOSED).count() == 2
    counts = outreach_counts(targets)
    assert counts.visited_targets >= 36 and counts.targets_with_nurse >= 8
    assert counts.staff_visits > counts.visits
    assert counts.connections == 1
    users = ctx["users"]
    first = targets.get(approx_name="北山さん(男性)")
    assert can(users["houkatsu-n1"], "outreach_target.work", first)  # plan owner
    assert not can(users["kyoiku1"], "outreach_target.view", first)
    assert targets.filter(concern_slip__isnull=False).count() == 1
    assert first.planned_visits.exists()
