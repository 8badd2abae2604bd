"""HTML views of the 多機関協働 case: three users per page, query counts, conflicts, printing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.models import Assessment, Plan, SupportCase
from cases.services import support as s
from cases.tests.factories import (
    ConsentFactory,
    ConsultationFactory,
    case_with_approved_plan,
    open_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(body):
    return staff(body, Role.CASEWORKER)


@pytest.fixture
def outsider():
    return staff(AgencyFactory(), Role.COORDINATOR)


@pytest.fixture
def case(owner, body):
    c, _plan = case_with_approved_plan(
        coordinator=owner, agency=body, partner_agencies=[AgencyFactory()]
    )
    s.note_create(
        case=c, actor=owner, kind="visit", content="自宅を訪問", minutes=60, staff_count=2
    )
    return c


def _url(case, suffix=""):
    return reverse("cases:case_detail", args=[case.public_id]) + suffix


PAGES = [
    "",
    "team/",
    "monitoring/",
    "notes/",
    "assessments/1/",
    "plans/1/",
    "assessments/1/edit/",
    "plans/1/pdf/",
]


@pytest.mark.parametrize("suffix", PAGES)
def test_owner_and_colleague_see_case_pages_outsider_gets_404(
    client, case, owner, colleague, outsider, suffix
):
    client.force_login(owner)
    assert client.get(_url(case, suffix)).status_code == 200
    client.force_login(colleague)
    assert client.get(_url(case, suffix)).status_code == 200
    client.force_login(outsider)
    assert client.get(_url(case, suffix)).status_code == 404


def test_case_page_shows_timeline_genogram_ecomap_and_is_audited(client, case, owner):
    client.force_login(owner)
    response = client.get(_url(case))
    body = response.content.decode()
    assert case.number in body
    assert 'class="genogram"' in body and 'class="ecomap"' in body
    assert "自宅を訪問" in body
    assert "未承認" not in body
    assert AuditEvent.objects.filter(
        action="case.view", actor=owner, object_id=str(case.pk)
    ).exists()


def test_case_pages_offer_no_decision_shortcut(client, case, colleague, owner):
    """Decisions are made by meetings: no 'record the decision' page exists on the case."""
    plan = case.plans.get()
    ev = s.evaluation_create(case=case, actor=case.coordinator)
    for user in (colleague, owner):
        client.force_login(user)
        assert client.get(_url(case, f"evaluations/{ev.number}/decide/")).status_code == 404
        assert client.post(_url(case, f"plans/{plan.number}/approve/")).status_code == 404
    assert plan.status == Plan.Status.APPROVED


def test_outsider_does_not_find_case_in_list(client, case, owner, outsider):
    client.force_login(outsider)
    assert case.number not in client.get(reverse("cases:case_list")).content.decode()
    client.force_login(owner)
    assert case.number in client.get(reverse("cases:case_list")).content.decode()


def test_case_list_query_count_is_constant(client, body, owner, django_assert_max_num_queries):
    for _ in range(3):
        open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("cases:case_list"))
    for _ in range(12):
        open_case(coordinator=owner, agency=body)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("cases:case_list") + "?status=&overdue=&mine=1")
    assert response.status_code == 200
    assert response.content.decode().count("/cases/support/") >= 15
    # Filtering by a chosen 主担当機関 costs no more, whatever the size of the directory (a
    # picker: the chosen agency is looked up, no agency is listed).
    AgencyFactory.create_batch(10)
    params = {"lead_agency": body.pk, "lead_agency_text": body.name}
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("cases:case_list"), params)
    assert len(response.context["page_obj"].object_list) == 15


def test_case_page_query_count_is_constant(client, body, owner, django_assert_max_num_queries):
    case, plan = case_with_approved_plan(
        coordinator=owner, agency=body, partner_agencies=[AgencyFactory()]
    )
    client.force_login(owner)
    client.get(_url(case))
    with django_assert_max_num_queries(60) as small:
        client.get(_url(case))
    for n in range(8):
        s.note_create(case=case, actor=owner, kind="phone", content=f"電話{n}")
        s.monitoring_record(
            item=plan.items.first(),
            actor=owner,
            progress="on_track",
            next_on=timezone.localdate() + dt.timedelta(days=10 + n),
        )
        s.team_add(case=case, actor=owner, agency=AgencyFactory())
        ConsultationFactory(household=case.household, agency=AgencyFactory(short_name=f"相談{n}"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(_url(case))
    assert response.status_code == 200
    assert "相談7" in response.content.decode()  # the timeline's consultations, with their agency


def test_case_page_compiles_its_reads_of_the_case_once(client, body, owner):
    """The case page's lists, its timeline's reads of the case and the meeting route are compiled
    once per process (agencies.compiled): a later view of any case builds none of their SQL again
    and shows that case's rows."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    partner = AgencyFactory(name="二番目の連携機関")
    case, _plan = case_with_approved_plan(
        coordinator=owner, agency=body, partner_agencies=[partner]
    )
    other, _ = case_with_approved_plan(coordinator=owner, agency=body)
    client.force_login(owner)
    client.get(_url(other))
    compiled, depth = [], []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        if not depth:  # a statement of its own, not a subquery of another
            compiled.append(self.query.model._meta.label)
        depth.append(1)
        try:
            return original(self, *args, **kwargs)
        finally:
            depth.pop()

    with mock.patch.object(SQLCompiler, "as_sql", counting):
        response = client.get(_url(case))
    assert response.status_code == 200
    once = {
        "cases.CaseTeamMember",
        "cases.Assessment",
        "cases.Plan",
        "cases.PlanItem",
        "cases.Evaluation",
        "cases.LeadAgencyHistory",
        "cases.HouseholdMember",
        "cases.CaseTransition",
        "cases.Monitoring",
        "cases.CaseHandover",
        "cases.Consultation",
        "meetings.AgendaItem",
        "meetings.AgendaRequest",
        "meetings.MeetingBody",
    }
    assert compiled and not once & set(compiled)
    team = response.context["page"].team
    assert partner in [m.agency for m in team]
    assert all(m.case_id == case.pk for m in team)
    assert "二番目の連携機関" in response.content.decode()


