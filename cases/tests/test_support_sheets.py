"""Versions and comparison of sheets, optimistic locking, attachments, timeline, handover, SVG."""

import datetime as dt
import io
import zipfile

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.policy import PolicyDenied, can
from agencies.tests.factories import AgencyFactory, MembershipFactory, staff
from audit.models import AuditEvent
from cases.genogram import ecomap_nodes, ecomap_svg, genogram_svg
from cases.models import Assessment, CaseHandover, CaseTeamMember, SupportCase
from cases.selectors.support import assessment_diff
from cases.services import support as s
from cases.tests.factories import case_with_approved_plan, open_case
from cases.timeline import _PROVIDERS, TimelineEntry, timeline_for, timeline_provider

pytestmark = pytest.mark.django_db


# --- versions ---------------------------------------------------------------------------------------


def test_reassessment_creates_a_new_version_and_freezes_the_old(body, owner):
    case = open_case(coordinator=owner, agency=body)
    first = s.assessment_create(case=case, actor=owner)
    s.assessment_update(
        assessment=first,
        actor=owner,
        lock_version=first.lock_version,
        data={"view": "初回の見立て", "has_debts": True},
        issues=[{"person": case.principal, "category": "hikikomori", "note": "20年"}],
    )
    second = s.assessment_create(case=case, actor=owner)
    first.refresh_from_db()
    assert second.number == 2 and second.view == "初回の見立て" and second.issues.count() == 1
    assert not first.is_current and second.is_current
    with pytest.raises(ValidationError, match="旧版"):
        s.assessment_update(
            assessment=first, actor=owner, lock_version=first.lock_version, data={"view": "x"}
        )
    s.assessment_update(
        assessment=second,
        actor=owner,
        lock_version=second.lock_version,
        data={"view": "再アセスメントの見立て", "has_debts": False},
        issues=[{"person": case.principal, "category": "shuro", "note": ""}],
    )
    rows = {r.label: r for r in assessment_diff(first, Assessment.objects.get(pk=second.pk))}
    assert rows["アセスメント(見立て)"].changed
    assert (rows["アセスメント(見立て)"].old, rows["アセスメント(見立て)"].new) == (
        "初回の見立て",
        "再アセスメントの見立て",
    )
    assert (rows["債務あり"].old, rows["債務あり"].new) == ("あり", "なし")
    assert "ひきこもり" in rows["課題チェック"].old and "就労" in rows["課題チェック"].new
    assert not rows["相談経路"].changed


def test_compare_view_shows_field_by_field_diff(client, body, owner):
    case = open_case(coordinator=owner, agency=body)
    a = s.assessment_create(case=case, actor=owner)
    s.assessment_update(
        assessment=a, actor=owner, lock_version=a.lock_version, data={"strengths": "料理が得意"}
    )
    b = s.assessment_create(case=case, actor=owner)
    s.assessment_update(
        assessment=b, actor=owner, lock_version=b.lock_version, data={"strengths": "近所に友人"}
    )
    client.force_login(owner)
    body_html = client.get(
        reverse("cases:assessment_compare", args=[case.public_id]) + "?a=1&b=2"
    ).content.decode()
    assert "料理が得意" in body_html and "近所に友人" in body_html and "強み" in body_html


def test_issue_checklist_only_for_household_members(body, owner):
    case = open_case(coordinator=owner, agency=body)
    other_case = open_case(coordinator=owner, agency=body)
    a = s.assessment_create(case=case, actor=owner)
    with pytest.raises(ValidationError, match="世帯員"):
        s.assessment_update(
            assessment=a,
            actor=owner,
            lock_version=a.lock_version,
            data={},
            issues=[{"person": other_case.principal, "category": "kaigo"}],
        )


def test_plan_versions_and_submitted_queue(body, owner):
    case, plan = case_with_approved_plan(coordinator=owner, agency=body)
    from cases.models import Plan

    assert list(Plan.objects.submitted()) == []
    with pytest.raises(ValidationError):
        s.plan_update(plan=plan, actor=owner, lock_version=plan.lock_version, data={"wishes": "x"})
    plan2 = s.plan_create(case=case, actor=owner)
    assert plan2.status == Plan.Status.DRAFT and plan2.number == 2
    with pytest.raises(ValidationError, match="作成中または提出済み"):
        s.plan_create(case=case, actor=owner)


