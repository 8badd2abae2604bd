"""Consultations (相談受付): service rules, the HTML pages and who may see them."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.policy import PolicyDenied
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.models import Consultation, ConsultationIssue
from cases.services import intake as s
from cases.tests.factories import ConsultationFactory, household_with_members, login_verified


@pytest.fixture
def setup(db):
    agency = AgencyFactory()
    owner = staff(agency, Role.CASEWORKER)
    colleague = staff(agency, Role.CASEWORKER)
    outsider = staff(AgencyFactory(), Role.CASEWORKER)
    household, persons = household_with_members(agency)
    return agency, owner, colleague, outsider, household, persons[0]


def _create(agency, actor, **kw):
    data = {
        "route": "phone",
        "consulter_kind": "family",
        "summary": "相談内容",
        "outcome": "own",
        "urgency": "normal",
    }
    data.update(kw)
    return s.consultation_create(
        actor=actor,
        agency=agency,
        categories=kw.pop("categories", ["8050", "kaigo"]),
        **{k: v for k, v in data.items() if k != "categories"},
    )


def test_create_records_categories_and_audit(setup):
    agency, owner, *_rest, household, person = setup
    c = _create(
        agency, owner, person=person, household=household, categories=["8050", "kaigo", "8050"]
    )
    assert sorted(c.categories) == ["8050", "kaigo"]
    assert c.staff == owner and c.version == 1
    assert AuditEvent.objects.filter(action="consultation.create", object_id=str(c.pk)).exists()


def test_anonymous_consultation_without_person(setup):
    agency, owner, *_ = setup
    c = _create(agency, owner, consulter_kind="anonymous")
    assert c.person is None


def test_anonymous_with_person_is_refused(setup):
    agency, owner, *_rest, household, person = setup
    with pytest.raises(ValidationError) as exc:
        _create(agency, owner, consulter_kind="anonymous", person=person)
    assert "person" in exc.value.message_dict


def test_categories_required(setup):
    agency, owner, *_ = setup
    with pytest.raises(ValidationError) as exc:
        _create(agency, owner, categories=[])
    assert "課題の分類" in exc.value.message_dict["categories"][0]


def test_future_received_at_refused(setup):
    agency, owner, *_ = setup
    with pytest.raises(ValidationError) as exc:
        _create(agency, owner, received_at=timezone.now() + dt.timedelta(days=1))
    assert "未来" in exc.value.message_dict["received_at"][0]


def test_outsider_cannot_record_at_another_agency(setup):
    agency, _owner, _colleague, outsider, *_ = setup
    with pytest.raises(PolicyDenied):
        _create(agency, outsider)


def test_cannot_link_a_person_the_user_may_not_see(setup):
    agency, owner, *_ = setup
    _hh, others = household_with_members(AgencyFactory())
    with pytest.raises(ValidationError) as exc:
        _create(agency, owner, person=others[0])
    assert "person" in exc.value.message_dict


def test_double_submit_creates_one(setup):
    agency, owner, *_ = setup
    key = uuid.uuid4()
    assert (
        _create(agency, owner, idempotency_key=key).pk
        == _create(agency, owner, idempotency_key=key).pk
    )
    assert Consultation.objects.count() == 1


def test_update_with_version_and_categories(setup):
    agency, owner, colleague, *_ = setup
    c = _create(agency, owner)
    c = s.consultation_update(
        actor=colleague, consultation=c, expected_version=1, outcome="info", categories=["kakei"]
    )
    assert c.version == 2 and c.outcome == "info" and c.categories == ["kakei"]
    with pytest.raises(s.IntakeConflict):
        s.consultation_update(actor=owner, consultation=c, expected_version=1, outcome="own")
    event = AuditEvent.objects.get(action="consultation.update")
    assert set(event.changes) == {"outcome", "categories"}


def test_outsider_cannot_update(setup):
    agency, owner, _colleague, outsider, *_ = setup
    c = _create(agency, owner)
    with pytest.raises(PolicyDenied):
        s.consultation_update(actor=outsider, consultation=c, outcome="own")


# --- pages ------------------------------------------------------------------------------------


def test_owner_and_colleague_see_detail_outsider_gets_404(client, setup):
    agency, owner, colleague, outsider, *_ = setup
    c = ConsultationFactory(agency=agency, staff=owner)
    url = reverse("cases:consultation_detail", args=[c.public_id])
    for user, expected in ((owner, 200), (colleague, 200), (outsider, 404)):
        client.force_login(user)
        assert client.get(url).status_code == expected
    assert AuditEvent.objects.filter(action="consultation.view", object_id=str(c.pk)).count() == 2


def test_admin_role_alone_sees_no_consultations(client, setup, admin_user):
    agency, owner, *_ = setup
    c = ConsultationFactory(agency=agency, staff=owner)
    login_verified(client, admin_user)
    assert client.get(reverse("cases:consultation_detail", args=[c.public_id])).status_code == 404
    assert client.get(reverse("cases:consultation_list")).status_code == 403


def test_resident_cannot_open_consultation_list(client, setup):
    agency, *_ = setup
    resident = staff(agency, Role.RESIDENT)
    client.force_login(resident)
    assert client.get(reverse("cases:consultation_list")).status_code == 403


def test_create_page_posts_and_redirects(client, setup):
    agency, owner, *_rest, household, person = setup
    client.force_login(owner)
    page = client.get(reverse("cases:consultation_create"))
    assert page.status_code == 200
    token = page.context["form"].initial["idempotency_key"]
    data = {
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "agency": agency.pk,
        "route": "raisho",
        "consulter_kind": "self",
        "person": str(person.public_id),
        "household": str(household.public_id),
        "categories": ["8050", "hikikomori"],
        "summary": "長男のひきこもり",
        "urgency": "high",
        "outcome": "multiagency",
        "minutes_spent": 45,
        "staff_count": 2,
        "idempotency_key": str(token),
    }
    first = client.post(reverse("cases:consultation_create"), data)
    second = client.post(reverse("cases:consultation_create"), data)  # double click
    c = Consultation.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == reverse("cases:consultation_detail", args=[c.public_id])
    assert sorted(c.categories) == ["8050", "hikikomori"] and c.person == person


def test_create_page_shows_japanese_errors(client, setup):
    agency, owner, *_ = setup
    client.force_login(owner)
    response = client.post(
        reverse("cases:consultation_create"), {"agency": agency.pk, "consulter_kind": "anonymous"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "このフィールドは必須です。" in body or "必須" in body
    assert not Consultation.objects.exists()


def test_edit_page_refuses_stale_version(client, setup):
    agency, owner, colleague, *_ = setup
    c = _create(agency, owner)
    s.consultation_update(actor=colleague, consultation=c, outcome="info")
    client.force_login(owner)
    data = {
        "received_at": timezone.localtime(c.received_at).strftime("%Y-%m-%dT%H:%M"),
        "route": "phone",
        "consulter_kind": "family",
        "categories": ["8050"],
        "summary": "x",
        "urgency": "normal",
        "outcome": "own",
        "minutes_spent": 10,
        "staff_count": 1,
        "version": 1,
    }
    response = client.post(reverse("cases:consultation_update", args=[c.public_id]), data)
    assert response.status_code == 200
    assert "他の職員が先に更新しました" in response.content.decode(), response.context[
        "form"
    ].errors


def test_list_filters(client, setup):
    agency, owner, *_ = setup
    ConsultationFactory(
        agency=agency, staff=owner, route="phone", categories=["8050"], urgency="urgent"
    )
    ConsultationFactory(
        agency=agency, staff=owner, route="raisho", categories=["kaigo"], outcome="own"
    )
    ConsultationFactory(
        agency=agency,
        staff=owner,
        route="raisho",
        categories=["kaigo"],
        received_at=timezone.now() - dt.timedelta(days=100),
    )
    client.force_login(owner)
    url = reverse("cases:consultation_list")

    def count(**params):
        return client.get(url, params).context["page_obj"].paginator.count

    assert count() == 3
    assert count(route="raisho") == 2
    assert count(category="8050") == 1
    assert count(urgency="urgent") == 1
    assert count(outcome="own") == 1
    assert count(date_from=(timezone.localdate() - dt.timedelta(days=10)).isoformat()) == 2
    assert count(agency=agency.pk) == 3


def test_list_query_count_is_fixed(client, setup, django_assert_max_num_queries):
    agency, owner, *_ = setup
    for _ in range(30):
        ConsultationFactory(agency=agency, staff=owner, categories=["8050", "kaigo"])
    client.force_login(owner)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases:consultation_list"))
    assert len(response.context["page_obj"].object_list) == 30


def test_issue_rows_count_by_category(setup):
    agency, owner, *_ = setup
    ConsultationFactory(agency=agency, staff=owner, categories=["8050", "kaigo"])
    ConsultationFactory(agency=agency, staff=owner, categories=["8050"])
    from django.db.models import Count

    counts = dict(ConsultationIssue.objects.values_list("category").annotate(n=Count("pk")))
    assert counts == {"8050": 2, "kaigo": 1}


def test_detail_groups_actions_and_shows_an_empty_note_not_a_bullet(client, setup):
    """QA: the actions were spread across the title row and 「まだありません。」 was a bullet."""
    agency, owner, *_ = setup
    c = ConsultationFactory(agency=agency, staff=owner)
    client.force_login(owner)
    html = client.get(reverse("cases:consultation_detail", args=[c.public_id])).content.decode()
    assert '<p class="empty">まだありません。</p>' in html
    assert '<li class="empty">' not in html
    actions = html.split('<div class="toolbar__actions">', 1)[1].split("</div>", 1)[0]
    assert reverse("cases:consultation_pdf", args=[c.public_id]) in actions


def test_list_rows_read_their_categories_from_the_prefetched_list(db, django_assert_num_queries):
    """`for_list` prefetches the categories into a plain list on each row (a prefetch into the
    related manager builds a queryset per row: ~2 ms for a page of 50); `categories` reads it
    without a query, and a consultation read without the prefetch still answers."""
    from cases.tests.factories import ConsultationFactory

    made = [ConsultationFactory(categories=["8050", "kaigo"]) for _ in range(3)]
    with django_assert_num_queries(2) as ctx:  # the rows, their categories
        rows = list(Consultation.objects.for_list().order_by("pk"))
        listed = [sorted(c.categories) for c in rows]
    assert listed == [["8050", "kaigo"]] * 3
    # The categories are read by key, without joining the consultations again to sort them.
    assert "JOIN" not in ctx.captured_queries[1]["sql"]
    assert all(isinstance(c.issue_rows, list) for c in rows)
    assert sorted(Consultation.objects.get(pk=made[0].pk).categories) == ["8050", "kaigo"]


def test_received_at_outside_the_years_and_an_endless_summary_are_field_errors(client, setup):
    """Year 1 overflowed the time zone conversion (500); 300,000 characters were saved and
    printed. Both are refused at their fields, on the page and in the API."""
    from rest_framework.test import APIClient

    agency, owner, *_ = setup
    with pytest.raises(ValidationError) as exc:
        _create(agency, owner, received_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC))
    assert "1868年から2100年まで" in exc.value.message_dict["received_at"][0]
    with pytest.raises(ValidationError) as exc:
        _create(agency, owner, summary="あ" * 10_001)
    assert "10,000文字以内" in exc.value.message_dict["summary"][0]
    client.force_login(owner)
    page = client.post(
        reverse("cases:consultation_create"),
        {
            "received_at": "0001-01-01T00:00",
            "agency": agency.pk,
            "route": "phone",
            "consulter_kind": "family",
            "categories": ["8050"],
            "summary": "相談内容",
            "urgency": "normal",
            "outcome": "own",
            "minutes_spent": 10,
            "staff_count": 1,
        },
    )
    assert page.status_code == 200 and "1868年から2100年まで" in page.content.decode()
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post(
        "/api/v1/consultations/",
        {
            "received_at": "0001-01-01T00:00:00",
            "agency": agency.pk,
            "route": "phone",
            "consulter_kind": "family",
            "categories": ["8050"],
            "summary": "相談内容",
            "outcome": "own",
        },
        format="json",
    )
    assert response.status_code == 400 and "received_at" in response.json()["error"]["fields"]
    assert not Consultation.objects.exists()