def test_case_page_shows_the_newest_notes_and_links_to_the_rest(client, case, owner):
    """A case with a long history: the timeline stops at the 30th newest note (nothing older
    shows as if no note came in between) and links to the paged 支援経過記録."""
    from cases.models import ActivityNote
    from cases.timeline import TIMELINE_NOTES

    start = timezone.now() - dt.timedelta(days=200)
    ActivityNote.objects.filter(case=case).update(occurred_at=start - dt.timedelta(days=1))
    for n in range(TIMELINE_NOTES + 10):
        note = s.note_create(case=case, actor=owner, kind="phone", content=f"経過メモ{n:03d}")
        ActivityNote.objects.filter(pk=note.pk).update(occurred_at=start + dt.timedelta(days=n))
    client.force_login(owner)
    body = client.get(_url(case)).content.decode()
    newest = TIMELINE_NOTES + 9
    assert f"経過メモ{newest:03d}" in body
    assert f"経過メモ{newest - TIMELINE_NOTES + 1:03d}" in body
    assert f"経過メモ{newest - TIMELINE_NOTES:03d}" not in body
    assert "これより前の支援経過記録を見る" in body
    assert reverse("cases:case_notes", args=[case.public_id]) in body


def test_assessment_edit_conflict_shows_both_versions(client, body, owner, colleague):
    case = open_case(coordinator=owner, agency=body)
    a = s.assessment_create(case=case, actor=owner)
    url = _url(case, f"assessments/{a.number}/edit/")
    form_data = {
        "lock_version": a.lock_version,
        "assessed_on": timezone.localdate().isoformat(),
        "risk_level": "medium",
        "view": "私の見立て",
        "issues-TOTAL_FORMS": "0",
        "issues-INITIAL_FORMS": "0",
        "relations-TOTAL_FORMS": "0",
        "relations-INITIAL_FORMS": "0",
    }
    # the colleague saves first
    s.assessment_update(
        assessment=Assessment.objects.get(pk=a.pk),
        actor=colleague,
        lock_version=a.lock_version,
        data={"view": "同僚の見立て"},
    )
    client.force_login(owner)
    response = client.post(url, form_data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "他の職員が先に保存しました" in body
    assert "同僚の見立て" in body and "私の見立て" in body
    a.refresh_from_db()
    assert a.view == "同僚の見立て"
    # saving again after seeing both versions is a deliberate overwrite
    form_data["lock_version"] = a.lock_version
    assert client.post(url, form_data).status_code == 302
    a.refresh_from_db()
    assert a.view == "私の見立て"


def test_plan_edit_with_items_for_three_agencies(client, body, owner):
    case = open_case(coordinator=owner, agency=body)
    s.assessment_create(case=case, actor=owner)
    plan = s.plan_create(case=case, actor=owner)
    agencies = [body, AgencyFactory(), AgencyFactory()]
    data = {
        "lock_version": plan.lock_version,
        "drafted_on": timezone.localdate().isoformat(),
        "overall_goal": "目標",
        "period_start": timezone.localdate().isoformat(),
        "period_end": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        "items-TOTAL_FORMS": "4",
        "items-INITIAL_FORMS": "0",
    }
    for n, agency in enumerate(agencies):
        data.update(
            {
                f"items-{n}-issue": f"課題{n}",
                f"items-{n}-goal": f"目標{n}",
                f"items-{n}-action": f"支援{n}",
                f"items-{n}-agency": agency.pk,
            }
        )
    client.force_login(owner)
    response = client.post(_url(case, f"plans/{plan.number}/edit/"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(plan.items.values_list("agency_id", flat=True)) == sorted(a.pk for a in agencies)
    # an item without an agency is refused next to the field
    data["items-3-issue"] = "担当のない課題"
    data["lock_version"] = Plan.objects.get(pk=plan.pk).lock_version
    response = client.post(_url(case, f"plans/{plan.number}/edit/"), data)
    assert "担当機関を選んでください" in response.content.decode()


def test_no_plan_approval_without_a_meeting_in_the_ui(client, body, owner):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    case = open_case(coordinator=owner, agency=body)
    ConsentFactory(person=case.principal, agencies=[case.coordinating_agency])
    s.assessment_create(case=case, actor=owner)
    plan = s.plan_create(case=case, actor=owner)
    s.plan_update(
        plan=plan,
        actor=owner,
        lock_version=plan.lock_version,
        data={
            "overall_goal": "g",
            "period_start": timezone.localdate(),
            "period_end": timezone.localdate() + dt.timedelta(days=30),
        },
        items=[{"issue": "i", "goal": "g", "action": "a", "agency": body}],
    )
    s.plan_submit(plan=plan, actor=owner)
    supervisor = staff(body, Role.SUPERVISOR)
    device = TOTPDevice.objects.create(user=supervisor, name="default", confirmed=True)
    client.force_login(supervisor)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    page = client.get(_url(case, f"plans/{plan.number}/"))
    assert page.status_code == 200
    assert "会議での承認を記録" not in page.content.decode()
    assert 'data-testid="decided-by-meeting"' in page.content.decode()
    response = client.post(
        _url(case, f"plans/{plan.number}/approve/"),
        {"decided_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 404
    case.refresh_from_db()
    plan.refresh_from_db()
    assert case.status == SupportCase.Status.IN_MEETING
    assert plan.status == Plan.Status.SUBMITTED


def test_plan_pdf_downloads_with_case_number_and_audit(client, case, owner):
    client.force_login(owner)
    response = client.get(_url(case, "plans/1/pdf/"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert case.number in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="plan.export", actor=owner).exists()


@pytest.mark.parametrize("suffix", ["assessments/1/pdf/", "evaluations/1/pdf/", "notes/pdf/"])
def test_other_forms_print_as_pdf(client, case, owner, suffix):
    s.evaluation_create(case=case, actor=owner)
    client.force_login(owner)
    response = client.get(_url(case, suffix))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_transition_form_requires_reason_for_reopen(client, body, owner):
    case = open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    response = client.post(
        _url(case, "transition/close_exceptional/"),
        {"reason": "moved", "closed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    response = client.post(_url(case, "transition/reopen/"), {"reason": ""})
    assert "再開の理由を入力してください" in response.content.decode()
    response = client.post(_url(case, "transition/reopen/"), {"reason": "転入により再開"})
    case.refresh_from_db()
    assert case.status == "assessment" and case.reopen_count == 1


def _monitored_case(owner, body, *, due_in_days=3):
    """A case with an approved plan, monitored today, next monitoring `due_in_days` away."""
    case, plan = case_with_approved_plan(coordinator=owner, agency=body)
    s.monitoring_record(
        item=plan.items.first(),
        actor=owner,
        progress="partial",
        next_on=timezone.localdate() + dt.timedelta(days=3),
    )
    SupportCase.objects.filter(pk=case.pk).update(
        next_monitoring_on=timezone.localdate() + dt.timedelta(days=due_in_days)
    )
    return SupportCase.objects.get(pk=case.pk)


def test_dashboard_panels_show_monitoring_due_and_awaiting_approval(client, body, owner):
    case = _monitored_case(owner, body)
    client.force_login(owner)
    body_html = client.get(reverse("dashboard")).content.decode()
    assert 'data-panel="monitoring_due"' in body_html and case.number in body_html


def test_monitoring_due_panel_reads_its_rows_in_one_query(body, owner, django_assert_num_queries):
    """The panel selects only what it prints: a printed column left out would cost a query per
    row (a deferred field)."""
    from cases.views.support import monitoring_due_panel

    cases = [_monitored_case(owner, body, due_in_days=days) for days in (-2, 3)]
    owner.current_memberships()  # read once per request by the middleware
    with django_assert_num_queries(1):
        panel = monitoring_due_panel(owner)
    assert [i.label for i in panel.items] == [f"{c.number} {c.summary[:20]}" for c in cases]
    assert [i.tone for i in panel.items] == ["danger", "warn"]
    assert panel.items[0].url.endswith(f"{cases[0].public_id}/monitoring/")


def test_my_cases_panel_counts_the_open_cases_the_user_coordinates_or_is_on_the_team_of(
    body, owner
):
    """By status, each case once: coordinated or on the team — not a case where the user only
    staffs a plan item, nor a closed one. Counted a second way from the cases themselves."""
    from cases.models import PlanItem
    from cases.views.support import my_cases_panel

    coordinated = open_case(coordinator=owner, agency=body)
    on_team = open_case(coordinator=_coordinator_at(body), agency=body)
    s.team_add(case=on_team, actor=on_team.coordinator, agency=body, user=owner)
    staffed, plan = case_with_approved_plan(coordinator=_coordinator_at(body), agency=body)
    PlanItem.objects.filter(plan=plan).update(staff=owner)
    closed = open_case(coordinator=owner, agency=body)
    s.case_close_exceptional(
        case=closed, actor=owner, reason="moved", closed_on=timezone.localdate()
    )
    panel = my_cases_panel(owner)
    expected = {}
    for c in SupportCase.objects.filter(pk__in=[coordinated.pk, on_team.pk]):
        expected[c.status] = expected.get(c.status, 0) + 1
    assert panel.count == 2
    assert {i.url.split("status=")[1].split("&")[0]: int(i.badge) for i in panel.items} == (
        expected
    )


def test_both_case_panels_of_the_dashboard_read_the_users_cases_once(
    body, owner, django_assert_num_queries
):
    """ "My cases" and "monitoring due" answer from one query; the monitoring panel also lists
    a case where the user only staffs an item of the approved plan."""
    from cases.models import PlanItem
    from cases.views.support import monitoring_due_panel, my_cases_panel

    mine = _monitored_case(owner, body, due_in_days=2)
    staffed, plan = case_with_approved_plan(coordinator=_coordinator_at(body), agency=body)
    PlanItem.objects.filter(plan=plan).update(staff=owner)
    # Named on an item of a case of another body the owner's agency has no access to: not shown.
    elsewhere = AgencyFactory(kind=body.kind, programmes=body.programmes)
    hidden, hidden_plan = case_with_approved_plan(
        coordinator=_coordinator_at(elsewhere), agency=elsewhere
    )
    PlanItem.objects.filter(plan=hidden_plan).update(staff=owner)
    SupportCase.objects.filter(pk__in=[staffed.pk, hidden.pk]).update(
        next_monitoring_on=timezone.localdate() - dt.timedelta(days=1)
    )
    owner.current_memberships()  # read once per request by the middleware
    with django_assert_num_queries(1):
        counted = my_cases_panel(owner)
        due = monitoring_due_panel(owner)
    assert counted.count == 1
    assert [i.label.split()[0] for i in due.items] == [staffed.number, mine.number]
    assert [i.tone for i in due.items] == ["danger", "warn"]


def _coordinator_at(body):
    return staff(body, Role.COORDINATOR)


def test_supervisor_panel_lists_plans_and_evaluations_awaiting_decision(body, owner):
    from agencies.views import dashboard_panels
    from cases.views.support import awaiting_decision_panel

    case = open_case(coordinator=owner, agency=body)
    ConsentFactory(person=case.principal, agencies=[case.coordinating_agency])
    s.assessment_create(case=case, actor=owner)
    plan = s.plan_create(case=case, actor=owner)
    s.plan_update(
        plan=plan,
        actor=owner,
        lock_version=plan.lock_version,
        data={
            "overall_goal": "g",
            "period_start": timezone.localdate(),
            "period_end": timezone.localdate() + dt.timedelta(days=30),
        },
        items=[{"issue": "i", "goal": "g", "action": "a", "agency": body}],
    )
    s.plan_submit(plan=plan, actor=owner)
    supervisor = staff(body, Role.SUPERVISOR)
    other_supervisor = staff(AgencyFactory(), Role.SUPERVISOR)
    panel = awaiting_decision_panel(supervisor)
    assert panel.count == 1 and case.number in panel.items[0].label
    assert awaiting_decision_panel(other_supervisor).count == 0
    assert awaiting_decision_panel(owner) is None
    assert any(p.key == "awaiting_decision" for p in dashboard_panels.panels_for(supervisor))


# --- the genogram and ecomap on paper ------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_assessment_pdf_draws_the_genogram_and_ecomap_in_the_projects_font(client, body, owner):
    """A household of 3 and two relations: the PDF carries both drawings (their legends and the
    ecomap's labels exist only in the SVG), the member table still names people, and every glyph
    — the SVG's text included — is in the project's font."""
    from django.conf import settings
    from fontTools.ttLib import TTFont

    from agencies.tests.test_pdf import _embedded_font_ids

    case = open_case(
        coordinator=owner,
        agency=body,
        members=[
            ("self", "男", 1975, True),
            ("parent", "女", 1948, True),
            ("child", "女", 2005, False),
        ],
    )
    a = s.assessment_create(case=case, actor=owner)
    s.assessment_update(
        assessment=a,
        actor=owner,
        lock_version=a.lock_version,
        data={"view": "母の介護と本人の就労"},
        relations=[
            {"kind": "person", "label": "叔父", "strength": "stressful"},
            {"kind": "community", "label": "民生委員", "strength": "weak"},
        ],
    )
    client.force_login(owner)
    response = client.get(_url(case, "assessments/1/pdf/"))
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "男性" in text and "本人(二重線)" in text  # the genogram's legend
    assert "緊張・対立" in text and "世帯(3人)" in text  # the ecomap's legend and centre
    assert text.count("叔父") >= 2 and text.count("民生委員") >= 2  # drawn and tabulated
    assert "母の介護と本人の就労" in text  # the Japanese text of the sheet
    for m in case.household.members.select_related("person"):
        assert m.person.family_name in text  # the table: the drawing's text alternative
    project_ids = {
        TTFont(settings.BASE_DIR / "static" / "fonts" / name)["name"].getDebugName(3)
        for name in ("NotoSansJP-Regular.ttf", "NotoSansJP-Bold.ttf")
    }
    embedded = _embedded_font_ids(response.content)
    assert embedded and embedded <= project_ids


def test_the_case_page_and_the_pdf_draw_the_same_genogram(client, case, owner):
    """One drawing: the PDF's SVG is the screen's with the PDF font named."""
    from cases.genogram import household_drawings

    client.force_login(owner)
    page = client.get(_url(case)).content.decode()
    members = list(case.household.members.select_related("person").order_by("-is_key_person", "pk"))
    screen = household_drawings(
        members=members, team=[], relations=[], principal_id=case.principal_id
    )
    pdf = household_drawings(
        members=members,
        team=[],
        relations=[],
        principal_id=case.principal_id,
        font_family="Tsunagu Sans",
    )
    assert str(screen["genogram"]) in page
    assert (
        'font-family:"Tsunagu Sans"' in pdf["genogram"] and "font-family" not in screen["genogram"]
    )
    assert str(pdf["genogram"]).replace('.genogram text{font-family:"Tsunagu Sans"}', "") == str(
        screen["genogram"]
    )


def test_assessment_relation_and_evaluation_lead_agency_use_the_agency_picker(client, body, owner):
    partner = AgencyFactory(name="南部地域包括支援センター", kana="なんぶちいきほうかつ")
    case, _plan = case_with_approved_plan(coordinator=owner, agency=body)
    a = s.assessment_create(case=case, actor=owner)
    ev = s.evaluation_create(case=case, actor=owner)
    client.force_login(owner)
    html = client.get(_url(case, f"assessments/{a.number}/edit/")).content.decode()
    assert 'data-url="/agencies/pick/agencies/"' in html
    assert 'name="relations-0-agency_text"' in html
    html = client.get(_url(case, f"evaluations/{ev.number}/edit/")).content.decode()
    assert 'data-url="/agencies/pick/agencies/"' in html
    assert 'name="proposed_lead_agency_text"' in html
    # Without JavaScript the typed name is resolved; an unknown one is shown as the row's error.
    form_data = {
        "lock_version": a.lock_version,
        "assessed_on": timezone.localdate().isoformat(),
        "risk_level": "medium",
        "issues-TOTAL_FORMS": "0",
        "issues-INITIAL_FORMS": "0",
        "relations-TOTAL_FORMS": "1",
        "relations-INITIAL_FORMS": "0",
        "relations-0-kind": "agency",
        "relations-0-agency_text": "存在しない機関",
        "relations-0-strength": "normal",
    }
    url = _url(case, f"assessments/{a.number}/edit/")
    response = client.post(url, form_data)
    assert response.status_code == 200
    assert "該当する候補が見つかりません" in response.content.decode()
    form_data["relations-0-agency_text"] = "南部地域"
    assert client.post(url, form_data).status_code == 302
    relation = Assessment.objects.get(pk=a.pk).relations.get()
    assert relation.agency == partner and relation.label == partner.name


def test_case_pages_read_the_case_decision_with_the_case(rf, case, owner, colleague, outsider):
    """The case pages' case (views.support._case) comes with the rows its decision is made of
    (cases.policy.support.with_case_access): finding and deciding is one statement, and decides
    as the policy does on its own — owner and colleague see and edit, the outsider gets a 404."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agencies.policy import PolicyDenied, decisions_cached
    from cases.policy.support import case_access
    from cases.views.support import _case

    def seen(access):
        return (access.can_view, access.can_edit, access.is_manager, access.basis, access.sections)

    for user in (owner, colleague, outsider):
        request = rf.get("/")
        request.user = user
        apart = seen(case_access(user, SupportCase.objects.get(pk=case.pk)))
        user.current_memberships()  # the request has read them with the user
        with decisions_cached(), CaptureQueriesContext(connection) as ctx:
            if user is outsider:
                with pytest.raises(PolicyDenied) as refused:  # answered as a 404
                    _case(request, case.public_id)
                assert refused.value.hide and apart[0] is False
            else:
                read, _decision = _case(request, case.public_id)
                primed = seen(case_access(user, read))
                assert primed == apart and primed[0] is True, user
        assert len(ctx.captured_queries) == 1, user


def _assessment_post(a, **rows):
    data = {
        "lock_version": a.lock_version,
        "assessed_on": timezone.localdate().isoformat(),
        "risk_level": "medium",
        "issues-TOTAL_FORMS": "2",
        "issues-INITIAL_FORMS": "0",
        "relations-TOTAL_FORMS": "2",
        "relations-INITIAL_FORMS": "0",
        "relations-0-strength": "normal",
        "relations-1-strength": "normal",  # the select always sends 関係: not content by itself
    }
    data.update(rows)
    return data


def test_assessment_rows_typed_without_their_choice_are_refused_and_kept(client, body, owner):
    case = open_case(coordinator=owner, agency=body)
    a = s.assessment_create(case=case, actor=owner)
    url = _url(case, f"assessments/{a.number}/edit/")
    client.force_login(owner)
    response = client.post(
        url,
        _assessment_post(
            a,
            **{
                "issues-0-category": "",
                "issues-0-note": "年金のみで家計が逼迫",
                "relations-0-kind": "",
                "relations-0-label": "長男",
            },
        ),
    )
    assert response.status_code == 200
    body_html = response.content.decode()
    assert "アセスメントシートを保存しました" not in body_html
    assert "課題の分類を選んでください。" in body_html
    assert "種類を選んでください。" in body_html
    assert 'value="年金のみで家計が逼迫"' in body_html and 'value="長男"' in body_html
    issues = response.context["issues"]
    relations = response.context["relations"]
    assert issues.forms[0].errors["category"] == ["課題の分類を選んでください。"]
    assert relations.forms[0].errors["kind"] == ["種類を選んでください。"]
    saved = Assessment.objects.get(pk=a.pk)
    assert saved.lock_version == a.lock_version  # nothing saved
    assert not saved.issues.exists() and not saved.relations.exists()


def test_assessment_empty_rows_are_ignored_and_complete_rows_saved(client, body, owner):
    case = open_case(coordinator=owner, agency=body)
    a = s.assessment_create(case=case, actor=owner)
    client.force_login(owner)
    response = client.post(
        _url(case, f"assessments/{a.number}/edit/"),
        _assessment_post(
            a,
            **{
                "issues-0-category": "kakei",
                "issues-0-note": "年金のみで家計が逼迫",
                "relations-0-kind": "person",
                "relations-0-label": "長男",
            },
        ),
    )
    assert response.status_code == 302
    a = Assessment.objects.get(pk=a.pk)
    assert list(a.issues.values_list("category", "note")) == [("kakei", "年金のみで家計が逼迫")]
    assert list(a.relations.values_list("kind", "label")) == [("person", "長男")]


def test_team_page_says_which_member_cannot_open_the_case(client, case, owner):
    """A team row of an agency no consent names opens nothing (access.sync): the team page says
    so at the row, and adding such an agency warns at once."""
    stranger_agency = AgencyFactory(name="くらし相談センター")
    client.force_login(owner)
    url = _url(case, "team/")
    page = client.post(
        url,
        {
            "add-agency": stranger_agency.pk,
            "add-role": "support",
            "add-joined_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    body = page.content.decode()
    assert "支援チームに追加しました" in body
    assert "チームに入ってもケースを開けません" in body
    row = body[body.index("くらし相談センター") :]
    assert "本人同意の範囲外" in row[: row.index("</tr>")]
    # The partner the consent names carries no such mark.
    partner = case.team.current().exclude(agency__in=[case.coordinating_agency, stranger_agency])
    partner_name = partner.first().agency.name
    row = body[body.index(partner_name) :]
    assert "本人同意の範囲外" not in row[: row.index("</tr>")]