# --- optimistic locking -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["assessment", "plan", "evaluation"])
def test_second_editor_gets_conflict_and_nothing_is_overwritten(body, owner, kind):
    colleague = staff(body, Role.CASEWORKER)
    case, plan = case_with_approved_plan(coordinator=owner, agency=body)
    if kind == "assessment":
        sheet = case.assessments.get()
        update, field = s.assessment_update, "view"
        kwargs = {"assessment": sheet}
    elif kind == "plan":
        sheet = s.plan_create(case=case, actor=owner, programme="participation")
        update, field = s.plan_update, "policy"
        kwargs = {"plan": sheet}
    else:
        sheet = s.evaluation_create(case=case, actor=owner)
        update, field = s.evaluation_update, "overall"
        kwargs = {"evaluation": sheet}
    loaded = sheet.lock_version
    update(actor=colleague, lock_version=loaded, data={field: "先に保存"}, **kwargs)
    with pytest.raises(s.EditConflict) as info:
        update(actor=owner, lock_version=loaded, data={field: "後から保存"}, **kwargs)
    assert getattr(info.value.current, field) == "先に保存"
    assert "他の職員が先に" in str(info.value)
    sheet.refresh_from_db()
    assert getattr(sheet, field) == "先に保存"


# --- attachments ------------------------------------------------------------------------------------------


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.pdf", b"%PDF-1.7 ...", "pdf"),
        ("photo.jpg", b"\xff\xd8\xff\xe0JFIF", "jpeg"),
        ("scan.png", b"\x89PNG\r\n\x1a\n....", "png"),
        ("letter.docx", None, "docx"),
    ],
)
def test_attachment_types_detected_by_magic_bytes(name, content, expected):
    upload = SimpleUploadedFile(name, content if content is not None else _docx())
    assert s.attachment_check(upload) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.pdf", b"MZ\x90\x00\x03"),  # an executable named .pdf
        ("page.png", b"<html><script>"),
        ("archive.docx", b"PK\x03\x04not really a zip"),
    ],
)
def test_attachment_with_wrong_content_is_refused(name, content):
    with pytest.raises(ValidationError, match="PDF・JPEG・PNG"):
        s.attachment_check(SimpleUploadedFile(name, content))


def test_attachment_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="大きすぎます"):
        s.attachment_check(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 200))


def test_attachment_stored_outside_web_root_and_served_through_policy(
    client, body, owner, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(coordinator=owner, agency=body)
    note = s.note_create(
        case=case,
        actor=owner,
        kind="visit",
        content="訪問",
        files=[SimpleUploadedFile("山田さん同意書.pdf", b"%PDF-1.4 test")],
    )
    att = note.attachments.get()
    assert str(att.public_id) in att.file.name and "山田" not in att.file.name
    assert att.file.path.startswith(str(tmp_path)) and not att.file.path.startswith(
        str(settings.STATIC_ROOT)
    )
    url = reverse("cases:attachment_download", args=[case.public_id, att.public_id])
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="attachment.view", actor=owner).exists()
    client.force_login(staff(AgencyFactory(), Role.COORDINATOR))
    assert client.get(url).status_code == 404


def test_sensitive_note_visible_only_to_the_authors_agency(client, body, owner):
    case = open_case(coordinator=owner, agency=body)
    partner = AgencyFactory()
    partner_worker = staff(partner, Role.CASEWORKER)
    s.team_add(case=case, actor=owner, agency=partner)
    from cases.tests.factories import ConsentFactory

    ConsentFactory(person=case.principal, agencies=[partner])
    note = s.note_create(
        case=case,
        actor=owner,
        kind="interview",
        content="DVの疑い(機関内のみ)",
        visibility="agency",
    )
    team_note = s.note_create(case=case, actor=owner, kind="phone", content="共有できる内容")
    case = SupportCase.objects.get(pk=case.pk)
    assert can(partner_worker, "case.view", case)
    assert not can(partner_worker, "note.view", note)
    assert can(partner_worker, "note.view", team_note)
    assert can(staff(body, Role.CASEWORKER), "note.view", note)
    client.force_login(partner_worker)
    page = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert "共有できる内容" in page and "DVの疑い" not in page
    assert (
        client.get(reverse("cases:note_detail", args=[case.public_id, note.public_id])).status_code
        == 404
    )


