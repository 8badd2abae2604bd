"""No dead ends for a case without consent (issue 10 item 2): the plan cannot be submitted to a
重層的支援会議, the case page says the case can go to a 支援会議 and offers 「会議に付議」, and the
支援会議 decides a pre-consent 見守り・アウトリーチ方針 (owners, dates, next review)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.jpdates import format_date
from cases.services import support as s
from cases.tests.factories import ConsentFactory, PersonFactory, open_case, plan_items_for
from meetings import services
from meetings.choices import AgendaKind, DecisionKind, RequestStatus
from meetings.models import AgendaRequest, RoleAssignment

from .conftest import hold, schedule, seat

pytestmark = pytest.mark.django_db


def _draft_plan(case, coordinator, agency):
    s.assessment_create(case=case, actor=coordinator)
    plan = s.plan_create(case=case, actor=coordinator)
    today = timezone.localdate()
    s.plan_update(
        plan=plan,
        actor=coordinator,
        lock_version=plan.lock_version,
        data={
            "overall_goal": "g",
            "period_start": today,
            "period_end": today + dt.timedelta(days=90),
        },
        items=plan_items_for([agency]),
    )
    return plan


def test_no_consent_case_goes_to_a_shien_kaigi_and_gets_a_watch_policy(
    client, city, coordinator, supervisor, shien, juso
):
    case = open_case(coordinator=coordinator, agency=city)
    plan = _draft_plan(case, coordinator, city)
    # The plan is refused before it can sit in 会議付議 with no meeting to go to.
    with pytest.raises(ValidationError, match="支援会議に付議"):
        s.plan_submit(plan=plan, actor=coordinator)
    case.refresh_from_db()
    assert case.status == "planning"

    client.force_login(coordinator)
    page = client.get(reverse("cases:case_detail", args=[case.public_id]))
    html = page.content.decode()
    assert 'data-testid="route-no-consent"' in html
    assert shien.name in html and juso.name not in html.split('data-testid="meeting-route"')[1]
    response = client.post(
        reverse("meetings:case_submit", args=[case.public_id]),
        {"body": str(shien.public_id), "description": "訪問を拒まれている。見守りの分担を"},
    )
    assert response.status_code == 302
    request = AgendaRequest.objects.get(case=case)
    assert request.kind == AgendaKind.WORRYING_NO_CONSENT and request.body == shien
    # A 重層的支援会議 is refused even if posted by hand.
    client.post(
        reverse("meetings:case_submit", args=[case.public_id]), {"body": str(juso.public_id)}
    )
    assert AgendaRequest.objects.filter(case=case).count() == 1

    seat(shien, coordinator, supervisor)
    seat(shien, supervisor, supervisor)
    meeting = schedule(shien, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"request:{request.public_id}"
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.PLACED
    hold(meeting, supervisor)
    review = timezone.localdate() + dt.timedelta(days=60)
    services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.WATCH,
        text="民生委員と社協CSWで月1回の見守り。手紙を送る",
        next_review_on=review,
        roles=[
            {
                "owner_agency": city,
                "owner_user": coordinator,
                "task": "手紙を送る",
                "due_on": timezone.localdate() + dt.timedelta(days=14),
            }
        ],
    )
    assert RoleAssignment.objects.get(decision__item=item).owner_user == coordinator
    page = client.get(reverse("cases:case_detail", args=[case.public_id]))
    html = page.content.decode()
    assert 'data-testid="watch-policy"' in html and "手紙を送る" in html
    assert (
        f'次回の見直し <time class="date" datetime="{review.isoformat()}">{format_date(review)}</time>'
        in html
    )


def test_consented_case_page_points_to_the_juso_kaigi(client, city, coordinator, juso, shien):
    case = open_case(coordinator=coordinator, agency=city)
    ConsentFactory(person=case.principal, agencies=[city])
    client.force_login(coordinator)
    html = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    route = html.split('data-testid="meeting-route"')[1].split("</section>")[0]
    assert juso.name in route and shien.name not in route
    plan = _draft_plan(case, coordinator, city)
    assert s.plan_submit(plan=plan, actor=coordinator).status == "submitted"


def test_outsider_cannot_submit_someone_elses_case(client, city, coordinator, stranger, shien):
    case = open_case(coordinator=coordinator, agency=city)
    client.force_login(stranger)
    response = client.post(
        reverse("meetings:case_submit", args=[case.public_id]), {"body": str(shien.public_id)}
    )
    assert response.status_code == 404
    assert not AgendaRequest.objects.exists()


def test_consent_in_force_is_the_named_persons_or_else_the_households(
    city, coordinator, django_assert_num_queries
):
    """The guard of 重層的支援会議 agendas: a consent in force from a person the case names (本人
    or another) — the household's only when the case names nobody — asked in one statement."""
    from cases.models import SupportCase
    from meetings.selectors import case_consent_in_force

    def consent_of(person, **kwargs):
        return ConsentFactory(person=person, recorded_by_agency=city, **kwargs)

    case = open_case(coordinator=coordinator, agency=city)
    principal, parent = case.persons.order_by("pk")
    with django_assert_num_queries(1):
        assert not case_consent_in_force(case)
    # The household's consent does not count while the case names persons.
    other = consent_of(parent, household=case.household)
    other.withdrawn_at = timezone.now()
    other.save(update_fields=["withdrawn_at"])
    household_only = consent_of(PersonFactory(registered_by_agency=city), household=case.household)
    assert not case_consent_in_force(case)
    # A named person other than 本人 consents.
    consent_of(parent)
    assert case_consent_in_force(case)
    # Only 本人, named as principal but not among the persons.
    case.persons.clear()
    assert not case_consent_in_force(case)
    consent_of(principal)
    assert case_consent_in_force(case)
    # A case naming nobody: the household's consent in force counts.
    SupportCase.objects.filter(pk=case.pk).update(principal=None)
    case.refresh_from_db()
    assert case_consent_in_force(case)
    household_only.withdrawn_at = timezone.now()
    household_only.save(update_fields=["withdrawn_at"])
    assert not case_consent_in_force(case)
    # Consent given later than the day asked about is not in force on that day.
    assert not case_consent_in_force(case, on=timezone.now() - dt.timedelta(days=400))
