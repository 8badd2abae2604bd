"""HTML views and API endpoints: three users each (manager / member or team / outsider), the
screens through a whole meeting, calendar and .ics, and query-count guards on lists."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies import jpdates
from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from cases.models import SupportCase
from meetings import services
from meetings.choices import AgendaKind, BodyKind, MeetingStatus
from meetings.models import Decision, Meeting

from .conftest import make_body, schedule, seat, submitted_plan, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(supervisor, coordinator, city, juso, partner_worker):
    seat(juso, coordinator, supervisor)
    seat(juso, partner_worker, supervisor)
    case, plan = submitted_plan(coordinator, city)
    meeting = schedule(juso, supervisor, days=-1)
    return {"case": case, "plan": plan, "meeting": meeting}


def test_supervisor_runs_a_whole_meeting_through_the_screens(client, world, supervisor, juso):
    meeting, plan, case = world["meeting"], world["plan"], world["case"]
    verified(client, supervisor)
    url = reverse("meetings:meeting_detail", args=[meeting.public_id])
    page = client.get(url).content.decode()
    assert "付議待ち" in page and f"plan:{plan.public_id}" in page
    r = client.post(
        reverse("meetings:item_add", args=[meeting.public_id]),
        {"source": f"plan:{plan.public_id}", "version": 1, "time_box_minutes": 25},
    )
    assert r.status_code == 302
    item = meeting.items.get()
    assert item.time_box_minutes == 25
    r = client.post(
        reverse("meetings:agenda_reorder", args=[meeting.public_id]),
        {"version": 2, f"order-{item.public_id}": 1, f"tb-{item.public_id}": 30},
    )
    meeting.refresh_from_db()
    assert meeting.items.get().time_box_minutes == 30
    # A stale version: the Japanese conflict message, nothing changed.
    r = client.post(
        reverse("meetings:agenda_fix", args=[meeting.public_id]), {"version": 1}, follow=True
    )
    assert "他の職員が先に" in r.content.decode()
    client.post(
        reverse("meetings:agenda_fix", args=[meeting.public_id]), {"version": meeting.version}
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.AGENDA_FIXED
    for name in ("agenda_pdf", "papers_pdf"):
        r = client.get(reverse(f"meetings:{name}", args=[meeting.public_id]))
        assert (
            r.status_code == 200
            and r["Content-Type"] == "application/pdf"
            and r.content.startswith(b"%PDF")
        )
    r = client.get(reverse("meetings:attendance", args=[meeting.public_id]))
    assert r.status_code == 200
    members = list(juso.members.current())
    data = {f"status_{m.pk}": "present" for m in members}
    data[f"status_{members[-1].pk}"] = "proxy"
    r = client.post(reverse("meetings:attendance", args=[meeting.public_id]), data)
    assert (
        "代理出席者の氏名" in r.content.decode()
    )  # proxy without a name is refused, next to the field
    data[f"proxy_{members[-1].pk}"] = "代理 花子"
    data["externals"] = "本人/ (当事者)"
    r = client.post(reverse("meetings:attendance", args=[meeting.public_id]), data)
    assert r.status_code == 302 and meeting.attendance.count() == len(members) + 1
    client.post(reverse("meetings:meeting_held", args=[meeting.public_id]))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    r = client.get(reverse("meetings:item_decide", args=[item.public_id]))
    assert r.status_code == 200 and "プラン承認" in r.content.decode()
    r = client.post(
        reverse("meetings:item_decide", args=[item.public_id]),
        {
            "kind": "plan_approved",
            "decided_on": meeting.date.isoformat(),
            "text": "承認",
            "notes": "異議なし",
            "roles-TOTAL_FORMS": 3,
            "roles-INITIAL_FORMS": 0,
            "roles-MIN_NUM_FORMS": 0,
            "roles-MAX_NUM_FORMS": 10,
            "roles-0-owner_agency": juso.convenor.pk,
            "roles-0-task": "見守り体制の調整",
            "roles-0-due_on": (meeting.date + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == SupportCase.Status.SUPPORTING
    client.post(
        reverse("meetings:minutes_update", args=[meeting.public_id]), {"minutes": "全員出席"}
    )
    r = client.get(reverse("meetings:minutes_pdf", args=[meeting.public_id]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    client.post(reverse("meetings:minutes_approve", args=[meeting.public_id]))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    r = client.post(
        reverse("meetings:minutes_update", args=[meeting.public_id]),
        {"minutes": "改ざん"},
        follow=True,
    )
    assert "承認済みのため変更できません" in r.content.decode()
    r = client.post(
        reverse("meetings:addendum_add", args=[meeting.public_id]),
        {"item": str(item.public_id), "text": "期限を訂正", "reason": "誤記"},
        follow=True,
    )
    assert "期限を訂正" in r.content.decode()
    page = client.get(url).content.decode()
    assert "議事録承認済" in page


def test_decision_page_says_meeting_not_held(client, world, supervisor):
    meeting, plan = world["meeting"], world["plan"]
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    verified(client, supervisor)
    r = client.post(
        reverse("meetings:item_decide", args=[item.public_id]),
        {
            "kind": "plan_approved",
            "decided_on": meeting.date.isoformat(),
            "roles-TOTAL_FORMS": 0,
            "roles-INITIAL_FORMS": 0,
            "roles-MIN_NUM_FORMS": 0,
            "roles-MAX_NUM_FORMS": 10,
        },
    )
    assert r.status_code == 200
    assert "まだ開催されていない" in r.content.decode()
    assert not Decision.objects.exists()


def test_non_consented_case_refused_on_screen(client, supervisor, coordinator, city, juso):
    case, plan = submitted_plan(coordinator, city, consent=False)
    meeting = schedule(juso, supervisor)
    verified(client, supervisor)
    r = client.post(
        reverse("meetings:item_add", args=[meeting.public_id]),
        {"source": f"plan:{plan.public_id}", "version": 1},
        follow=True,
    )
    assert "本人同意が確認できないため" in r.content.decode()
    assert not meeting.items.exists()


# --- three users per protected page ------------------------------------------------------


@pytest.mark.parametrize("name", ["meeting_detail", "attendance", "agenda_pdf"])
def test_meeting_pages_manager_member_outsider(
    client, world, supervisor, partner_worker, stranger, name
):
    meeting = world["meeting"]
    if name == "attendance":
        services.agenda_item_add(
            meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="共有"
        )
        meeting.refresh_from_db()
        services.agenda_fix(meeting=meeting, actor=supervisor, expected_version=meeting.version)
    url = reverse(f"meetings:{name}", args=[meeting.public_id])
    verified(client, supervisor)
    assert client.get(url).status_code == 200
    client.force_login(partner_worker)
    assert client.get(url).status_code == (403 if name == "attendance" else 200)
    client.force_login(stranger)
    assert client.get(url).status_code == 403


def test_body_pages_manager_member_outsider(
    client, world, supervisor, partner_worker, stranger, juso
):
    detail = reverse("meetings:body_detail", args=[juso.public_id])
    edit = reverse("meetings:body_edit", args=[juso.public_id])
    verified(client, supervisor)
    assert "構成員を追加" in client.get(detail).content.decode()
    assert client.get(edit).status_code == 200
    client.force_login(partner_worker)
    page = client.get(detail).content.decode()
    assert "任期" in page and "構成員を追加" not in page  # the member list, read-only
    assert "誓約" not in page  # a 重層的支援会議 needs no pledge (QA: it showed 誓約未登録)
    assert client.get(edit).status_code == 403
    client.force_login(stranger)
    page = client.get(detail).content.decode()
    assert "構成員の一覧は、この会議体の構成員と事務局だけが見られます" in page
    assert client.get(edit).status_code == 403


def test_forms_render_and_create(
    client, supervisor, city, juso, partner_worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    verified(client, supervisor)
    for url in (
        reverse("meetings:body_create"),
        reverse("meetings:member_add", args=[juso.public_id]),
        reverse("meetings:request_create", args=[juso.public_id]),
    ):
        assert client.get(url).status_code == 200
    r = client.post(
        reverse("meetings:body_create"),
        {
            "name": "支援会議(中部)",
            "kind": "shien_kaigi",
            "designated_from": "new",
            "convenor": city.pk,
            "recurrence": "monthly_weekday",
            "recur_week": 2,
            "recur_weekday": 1,
            "recur_interval": 1,
            "default_start_time": "10:00",
            "default_duration_minutes": 60,
            "submission_deadline_days": 7,
            "avoid_holidays": "on",
            "active": "on",
        },
    )
    assert r.status_code == 302
    r = client.post(
        reverse("meetings:member_add", args=[juso.public_id]),
        {
            "user": partner_worker.pk,
            "role": "member",
            "joined_on": timezone.localdate().isoformat(),
        },
    )
    assert r.status_code == 302
    member = juso.members.get(user=partner_worker)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        reverse("meetings:pledge_add", args=[member.public_id]),
        {
            "signed_on": timezone.localdate().isoformat(),
            "document": SimpleUploadedFile("a.txt", b"hello"),
        },
    )
    assert "PDF・JPEG・PNG" in r.content.decode()
    r = client.post(
        reverse("meetings:pledge_add", args=[member.public_id]),
        {
            "signed_on": timezone.localdate().isoformat(),
            "document": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"),
        },
    )
    assert r.status_code == 302
    pledge = member.pledges.get()
    r = client.get(reverse("meetings:pledge_document", args=[pledge.public_id]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    client.force_login(staff(AgencyFactory(), Role.CASEWORKER))
    assert (
        client.get(reverse("meetings:pledge_document", args=[pledge.public_id])).status_code == 403
    )
    client.force_login(partner_worker)
    assert (
        client.get(reverse("meetings:pledge_document", args=[pledge.public_id])).status_code == 200
    )


def test_request_from_a_caseworker(client, partner_worker, shien):
    client.force_login(partner_worker)
    r = client.post(
        reverse("meetings:request_create", args=[shien.public_id]),
        {
            "kind": "worrying_no_consent",
            "title": "北部の高齢世帯",
            "description": "気になる",
        },
    )
    assert r.status_code == 302
    assert shien.requests.get().requested_by == partner_worker


# --- calendar and .ics --------------------------------------------------------------------


def test_calendar_month_and_week_show_my_meetings_only(
    client, supervisor, city, juso, partner_worker, stranger
):
    seat(juso, partner_worker, supervisor)
    other = make_body(supervisor, city, BodyKind.SHIEN_KAIGI, "別の支援会議")
    mine = schedule(juso, supervisor, days=3)
    schedule(other, supervisor, days=4)
    client.force_login(partner_worker)
    month = client.get(
        reverse("meetings:calendar"), {"date": mine.date.isoformat()}
    ).content.decode()
    assert "重層的支援会議(全体)" in month and "別の支援会議" not in month
    week = client.get(
        reverse("meetings:calendar"), {"view": "week", "date": mine.date.isoformat()}
    ).content.decode()
    assert "重層的支援会議(全体)" in week and mine.starts_at.strftime("%H:%M") in week
    client.force_login(stranger)
    assert (
        "重層的支援会議(全体)"
        not in client.get(
            reverse("meetings:calendar"), {"date": mine.date.isoformat()}
        ).content.decode()
    )


def test_ics_export_carries_the_body_name_only(
    client, supervisor, coordinator, city, juso, partner_worker
):
    seat(juso, partner_worker, supervisor)
    case, plan = submitted_plan(coordinator, city)
    meeting = schedule(juso, supervisor, days=3)
    services.agenda_item_add(meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}")
    client.force_login(partner_worker)
    r = client.get(reverse("meetings:calendar_ics"))
    text = r.content.decode()
    assert r["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in text and f"UID:{meeting.public_id}@" in text
    assert "SUMMARY:重層的支援会議(全体)" in text
    assert case.number not in text and case.principal.family_name not in text
    assert "\r\n" in text and all(len(line.encode()) <= 75 for line in text.split("\r\n"))


# --- API ----------------------------------------------------------------------------------


def test_api_manager_member_outsider(client, world, supervisor, partner_worker, stranger, juso):
    meeting, plan = world["meeting"], world["plan"]
    verified(client, supervisor)
    r = client.post(
        "/api/v1/agenda-items/",
        {"meeting": str(meeting.public_id), "source": f"plan:{plan.public_id}"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    item_id = r.json()["id"]
    r = client.post(
        f"/api/v1/meetings/{meeting.public_id}/fix-agenda/",
        {"expected_version": 1},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    r = client.post(
        f"/api/v1/agenda-items/{item_id}/decision/",
        {"kind": "plan_approved"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "まだ開催されていない" in str(r.json())
    assert client.get(f"/api/v1/agenda-items/{item_id}/").json()["basis"]
    assert client.get("/api/v1/meeting-members/", {"body": str(juso.public_id)}).status_code == 200
    client.force_login(partner_worker)
    assert client.get(f"/api/v1/meetings/{meeting.public_id}/").status_code == 200
    assert (
        client.get(f"/api/v1/agenda-items/{item_id}/").status_code == 403
    )  # member, not on the case team
    assert (
        client.post(
            f"/api/v1/meetings/{meeting.public_id}/fix-agenda/",
            {"expected_version": 2},
            content_type="application/json",
        ).status_code
        == 403
    )
    client.force_login(stranger)
    assert client.get(f"/api/v1/meetings/{meeting.public_id}/").status_code == 403
    assert (
        client.get("/api/v1/agenda-items/", {"meeting": str(meeting.public_id)}).status_code == 403
    )
    assert client.get("/api/v1/meeting-members/", {"body": str(juso.public_id)}).status_code == 403


def test_api_body_create_enforces_municipal_convenor(client, supervisor, city, partner):
    verified(client, supervisor)
    r = client.post(
        "/api/v1/meeting-bodies/",
        {"name": "API会議", "kind": "juso_kaigi", "convenor": city.code},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    from agencies.models import Membership

    Membership.objects.create(
        user=supervisor, agency=partner, role="supervisor", start_date=dt.date(2020, 4, 1)
    )
    r = client.post(
        "/api/v1/meeting-bodies/",
        {"name": "委託先", "kind": "shien_kaigi", "convenor": partner.code},
        content_type="application/json",
    )
    assert r.status_code == 400 and "convenor" in r.json()["error"]["fields"]


def test_meetings_index_links_every_meeting_and_asks_for_no_missing_variable(
    client, supervisor, city, juso, missing_template_variables
):
    seat(juso, supervisor, supervisor)
    meeting = schedule(juso, supervisor, days=3)
    verified(client, supervisor)
    html = client.get(reverse("meetings:index")).content.decode()
    assert reverse("meetings:meeting_detail", args=[meeting.public_id]) in html
    assert "閲覧権限なし" not in html
    assert missing_template_variables == []


# --- query counts -------------------------------------------------------------------------


def test_list_pages_cost_a_fixed_number_of_queries(
    client, supervisor, city, juso, django_assert_max_num_queries
):
    for n in range(6):
        body = make_body(
            supervisor, city, BodyKind.SHIEN_KAIGI if n % 2 else BodyKind.JUSO_KAIGI, f"会議体{n}"
        )
        seat(body, supervisor, supervisor)
        for d in range(3):
            schedule(body, supervisor, days=d * 7 + n + 1)
    verified(client, supervisor)
    client.get(reverse("meetings:index"))  # warm the session/OTP caches
    for url in (
        reverse("meetings:index"),
        reverse("meetings:body_list"),
        reverse("meetings:calendar"),
        reverse("meetings:calendar") + "?view=week",
        reverse("meetings:calendar_ics"),
        "/api/v1/meetings/",
        "/api/v1/meeting-bodies/",
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url
    assert Meeting.objects.count() == 18
    from meetings import panels

    with django_assert_max_num_queries(12):
        shown = [
            p(supervisor)
            for p in (panels.next_meetings, panels.agenda_deadlines, panels.pledges_missing)
        ]
    assert len(shown[0].items) == 5 and shown[1].items  # next meetings; deadlines within 3 weeks
    assert shown[2].items == []  # every seat of the supervisor is pledged
    # "Next meetings" reads what it prints (`UPCOMING_ROW`): the user's seats, then the five
    # meetings with their body's name — a printed column left out costs a query per meeting.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fresh = type(supervisor).objects.get(pk=supervisor.pk)
    fresh.current_memberships()  # read once per request by the middleware
    with CaptureQueriesContext(connection) as ctx:
        nxt = panels.next_meetings(fresh)
    assert len(nxt.items) == 5 and len(ctx.captured_queries) == 2
    bodies = {str(m.public_id): m.body.name for m in Meeting.objects.select_related("body")}
    assert all(i.label.endswith(bodies[i.url.strip("/").split("/")[-1]]) for i in nxt.items)


def test_meeting_page_query_count_does_not_grow_with_items(
    client, supervisor, juso, django_assert_max_num_queries
):
    meeting = schedule(juso, supervisor)
    for n in range(8):
        services.agenda_item_add(
            meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title=f"共有{n}"
        )
    verified(client, supervisor)
    client.get(reverse("meetings:meeting_detail", args=[meeting.public_id]))
    with django_assert_max_num_queries(30):
        assert (
            client.get(reverse("meetings:meeting_detail", args=[meeting.public_id])).status_code
            == 200
        )


def test_paper_edit_cancel_and_body_edit_screens(
    client, world, supervisor, coordinator, juso, partner_worker
):
    meeting, plan = world["meeting"], world["plan"]
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    verified(client, supervisor)
    url = reverse("meetings:paper_edit", args=[item.public_id])
    assert client.get(url).status_code == 200
    r = client.post(url, {"title": item.title, "paper": "世帯の状況を要約した資料"})
    assert r.status_code == 302
    page = client.get(reverse("meetings:item_detail", args=[item.public_id])).content.decode()
    assert "世帯の状況を要約した資料" in page
    client.post(reverse("meetings:paper_regenerate", args=[item.public_id]))
    assert (
        "【プラン案】"
        in client.get(reverse("meetings:item_detail", args=[item.public_id])).content.decode()
    )
    # A team member who is not the secretariat cannot edit the paper.
    client.force_login(partner_worker)
    assert client.get(url).status_code == 403
    verified(client, supervisor)
    r = client.post(
        reverse("meetings:body_edit", args=[juso.public_id]),
        {
            "name": juso.name,
            "kind": "shien_kaigi",
            "designated_from": "new",
            "convenor": juso.convenor.pk,
            "recurrence": "monthly_weekday",
            "recur_week": 3,
            "recur_weekday": 2,
            "recur_interval": 1,
            "default_start_time": "14:00",
            "default_duration_minutes": 90,
            "submission_deadline_days": 7,
            "active": "on",
        },
    )
    assert "法的位置付けは変更できません" in r.content.decode()
    r = client.post(
        reverse("meetings:meeting_cancel", args=[meeting.public_id]),
        {"reason": "台風のため"},
        follow=True,
    )
    assert "会議を中止にしました。" in r.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_meeting_create_with_bad_input_keeps_the_values_and_shows_errors_at_the_fields(
    client, supervisor, juso
):
    """QA: a refused 臨時の会議 form redirected to a blank form with a bare 「この項目は必須です。」
    at the top of the page (which field?) and the typed place was gone."""
    from meetings.models import Meeting

    verified(client, supervisor)
    url = reverse("meetings:meeting_create", args=[juso.public_id])
    data = {"date": "", "start_time": "14:00", "duration_minutes": "90", "place": "第2会議室"}
    page = client.post(url, data).content.decode()
    assert 'id="id_date_error"' in page and "この項目は必須です。" in page
    assert 'value="第2会議室"' in page
    assert "入力内容に誤りがあります" in page
    data["date"] = "2027-02-30"
    page = client.post(url, data).content.decode()
    assert 'id="id_date_error"' in page and 'value="第2会議室"' in page
    assert not Meeting.objects.filter(body=juso).exists()
    generate = reverse("meetings:meetings_generate", args=[juso.public_id])
    page = client.post(generate, {"count": "99"}).content.decode()
    assert 'id="id_count_error"' in page and 'value="99"' in page


def test_meetings_generate_needs_the_manager(client, partner_worker, juso):
    client.force_login(partner_worker)
    url = reverse("meetings:meetings_generate", args=[juso.public_id])
    assert client.post(url, {"count": "x"}).status_code == 403


# --- the genogram and ecomap in the papers -----------------------------------------------------


def _papers_world(supervisor, coordinator, city, juso):
    """A case item whose household has 3 members and whose assessment has two relations."""
    from cases.models import AssessmentRelation
    from cases.tests.factories import HouseholdMemberFactory, PersonFactory

    seat(juso, coordinator, supervisor)
    case, plan = submitted_plan(coordinator, city)
    child = PersonFactory(registered_by_agency=city, sex="女", birth_date=dt.date(2010, 4, 1))
    HouseholdMemberFactory(
        household=case.household, person=child, relation="child", lives_together=True
    )
    case.persons.add(child)  # the case, and so its item, is about the whole household
    assessment = case.assessments.get()
    AssessmentRelation.objects.create(
        assessment=assessment, kind="person", label="叔父", strength="stressful"
    )
    AssessmentRelation.objects.create(
        assessment=assessment, kind="community", label="民生委員", strength="weak"
    )
    meeting = schedule(juso, supervisor)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    return case, meeting, item


def _pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_papers_pdf_draws_the_households_genogram_and_ecomap(
    client, supervisor, coordinator, city, juso
):
    case, meeting, item = _papers_world(supervisor, coordinator, city, juso)
    verified(client, supervisor)
    for url in (
        reverse("meetings:papers_pdf", args=[meeting.public_id]),
        reverse("meetings:paper_pdf", args=[item.public_id]),
    ):
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        text = _pdf_text(r.content)
        assert "本人(二重線)" in text and "緊張・対立" in text  # both legends: both drawings
        assert "世帯(3人)" in text and "叔父" in text and "民生委員" in text
        assert "出力日現在の記録から" in text and "父子が安心して暮らせる" in text
        for m in case.household.members.select_related("person"):
            assert m.person.family_name not in text  # the papers name nobody
        from agencies.tests.test_pdf import _embedded_font_ids

        assert all("NotoSansJP" in font for font in _embedded_font_ids(r.content))


def test_paper_drawings_of_an_item_naming_persons_cover_those_persons_only(
    supervisor, coordinator, city, juso
):
    from meetings.selectors import paper_drawings

    case, _meeting, item = _papers_world(supervisor, coordinator, city, juso)
    whole = paper_drawings(item)
    assert str(whole["genogram"]).count('<g class="member') == 3
    assert "叔父" in whole["ecomap"] and "font-family" not in whole["genogram"]
    item.persons.set([case.principal])
    only = paper_drawings(item, font_family="Tsunagu Sans")
    assert str(only["genogram"]).count('<g class="member') == 1
    assert "世帯(1人)" in only["ecomap"] and "叔父" not in only["ecomap"]
    assert 'font-family:"Tsunagu Sans"' in only["ecomap"]
    item.case, item.household = None, None
    assert paper_drawings(item) is None


def test_calendar_headers_and_dates_follow_the_readers_language(
    client, supervisor, juso, partner_worker
):
    seat(juso, partner_worker, supervisor)
    mine = schedule(juso, supervisor, days=3)
    client.force_login(partner_worker)
    url = reverse("meetings:calendar")
    month = client.get(url, {"date": mine.date.isoformat()}).content.decode()
    head = month.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert [f'<th scope="col">{d}</th>' in head for d in "日月火水木金土"] == [True] * 7
    assert jpdates.format_month(mine.date) in month  # the one date style

    partner_worker.language = "en"
    partner_worker.save(update_fields=["language"])
    month = client.get(url, {"date": mine.date.isoformat()}).content.decode()
    head = month.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert head.count("<th") == 7
    for day in ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"):
        assert f'<th scope="col">{day}</th>' in head
    assert "月" not in head
    week = client.get(url, {"view": "week", "date": mine.date.isoformat()}).content.decode()
    days = week.split('data-testid="week"', 1)[1].split("</ul>", 1)[0]
    # Dates keep the product's one style (和暦) in English too; the weekday is translated.
    assert f"{mine.date.month}月{mine.date.day}日({mine.date:%a})" in days


def test_request_links_a_case_picked_by_number_and_only_a_team_case(
    client, coordinator, city, shien, stranger
):
    """The 支援ケース of an agenda request is picked among the cases the user may see (typed
    case number without JavaScript); the stranger's typed number finds nothing."""
    from cases.tests.factories import open_case

    case = open_case(coordinator=coordinator, agency=city)
    url = reverse("meetings:request_create", args=[shien.public_id])
    data = {"kind": "worrying_no_consent", "title": "北部の高齢世帯", "case_text": case.number}
    client.force_login(stranger)
    r = client.post(url, data)
    assert r.status_code == 200 and "case" in r.context["form"].errors
    assert not shien.requests.exists()
    client.force_login(coordinator)
    html = client.get(url).content.decode()
    assert 'data-url="/cases/pick/cases/"' in html
    r = client.post(url, data)
    assert r.status_code == 302
    assert shien.requests.get().case == case