def test_note_with_a_bad_attachment_saves_nothing(body, owner):
    case = open_case(coordinator=owner, agency=body)
    with pytest.raises(ValidationError):
        s.note_create(
            case=case,
            actor=owner,
            kind="visit",
            content="x",
            files=[
                SimpleUploadedFile("ok.pdf", b"%PDF-1"),
                SimpleUploadedFile("bad.pdf", b"GIF89a"),
            ],
        )
    assert case.notes.count() == 0


# --- timeline ----------------------------------------------------------------------------------------------


def test_timeline_merges_providers_newest_first(body, owner):
    case, plan = case_with_approved_plan(coordinator=owner, agency=body)
    s.note_create(
        case=case,
        actor=owner,
        kind="phone",
        content="昨日の電話",
        occurred_at=timezone.now() - dt.timedelta(days=1),
    )
    s.note_create(
        case=case,
        actor=owner,
        kind="visit",
        content="一昨年の訪問",
        occurred_at=timezone.now() - dt.timedelta(days=700),
    )

    @timeline_provider
    def meeting_provider(c, user):
        return [
            TimelineEntry(
                at=timezone.now() - dt.timedelta(days=3), kind="meeting", title="重層的支援会議"
            )
        ]

    try:
        entries = timeline_for(case, owner)
    finally:
        _PROVIDERS.remove(meeting_provider)
    moments = [e.at for e in entries]
    assert moments == sorted(moments, reverse=True)
    kinds = {e.kind for e in entries}
    assert {"transition", "assessment", "plan", "note", "team", "meeting"} <= kinds
    titles = [e.title for e in entries]
    assert titles.index("重層的支援会議") < titles.index("訪問")
    assert entries[-1].detail == "一昨年の訪問" or any(
        e.detail == "一昨年の訪問" for e in entries[-3:]
    )


# --- handover ----------------------------------------------------------------------------------------------


def test_handover_moves_cases_keeps_history_and_access_follows(client, body, owner):
    successor = staff(body, Role.COORDINATOR)
    supervisor = staff(body, Role.SUPERVISOR)
    case_a, plan = case_with_approved_plan(coordinator=owner, agency=body)
    case_b = open_case(coordinator=owner, agency=body)
    plan.items.update(staff=owner)
    # The worker has been on the teams for a month (a row that starts on the handover date
    # itself is handed over in place: test_handover_on_the_joining_day_hands_the_row_over).
    CaseTeamMember.objects.filter(user=owner).update(
        joined_on=timezone.localdate() - dt.timedelta(days=30)
    )
    done = s.caseload_handover(
        actor=supervisor,
        from_user=owner,
        effective_on=timezone.localdate(),
        assignments=[
            s.HandoverAssignment(case=case_a, to_user=successor, note="父の退院調整が山場"),
            s.HandoverAssignment(case=case_b, to_user=successor, note="初回面談予定"),
        ],
    )
    assert len(done) == 2
    case_a.refresh_from_db()
    assert case_a.coordinator == successor
    assert CaseHandover.objects.get(case=case_a).note == "父の退院調整が山場"
    assert case_a.team.filter(user=owner, left_on__isnull=False).exists()
    assert case_a.team.current().filter(user=successor).exists()
    # Same-day handover: from the handover date the predecessor is not on the current team
    assert not case_a.team.current().filter(user=owner).exists()
    assert set(plan.items.values_list("staff", flat=True)) == {successor.pk}
    # April: the predecessor's membership ends and with it every access to the cases
    owner.memberships.update(end_date=timezone.localdate() - dt.timedelta(days=1))
    moved = type(owner).objects.get(pk=owner.pk)
    MembershipFactory(user=moved, agency=AgencyFactory(), role=Role.CASEWORKER)
    case_a = SupportCase.objects.get(pk=case_a.pk)
    assert not can(moved, "case.view", case_a)
    assert can(successor, "case.manage", case_a)
    client.force_login(moved)
    assert client.get(reverse("cases:case_detail", args=[case_a.public_id])).status_code == 404


