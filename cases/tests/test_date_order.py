"""Dates out of order are refused by the services (so the API answers 400 at the field too) and
shown at the field on the page with what was typed kept: a plan's next monitoring date and item
due dates before the plan period, a household member who joined before being born, a team member
who joins in the future, an evaluation dated before the plan was approved or last monitored."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.jpdates import format_date
from agencies.tests.factories import AgencyFactory
from cases.models import CaseTeamMember, Evaluation, HouseholdMember, Plan
from cases.services import support as s
from cases.tests.factories import (
    PersonFactory,
    case_with_approved_plan,
    household_with_members,
    login_verified,
    open_case,
)

pytestmark = pytest.mark.django_db

START = dt.date(2026, 12, 8)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(case, suffix=""):
    return reverse("cases:case_detail", args=[case.public_id]) + suffix


def _field_errors(html: str, field_id: str) -> str:
    """The error block rendered under one field (partials/field.html), '' when there is none."""
    m = re.search(rf'<div id="{re.escape(field_id)}_error">(.*?)</div>', html, re.S)
    return m.group(1) if m else ""


# --- 1. plan ---------------------------------------------------------------------------------------


@pytest.fixture
def draft(owner, body):
    case = open_case(coordinator=owner, agency=body)
    s.assessment_create(case=case, actor=owner)
    return case, s.plan_create(case=case, actor=owner)


def _plan_post(plan, body, **overrides):
    data = {
        "lock_version": plan.lock_version,
        "drafted_on": START.isoformat(),
        "overall_goal": "父子が安心して暮らせる",
        "period_start": START.isoformat(),
        "period_end": "2027-06-07",
        "next_monitoring_on": "2026-12-01",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        # An empty row first: the error must land on the row that was typed, not on index 0.
        "items-1-issue": "父の介護",
        "items-1-goal": "介護サービスにつながる",
        "items-1-action": "要介護認定の申請を支援",
        "items-1-agency": body.pk,
        "items-1-due_on": "2026-01-01",
    }
    data.update(overrides)
    return data


def test_plan_page_refuses_next_monitoring_and_item_due_before_the_period_start(
    client, owner, body, draft
):
    case, plan = draft
    client.force_login(owner)
    response = client.post(_url(case, f"plans/{plan.number}/edit/"), _plan_post(plan, body))
    assert response.status_code == 200
    html = response.content.decode()
    start = format_date(START)  # 令和8年12月8日
    assert f"次回モニタリング予定日は支援期間の開始日({start})以降の日付にしてください。" in (
        _field_errors(html, "id_next_monitoring_on")
    )
    assert f"期限は支援期間の開始日({start})以降の日付にしてください。" in _field_errors(
        html, "id_items-1-due_on"
    )
    assert _field_errors(html, "id_items-0-due_on") == ""
    # What was typed is kept in the form; nothing was saved.
    assert 'value="2026-12-01"' in html and 'value="2026-01-01"' in html
    assert 'value="父の介護"' in html or "父の介護</textarea>" in html
    plan.refresh_from_db()
    assert plan.period_start is None and not plan.items.exists()


def test_plan_page_saves_dates_on_or_after_the_period_start(client, owner, body, draft):
    case, plan = draft
    client.force_login(owner)
    data = _plan_post(plan, body, next_monitoring_on=START.isoformat())
    data["items-1-due_on"] = START.isoformat()
    response = client.post(_url(case, f"plans/{plan.number}/edit/"), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.next_monitoring_on == START and plan.items.get().due_on == START


def test_plan_period_end_before_start_is_refused_by_the_service(client, owner, body, draft):
    case, plan = draft
    client.force_login(owner)
    data = _plan_post(plan, body, period_end="2026-12-01", next_monitoring_on="")
    data["items-1-due_on"] = ""
    response = client.post(_url(case, f"plans/{plan.number}/edit/"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "支援期間の終了は開始以降の日付にしてください。" in _field_errors(html, "id_period_end")
    assert "plan_period_ordered" not in html  # not the database constraint's own message
    r = api(owner).patch(
        f"/api/v1/plans/{plan.public_id}/",
        {
            "lock_version": plan.lock_version,
            "period_start": "2026-12-08",
            "period_end": "2026-12-01",
        },
        format="json",
    )
    assert r.status_code == 400
    assert list(r.json()["error"]["fields"]) == ["period_end"]


def test_plan_api_answers_400_at_the_field_and_at_the_item_row(owner, body, draft):
    _case, plan = draft
    start = format_date(START)
    item = {"issue": "i", "goal": "g", "action": "a", "agency": body.code}
    r = api(owner).patch(
        f"/api/v1/plans/{plan.public_id}/",
        {
            "lock_version": plan.lock_version,
            "period_start": START.isoformat(),
            "next_monitoring_on": "2026-12-01",
            "items": [{**item, "due_on": "2027-01-08"}, {**item, "due_on": "2026-01-01"}],
        },
        format="json",
    )
    assert r.status_code == 400, r.json()
    assert r.json()["error"]["fields"] == {
        "next_monitoring_on": [
            f"次回モニタリング予定日は支援期間の開始日({start})以降の日付にしてください。"
        ],
        "items.1.due_on": [f"期限は支援期間の開始日({start})以降の日付にしてください。"],
    }
    plan.refresh_from_db()
    assert plan.period_start is None and not plan.items.exists()


def test_plan_api_moving_the_start_after_saved_item_due_dates_is_refused(owner, body, draft):
    _case, plan = draft
    s.plan_update(
        plan=plan,
        actor=owner,
        lock_version=plan.lock_version,
        data={"period_start": START},
        items=[{"issue": "i", "goal": "g", "action": "a", "agency": body, "due_on": START}],
    )
    plan.refresh_from_db()
    r = api(owner).patch(
        f"/api/v1/plans/{plan.public_id}/",
        {"lock_version": plan.lock_version, "period_start": "2026-12-09"},
        format="json",
    )
    assert r.status_code == 400
    assert list(r.json()["error"]["fields"]) == ["period_start"]
    assert Plan.objects.get(pk=plan.pk).period_start == START


# --- 2. household member ----------------------------------------------------------------------------


@pytest.fixture
def household(body):
    household, _persons = household_with_members(body)
    return household


@pytest.fixture
def born_1944(body):
    return PersonFactory(registered_by_agency=body, birth_date=dt.date(1944, 6, 1))


def test_member_page_refuses_a_joined_date_before_the_birth_date(
    client, owner, household, born_1944
):
    login_verified(client, owner)
    url = reverse("cases:household_member_add", args=[household.public_id])
    response = client.post(
        url, {"person": str(born_1944.public_id), "relation": "other", "joined_on": "1900-01-01"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f"世帯に加わった日が生年月日({format_date(born_1944.birth_date)})より前になっています。"
        in _field_errors(html, "id_joined_on")
    )
    assert 'value="1900-01-01"' in html
    assert not HouseholdMember.objects.filter(person=born_1944).exists()


def test_member_page_refuses_a_future_joined_date(client, owner, household, born_1944):
    login_verified(client, owner)
    url = reverse("cases:household_member_add", args=[household.public_id])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        url, {"person": str(born_1944.public_id), "relation": "other", "joined_on": tomorrow}
    )
    assert "世帯に加わった日が未来の日付です。" in _field_errors(
        response.content.decode(), "id_joined_on"
    )
    assert not HouseholdMember.objects.filter(person=born_1944).exists()


def test_member_api_refuses_a_joined_date_before_the_birth_date(owner, household, born_1944):
    r = api(owner).post(
        f"/api/v1/households/{household.public_id}/members/",
        {"person": str(born_1944.public_id), "relation": "other", "joined_on": "1900-01-01"},
        format="json",
    )
    assert r.status_code == 400, r.json()
    assert list(r.json()["error"]["fields"]) == ["joined_on"]
    on_birthday = api(owner).post(
        f"/api/v1/households/{household.public_id}/members/",
        {"person": str(born_1944.public_id), "relation": "other", "joined_on": "1944-06-01"},
        format="json",
    )
    assert on_birthday.status_code == 201, on_birthday.json()


# --- 3. team member ------------------------------------------------------------------------------------


def test_team_page_refuses_a_future_joined_date_at_the_field(client, owner, body):
    case = open_case(coordinator=owner, agency=body)
    partner = AgencyFactory(name="北部地域包括支援センター")
    client.force_login(owner)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        _url(case, "team/"),
        {"add-agency": partner.pk, "add-role": "support", "add-joined_on": tomorrow},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "参加日に未来の日付は入れられません。" in _field_errors(html, "id_add-joined_on")
    assert f'value="{tomorrow}"' in html
    assert not CaseTeamMember.objects.filter(case=case, agency=partner).exists()


def test_team_api_refuses_a_future_joined_date(owner, body):
    case = open_case(coordinator=owner, agency=body)
    partner = AgencyFactory()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    r = api(owner).post(
        f"/api/v1/support-cases/{case.public_id}/team/",
        {"agency": partner.code, "role": "support", "joined_on": tomorrow.isoformat()},
        format="json",
    )
    assert r.status_code == 400, r.json()
    assert r.json()["error"]["fields"] == {"joined_on": ["参加日に未来の日付は入れられません。"]}
    assert not CaseTeamMember.objects.filter(case=case, agency=partner).exists()


# --- 4. evaluation --------------------------------------------------------------------------------------


def _evaluated(owner, body, *, monitored: bool):
    """A plan approved 10 days ago (and monitored 3 days ago), with a draft evaluation."""
    today = timezone.localdate()
    case, plan = case_with_approved_plan(
        coordinator=owner, agency=body, decided_on=today - dt.timedelta(days=10)
    )
    if monitored:
        s.monitoring_record(
            item=plan.items.first(),
            actor=owner,
            progress="on_track",
            monitored_on=today - dt.timedelta(days=3),
        )
    return case, s.evaluation_create(case=case, actor=owner)


@pytest.fixture
def evaluated(owner, body):
    return _evaluated(owner, body, monitored=True)


def _evaluation_post(ev, evaluated_on):
    items = list(ev.items.all())
    data = {
        "lock_version": ev.lock_version,
        "evaluated_on": evaluated_on.isoformat(),
        "overall": "見通しがついた",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
    }
    for n, item in enumerate(items):
        data[f"items-{n}-id"] = item.pk
    return data


def test_evaluation_page_refuses_a_date_before_the_latest_monitoring(client, owner, evaluated):
    case, ev = evaluated
    monitored = timezone.localdate() - dt.timedelta(days=3)
    typed = monitored - dt.timedelta(days=1)
    client.force_login(owner)
    response = client.post(
        _url(case, f"evaluations/{ev.number}/edit/"), _evaluation_post(ev, typed)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f"評価日は最後のモニタリング日({format_date(monitored)})以降の日付にしてください。"
        in _field_errors(html, "id_evaluated_on")
    )
    assert f'value="{typed.isoformat()}"' in html and "見通しがついた" in html
    assert Evaluation.objects.get(pk=ev.pk).evaluated_on == timezone.localdate()


def test_evaluation_api_refuses_a_date_before_the_plan_approval(owner, body):
    _case, ev = _evaluated(owner, body, monitored=False)
    approved = timezone.localdate() - dt.timedelta(days=10)
    r = api(owner).patch(
        f"/api/v1/evaluations/{ev.public_id}/",
        {
            "lock_version": ev.lock_version,
            "evaluated_on": (approved - dt.timedelta(days=7)).isoformat(),
        },
        format="json",
    )
    assert r.status_code == 400, r.json()
    assert r.json()["error"]["fields"] == {
        "evaluated_on": [
            f"評価日はプランの承認日({format_date(approved)})以降の日付にしてください。"
        ]
    }


def test_evaluation_on_the_latest_monitoring_date_is_saved(owner, evaluated):
    _case, ev = evaluated
    monitored = timezone.localdate() - dt.timedelta(days=3)
    s.evaluation_update(
        evaluation=ev, actor=owner, lock_version=ev.lock_version, data={"evaluated_on": monitored}
    )
    assert Evaluation.objects.get(pk=ev.pk).evaluated_on == monitored


def test_evaluation_before_both_dates_names_the_later_one(owner, evaluated):
    """Before the approval and the monitoring after it: the message gives the first date that
    would be accepted, the latest monitoring."""
    _case, ev = evaluated
    monitored = format_date(timezone.localdate() - dt.timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        s.evaluation_update(
            evaluation=ev,
            actor=owner,
            lock_version=ev.lock_version,
            data={"evaluated_on": timezone.localdate() - dt.timedelta(days=30)},
        )
    assert refused.value.message_dict == {
        "evaluated_on": [f"評価日は最後のモニタリング日({monitored})以降の日付にしてください。"]
    }