def test_pledges_missing_reads_what_it_prints_in_one_query(
    client, supervisor, shien, partner_worker, django_assert_num_queries
):
    """Members without this year's pledge, read with only the columns the panel and the meetings
    page print: one left out would cost a query per row (a deferred field)."""
    from meetings import panels

    seat(shien, partner_worker, supervisor, pledged=False)
    services.member_add(
        body=shien,
        actor=supervisor,
        external_name="山田 民生",
        external_organisation="北地区民生委員児童委員協議会",
    )
    supervisor.current_memberships()  # read once per request by the middleware
    panels.pledges_missing(supervisor)  # the managed agencies, once per request
    with django_assert_num_queries(1):
        panel = panels.pledges_missing(supervisor)
    labels = {i.label for i in panel.items}
    assert f"{shien.name}: {partner_worker}" in labels
    assert f"{shien.name}: 山田 民生" in labels and panel.count == len(labels)
    verified(client, supervisor)
    page = client.get(reverse("meetings:index")).content.decode()
    assert "北地区民生委員児童委員協議会" in page and str(partner_worker) in page


def test_pledges_missing_takes_the_day_it_is_asked(supervisor, shien, partner_worker):
    """The read compiled once per process (agencies.compiled) takes today's date and fiscal year
    each time: a pledge of this fiscal year stops counting on 1 April, and a member who joins
    later is not a member yet."""
    from unittest import mock

    from agencies.jpdates import fiscal_year
    from meetings import selectors

    member = seat(shien, partner_worker, supervisor)  # pledged today
    assert selectors.pledges_missing(supervisor) == []
    today = timezone.localdate()
    next_april = dt.date(fiscal_year(today) + 1, 4, 1)
    with mock.patch("meetings.selectors.timezone.localdate", return_value=next_april):
        assert selectors.pledges_missing(supervisor) == [member]
    before_joining = member.joined_on - dt.timedelta(days=1)
    with mock.patch("meetings.selectors.timezone.localdate", return_value=before_joining):
        assert selectors.pledges_missing(supervisor) == []
    # The member's own seat, asked by the member (no managed agency): the same rows.
    with mock.patch("meetings.selectors.timezone.localdate", return_value=next_april):
        assert selectors.pledges_missing(partner_worker) == [member]