def test_handover_on_the_joining_day_hands_the_row_over(body, owner):
    supervisor = staff(body, Role.SUPERVISOR)
    successor = staff(body, Role.COORDINATOR)
    case = open_case(coordinator=owner, agency=body)
    s.caseload_handover(
        actor=supervisor,
        from_user=owner,
        assignments=[s.HandoverAssignment(case=case, to_user=successor, note="初日に交代")],
    )
    assert list(case.team.current().values_list("user", flat=True)) == [successor.pk]
    assert CaseHandover.objects.get(case=case).from_user == owner


def test_handover_refuses_a_successor_outside_the_agency(body, owner):
    supervisor = staff(body, Role.SUPERVISOR)
    case = open_case(coordinator=owner, agency=body)
    stranger = staff(AgencyFactory(), Role.COORDINATOR)
    with pytest.raises(ValidationError):
        s.caseload_handover(
            actor=supervisor,
            from_user=owner,
            assignments=[s.HandoverAssignment(case=case, to_user=stranger)],
        )
    case.refresh_from_db()
    assert case.coordinator == owner


def test_only_supervisors_of_the_workers_agency_hand_over(body, owner):
    case = open_case(coordinator=owner, agency=body)
    other_supervisor = staff(AgencyFactory(), Role.SUPERVISOR)
    with pytest.raises(PolicyDenied):
        s.caseload_handover(
            actor=other_supervisor,
            from_user=owner,
            assignments=[s.HandoverAssignment(case=case, to_user=staff(body, Role.COORDINATOR))],
        )


def test_handover_page_three_users(client, body, owner):
    supervisor = staff(body, Role.SUPERVISOR)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=supervisor, name="d", confirmed=True)
    open_case(coordinator=owner, agency=body)
    client.force_login(supervisor)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert client.get(reverse("cases:handover") + f"?worker={owner.pk}").status_code == 200
    client.force_login(owner)
    assert client.get(reverse("cases:handover")).status_code == 403
    client.force_login(staff(AgencyFactory(), Role.CASEWORKER))
    assert client.get(reverse("cases:handover")).status_code == 403


# --- genogram and ecomap ------------------------------------------------------------------------------------


def test_genogram_draws_sex_deceased_self_and_household(body, owner):
    case = open_case(
        coordinator=owner,
        agency=body,
        members=[
            ("self", "男", 1975, True),
            ("parent", "男", 1947, True),
            ("parent", "女", 1950, False),
            ("sibling", "", 1978, False),
        ],
    )
    mother = case.household.members.get(relation="parent", person__sex="女").person
    mother.deceased_on = dt.date(2020, 1, 1)
    mother.save()
    members = list(case.household.members.select_related("person"))
    svg = str(genogram_svg(members, today=dt.date(2026, 11, 1)))
    assert svg.startswith("<svg") and "ジェノグラム" in svg
    assert (
        svg.count('data-sex="m"') == 2 and svg.count('data-sex="f"') == 1 and 'data-sex="u"' in svg
    )
    assert "member--self" in svg and "member--deceased" in svg and 'class="cross"' in svg
    assert 'class="together"' in svg
    assert ">51<" in svg  # the 本人's age
    for m in members:
        assert m.person.family_name not in svg  # no names in the drawing


def test_ecomap_places_team_and_relations(body, owner):
    case, _plan = case_with_approved_plan(
        coordinator=owner, agency=body, partner_agencies=[AgencyFactory()]
    )
    a = case.assessments.get()
    s.assessment_update(
        assessment=a,
        actor=owner,
        lock_version=a.lock_version,
        data={},
        relations=[
            {"kind": "person", "label": "叔父", "strength": "stressful"},
            {"kind": "community", "label": "民生委員", "strength": "weak"},
        ],
    )
    svg = str(
        ecomap_svg(
            ecomap_nodes(
                list(case.team.current().select_related("agency")), list(a.relations.all())
            ),
            centre_label="世帯",
        )
    )
    assert "叔父" in svg and "tie--stressful" in svg and "tie--weak" in svg and "tie--strong" in svg
    assert settings.UPLOAD_MAX_BYTES > 0
