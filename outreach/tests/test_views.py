"""The outreach pages in every role, with query-count guards on the list and target page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from meetings.tests.conftest import verified
from outreach.models import ContactKind, OutreachContact, Stage

from .factories import log_contact, make_target


@pytest.fixture
def many_targets(csw, csw2, shakyo, assignee):
    targets = [make_target(csw, shakyo, assignees=[csw2]) for _ in range(12)]
    for t in targets[:6]:
        log_contact(csw, t, staff=[csw, csw2], professionals=["visiting_nurse"])
    return targets


def test_list_shows_visible_targets_in_fixed_queries(
    client, csw, many_targets, django_assert_max_num_queries
):
    client.force_login(csw)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("outreach:index"))
    assert response.status_code == 200
    assert response.content.decode().count("OR-") >= 12
    assert AuditEvent.objects.filter(action="outreach_target.list", actor=csw).exists()


def test_list_queries_do_not_grow_with_rows(client, csw, shakyo, django_assert_max_num_queries):
    for _ in range(3):
        make_target(csw, shakyo)
    client.force_login(csw)
    client.get(reverse("outreach:index"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("outreach:index"))
    for _ in range(20):
        make_target(csw, shakyo)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("outreach:index"))
    assert len(more) == len(few)


def test_list_pages_keep_the_urgent_first_order(client, csw, shakyo):
    """The page's rows are chosen by key (the visible targets sorted on the target table alone)
    and then joined: page 1 holds the 30 first in the list's order, page 2 the rest."""
    from outreach.models import Urgency

    urgent = [make_target(csw, shakyo, urgency=Urgency.URGENT) for _ in range(3)]
    normal = [make_target(csw, shakyo) for _ in range(29)]
    client.force_login(csw)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        first = client.get(reverse("outreach:index")).context["page_obj"]
    rows = next(
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('SELECT "outreach_outreachtarget"')
    )
    assert "LIMIT 31)" in rows.replace(" OFFSET 0", "")  # the page's keys, inside
    second = client.get(reverse("outreach:index"), {"page": 2}).context["page_obj"]
    assert [t.pk for t in first.object_list][:3] == sorted(
        (t.pk for t in urgent), reverse=True
    )  # never contacted: the newest first
    assert first.paginator.count == 32
    shown = [t.pk for t in first.object_list] + [t.pk for t in second.object_list]
    assert sorted(shown) == sorted(t.pk for t in urgent + normal)
    assert first.object_list[0].agency.name == shakyo.name  # joined for the page's rows


def test_outsider_gets_403_on_the_list_and_404_on_the_target(client, outsider, target):
    client.force_login(outsider)
    response = client.get(reverse("outreach:index"))
    assert response.status_code == 403 and target.number not in response.content.decode()
    assert client.get(target.get_absolute_url()).status_code == 404
    assert client.get(reverse("outreach:target_print", args=[target.public_id])).status_code == 404
    url = reverse("outreach:contact_create", args=[target.public_id])
    assert client.get(url).status_code == 404


def test_admin_sees_no_target_page(client, admin_user, target):
    verified(client, admin_user)
    assert client.get(target.get_absolute_url()).status_code == 404


def test_malformed_id_is_404(client, csw):
    client.force_login(csw)
    assert client.get("/outreach/not-a-uuid/").status_code == 404


def test_target_page_timeline_in_fixed_queries(
    client, csw, csw2, target, django_assert_max_num_queries
):
    for i in range(8):
        log_contact(csw, target, staff=[csw, csw2], content=f"訪問{i}")
    client.force_login(csw)
    with django_assert_max_num_queries(40):
        response = client.get(target.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "訪問7" in html and "発見・把握" in html
    assert AuditEvent.objects.filter(action="outreach_target.view", actor=csw).count() == 1


def test_create_target_from_the_form(client, csw):
    client.force_login(csw)
    response = client.post(
        reverse("outreach:target_create"),
        {
            "source": "neighbour",
            "informant": "隣の住民",
            "known_on": timezone.localdate().isoformat(),
            "approx_address": "南町3丁目",
            "worry": "夜中に大声が聞こえる",
            "urgency": "normal",
        },
    )
    assert response.status_code == 302
    assert "OR-" in client.get(response["Location"]).content.decode()


def test_create_target_reports_missing_fields_in_japanese(client, csw):
    client.force_login(csw)
    response = client.post(reverse("outreach:target_create"), {"source": "neighbour"})
    assert response.status_code == 200
    assert "気になること" in response.content.decode()


def test_log_contact_twice_with_the_same_token_makes_one(client, csw, csw2, target):
    client.force_login(csw)
    url = reverse("outreach:contact_create", args=[target.public_id])
    data = {
        "kind": ContactKind.HOME_VISIT,
        "occurred_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "minutes": "40",
        "staff": [csw.pk, csw2.pk],
        "professionals": ["visiting_nurse"],
        "counterpart": "person",
        "outcome": "through_door",
        "content": "ドア越しに挨拶できた",
        "idempotency_key": "0b7c0f7e-8a39-4d6c-9b51-3c2f3e3f9a10",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    contact = OutreachContact.objects.get()
    assert contact.staff.count() == 2 and contact.professionals == ["visiting_nurse"]


def test_future_contact_is_refused_with_a_field_error(client, csw, target):
    client.force_login(csw)
    url = reverse("outreach:contact_create", args=[target.public_id])
    response = client.post(
        url,
        {
            "kind": "phone",
            "occurred_at": (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "minutes": "5",
            "staff": [csw.pk],
            "counterpart": "nobody",
            "outcome": "no_answer",
            "idempotency_key": "1b7c0f7e-8a39-4d6c-9b51-3c2f3e3f9a10",
        },
    )
    assert response.status_code == 200
    assert "未来の日時" in response.content.decode()
    assert not OutreachContact.objects.exists()


def test_stage_change_and_closure_need_reason_and_code(client, csw, target):
    client.force_login(csw)
    url = reverse("outreach:target_stage", args=[target.public_id])
    today = timezone.localdate().isoformat()
    client.post(
        url, {"to_stage": "closed", "on": today, "reason": "拒否", "version": target.version}
    )
    target.refresh_from_db()
    assert target.stage == Stage.DISCOVERED
    client.post(
        url,
        {
            "to_stage": "closed",
            "on": timezone.localdate().isoformat(),
            "reason": "今は関わりを望まない",
            "closure_reason": "refused",
            "next_try_on": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
            "version": target.version,
        },
    )
    target.refresh_from_db()
    assert target.stage == Stage.CLOSED and target.closure_reason == "refused"
    assert target.next_try_on is not None


def test_assignee_logs_a_contact(client, assignee, target):
    client.force_login(assignee)
    assert (
        client.get(reverse("outreach:contact_create", args=[target.public_id])).status_code == 200
    )


def test_outsider_cannot_post_a_stage_change(client, outsider, target):
    client.force_login(outsider)
    url = reverse("outreach:target_stage", args=[target.public_id])
    response = client.post(url, {"to_stage": "relating", "reason": "x"})
    assert response.status_code == 404


def test_print_is_a_pdf_and_audited(client, csw, target):
    log_contact(csw, target, content="初回訪問")
    client.force_login(csw)
    response = client.get(reverse("outreach:target_print", args=[target.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert target.number in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="outreach_target.print").exists()


def test_visit_plan_groups_by_day_and_staff(client, csw, csw2, target):
    from outreach import services

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.visit_plan(actor=csw, target=target, planned_on=tomorrow, staff=[csw, csw2])
    client.force_login(csw2)
    response = client.get(reverse("outreach:visit_plan"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(target.number) == 2  # once under each staff member


def test_workload_counts_and_admin_sees_counts_only(client, csw, csw2, many_targets, admin_user):
    client.force_login(csw)
    response = client.get(reverse("outreach:workload"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="visits">6<' in html
    assert 'data-testid="staff-visits">12<' in html
    verified(client, admin_user)
    response = client.get(reverse("outreach:workload"))
    assert response.status_code == 200
    assert many_targets[0].number not in response.content.decode()


def test_outsider_cannot_open_workload(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("outreach:workload")).status_code == 403


def test_field_page_lists_own_targets_with_a_per_session_secret(client, csw, target, outsider):
    client.force_login(csw)
    response = client.get(reverse("outreach:field"))
    html = response.content.decode()
    assert response.status_code == 200 and target.number in html
    assert response["Cache-Control"] == "no-store, private"
    secret = response.context["secret"]
    assert len(secret) >= 40 and secret in html
    client.logout()
    client.force_login(csw)  # a new session: a new secret
    assert client.get(reverse("outreach:field")).context["secret"] != secret
    client.force_login(outsider)
    assert target.number not in client.get(reverse("outreach:field")).content.decode()


def test_service_worker_is_served_for_the_field_scope(client, csw):
    client.force_login(csw)
    response = client.get(reverse("outreach:field_sw"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "outreach-field.js" in response.content.decode()


def test_shien_kaigi_member_page_is_read_only(client, target, csw):
    from agencies.choices import OperatorType
    from agencies.tests.factories import AgencyFactory, staff
    from cases.tests.factories import multiagency_agency
    from meetings import services as ms
    from meetings.choices import BodyKind
    from meetings.tests.conftest import make_body, schedule, seat
    from outreach import services

    city = multiagency_agency(operator_type=OperatorType.MUNICIPAL)
    secretariat = staff(city, "coordinator")
    body = make_body(secretariat, city, BodyKind.SHIEN_KAIGI, "支援会議")
    member = staff(AgencyFactory(), "caseworker")
    seat(body, member, secretariat)
    link = services.target_request_agenda(actor=csw, target=target, body=body, description="共有")
    ms.agenda_item_add(
        meeting=schedule(body, secretariat),
        actor=secretariat,
        source=f"request:{link.request.public_id}",
    )
    client.force_login(member)
    response = client.get(target.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200 and "支援会議" in html
    assert "接触記録を入力" not in html
    assert (
        client.get(reverse("outreach:contact_create", args=[target.public_id])).status_code == 403
    )


def test_dashboard_panel_shows_upcoming_visits(client, csw, target):
    from outreach import services

    services.visit_plan(
        actor=csw,
        target=target,
        planned_on=timezone.localdate() + dt.timedelta(days=1),
        staff=[csw],
    )
    client.force_login(csw)
    html = client.get(reverse("dashboard")).content.decode()
    assert "アウトリーチ: 直近の訪問予定" in html and target.number in html


def test_api_list_queries_do_not_grow_with_linked_persons(shakyo, csw):
    """Targets that became persons name them in the API list: loaded with the targets."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from cases.tests.factories import PersonFactory
    from outreach.models import OutreachTarget

    api = APIClient()
    api.force_authenticate(csw)

    def linked(n):
        for _ in range(n):
            t = make_target(csw, shakyo)
            OutreachTarget.objects.filter(pk=t.pk).update(
                person=PersonFactory(registered_by_agency=shakyo)
            )

    linked(2)
    api.get("/api/v1/outreach/targets/")
    with CaptureQueriesContext(connection) as few:
        assert api.get("/api/v1/outreach/targets/").status_code == 200
    linked(10)
    with CaptureQueriesContext(connection) as more:
        body = api.get("/api/v1/outreach/targets/").json()
    assert sum(1 for r in body["results"] if r["person"]) == 12
    assert len(more) == len(few)


def test_busy_target_pages_its_timeline_and_shows_every_entry_once(
    client, csw, shakyo, django_assert_max_num_queries
):
    from outreach.selectors import TIMELINE_PAGE_SIZE, target_timeline

    start = timezone.now() - dt.timedelta(days=200)
    target = make_target(csw, shakyo, known_on=timezone.localdate(start))
    contacts = [
        log_contact(csw, target, when=start + dt.timedelta(days=i, hours=1), content=f"訪問{i:03}")
        for i in range(TIMELINE_PAGE_SIZE * 2 + 7)
    ]
    # A stage change in the middle of the second page's period.
    StageTransition = target.transitions.model
    StageTransition.objects.create(
        target=target,
        to_stage=Stage.PREPARING,
        on=(start + dt.timedelta(days=40)).date(),
        reason="準備",
        actor=csw,
    )
    seen = []
    for number in (1, 2, 3):
        timeline = target_timeline(target, number)
        seen += [(e.kind, e.obj.pk) for e in timeline.entries]
        assert sum(e.kind == "contact" for e in timeline.entries) <= TIMELINE_PAGE_SIZE
    expected = {("contact", c.pk) for c in contacts} | {
        ("transition", t.pk) for t in target.transitions.all()
    }
    assert sorted(seen) == sorted(expected)  # every entry, none twice

    client.force_login(csw)
    with django_assert_max_num_queries(40):
        page1 = client.get(target.get_absolute_url()).content.decode()
    assert "訪問106" in page1 and "訪問057" in page1 and "訪問056" not in page1  # newest 50
    assert 'rel="next"' in page1
    page3 = client.get(target.get_absolute_url() + "?page=3").content.decode()
    assert "訪問000" in page3
    assert client.get(target.get_absolute_url() + "?page=abc").status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1500-01-01", "abc"])
def test_a_hand_edited_date_in_the_address_is_never_an_error_page(client, csw, value):
    """?start= and ?date= outside the years the system knows fall back to today on the pages
    (year 1 and 9999 overflowed the date arithmetic: 500) and are a 400 at the field in the
    API."""
    from rest_framework.test import APIClient

    client.force_login(csw)
    page = client.get(reverse("outreach:visit_plan"), {"start": value})
    assert page.status_code == 200
    assert client.get(reverse("meetings:calendar"), {"date": value}).status_code == 200
    api = APIClient()
    api.force_authenticate(csw)
    response = api.get("/api/v1/outreach/visits/", {"start": value})
    assert response.status_code == 400 and "start" in response.json()["error"]["fields"]
    response = api.get("/api/v1/outreach/counts/", {"start": value, "end": "2026-12-31"})
    assert response.status_code == 400 and "start" in response.json()["error"]["fields"]


def test_an_open_target_keeps_someone_who_answers_for_it(client, csw, target):
    """A blank 主担当 with no 担当者 saved 「主担当: — 担当者: —」 on an open, urgent target."""
    before = target.lead_worker
    client.force_login(csw)
    response = client.post(
        reverse("outreach:target_assign", args=[target.public_id]), {"lead_worker": ""}
    )
    assert response.status_code == 200 and "主担当を選んでください" in response.content.decode()
    target.refresh_from_db()
    assert target.lead_worker == before
