"""A 民生委員's 気づきシート becomes an outreach target; letters and visits over three months (two
staff on some visits); a 支援会議 sets the outreach plan; the person agrees and the target
becomes a person with a consultation and a support case — its history intact."""

import datetime as dt

import time_machine
from django.utils import timezone

from agencies.choices import OperatorType, Programme, Role
from agencies.policy import can
from agencies.tests.factories import AgencyFactory, staff
from cases.models import ConcernSlip
from cases.services.intake import concern_slip_submit
from cases.services.support import case_create
from meetings import services as meeting_services
from meetings.choices import BodyKind
from meetings.tests.conftest import make_body, seat
from outreach import services
from outreach.models import ClosureReason, ContactKind, Stage
from outreach.selectors import outreach_counts, target_timeline

from .factories import log_contact


def _at(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_from_concern_slip_to_support_case_over_three_months(shakyo, csw, csw2):
    shakyo.programmes = [*shakyo.programmes, Programme.MULTIAGENCY.value]
    shakyo.save()
    coordinator = staff(shakyo, Role.COORDINATOR)
    city = AgencyFactory(
        operator_type=OperatorType.MUNICIPAL,
        programmes=[Programme.MULTIAGENCY.value],
        name="市 福祉相談課",
    )
    secretariat = staff(city, Role.COORDINATOR)
    houkatsu_nurse = staff(AgencyFactory(name="北部包括"), Role.CASEWORKER)
    minsei = staff(shakyo, Role.RESIDENT)

    today = timezone.localdate()
    day0 = today - dt.timedelta(days=95)
    with time_machine.travel(_at(day0, 8), tick=False):
        body = make_body(secretariat, city, BodyKind.SHIEN_KAIGI, "支援会議")
        seat(body, secretariat, secretariat)
        seat(body, houkatsu_nurse, secretariat)

    # Day 0: the 民生委員 passes on a concern; the CSW turns it into a target.
    with time_machine.travel(_at(day0, 9), tick=False):
        slip = concern_slip_submit(
            actor=minsei,
            to_agency=shakyo,
            subject_description="80代の男性と50代の息子の二人暮らし",
            noticed="息子さんの姿を何年も見ない。雨戸が閉まったまま。",
            location="北町3丁目の角の家",
        )
        target = services.target_from_concern_slip(actor=csw, slip=slip)
        slip.refresh_from_db()
        assert slip.status == ConcernSlip.Status.HANDLING
        assert target.source == "minsei" and target.known_on == day0
        services.target_move(
            actor=csw, target=target, to_stage=Stage.PREPARING, reason="民生委員から情報収集"
        )

    # Week 1: the 支援会議 discusses it (no consent needed) and sets the plan.
    with time_machine.travel(_at(day0 + dt.timedelta(days=7), 13), tick=False):
        link = services.target_request_agenda(
            actor=csw, target=target, body=body, description="8050世帯。息子がひきこもりの可能性。"
        )
        meeting = meeting_services.meeting_schedule(
            body=body, actor=secretariat, starts_at=timezone.now() + dt.timedelta(hours=1)
        )
        item = meeting_services.agenda_item_add(
            meeting=meeting, actor=secretariat, source=f"request:{link.request.public_id}"
        )
        plan = services.plan_record(
            actor=secretariat,
            target=target,
            agenda_item=item,
            decided_on=timezone.localdate(),
            approach="手紙で社協の存在を知らせ、民生委員と一緒に訪問する。包括の看護師も同行。",
            owners=[csw, houkatsu_nurse],
            next_review_on=timezone.localdate() + dt.timedelta(days=60),
        )
        assert can(houkatsu_nurse, "outreach_target.work", target)
        services.target_move(
            actor=csw, target=target, to_stage=Stage.RELATING, reason="支援会議で方針決定"
        )

    # Weeks 2–10: letters, a post-box note, visits — some with two staff and the nurse.
    d = day0 + dt.timedelta(days=10)
    with time_machine.travel(_at(d + dt.timedelta(days=70), 18), tick=False):
        log_contact(
            csw,
            target,
            kind=ContactKind.LETTER,
            when=_at(d),
            counterpart="nobody",
            outcome="left_note",
        )
        log_contact(
            csw,
            target,
            kind=ContactKind.POSTBOX,
            when=_at(d + dt.timedelta(days=14)),
            counterpart="nobody",
            outcome="left_note",
        )
        log_contact(
            csw,
            target,
            when=_at(d + dt.timedelta(days=28)),
            staff=[csw, csw2],
            counterpart="nobody",
            outcome="not_home",
        )
        log_contact(
            csw,
            target,
            when=_at(d + dt.timedelta(days=42)),
            staff=[csw, csw2],
            counterpart="family",
            outcome="through_door",
            content="父とドア越しに話せた",
        )
        log_contact(
            houkatsu_nurse,
            target,
            when=_at(d + dt.timedelta(days=56)),
            staff=[csw, houkatsu_nurse],
            professionals=["public_health_nurse"],
            counterpart="person",
            outcome="met",
            content="息子さんと初めて会えた",
        )
        services.target_move(
            actor=csw,
            target=target,
            to_stage=Stage.VISITING,
            on=d + dt.timedelta(days=56),
            reason="本人と会えた",
        )
        log_contact(
            csw,
            target,
            kind=ContactKind.ACCOMPANY,
            when=_at(d + dt.timedelta(days=70), 14),
            counterpart="person",
            outcome="met",
            content="自立相談支援機関へ同行",
        )

    # Month 3: the person agrees — person record, consultation, support case.
    person, household = services.target_register_person(
        actor=csw,
        target=target,
        person_data={
            "family_name": "北町",
            "given_name": "一郎",
            "birth_date": dt.date(1973, 6, 1),
        },
        household_data={"address": "北町3丁目"},
        consent={
            "given_on": d + dt.timedelta(days=84),
            "method": "written",
            "agencies": [shakyo],
            "info_kinds": ["basic"],
        },
    )
    consultation = services.target_record_consultation(
        actor=csw,
        target=target,
        summary="本人から就労と家計の相談。父の介護も。",
        categories=["shuro", "kakei", "8050"],
    )
    case = case_create(
        actor=coordinator,
        household=household,
        coordinating_agency=shakyo,
        principal=person,
        summary="8050世帯の複合課題",
    )
    services.target_link_case(actor=coordinator, target=target, case=case)
    services.target_move(
        actor=csw, target=target, to_stage=Stage.CONNECTING, reason="多機関協働につないだ"
    )
    services.target_move(
        actor=csw,
        target=target,
        to_stage=Stage.CLOSED,
        reason="多機関協働のケースとして継続。主担当は社協。",
        closure_reason=ClosureReason.CONNECTED,
    )

    target.refresh_from_db()
    assert target.person == person and target.consultation == consultation
    assert target.support_case == case and target.concern_slip == slip
    # History intact: every stage, every contact, the plan from the 支援会議.
    stages = list(target.transitions.values_list("to_stage", flat=True))
    assert stages == ["discovered", "preparing", "relating", "visiting", "connecting", "closed"]
    assert target.contacts.count() == 6
    timeline = target_timeline(target).entries
    assert sum(e.kind == "contact" for e in timeline) == 6
    assert any(e.kind == "plan" and e.obj == plan for e in timeline)
    counts = outreach_counts(target.__class__.objects.filter(pk=target.pk))
    assert counts.visits == 4  # three home visits and one accompaniment
    assert counts.staff_visits == 7  # 2 + 2 + 2 + 1
    assert counts.contacts_by_kind == {"letter": 1, "postbox": 1, "home_visit": 3, "accompany": 1}
    assert counts.connections == 1
    assert counts.targets_by_stage == {"closed": 1}


def test_target_links_a_case_picked_by_number_only_a_visible_one(client, db):
    """対象者 → 支援ケース through the case picker: a typed case number the worker may not see
    is refused like an unknown one; the page offers the picker."""
    from django.urls import reverse

    from agencies.choices import Role
    from agencies.tests.factories import staff
    from cases.services import support
    from cases.tests.factories import ConsentFactory, multiagency_agency, open_case
    from outreach.models import OutreachTarget
    from outreach.tests.factories import make_target, outreach_agency

    agency = outreach_agency(name="北部社協")
    csw = staff(agency, Role.CSW)
    target = make_target(csw, agency)
    city = multiagency_agency()
    coordinator = staff(city, Role.COORDINATOR)
    case = open_case(coordinator=coordinator, agency=city)
    OutreachTarget.objects.filter(pk=target.pk).update(person=case.principal)
    client.force_login(csw)
    url = reverse("outreach:link_case", args=[target.public_id])
    response = client.post(url, {"case_text": case.number}, follow=True)
    assert "該当する候補が見つかりません" in response.content.decode()
    target.refresh_from_db()
    assert target.support_case_id is None
    # Once the 社協 is on the case team with the person's consent, the same number links it.
    ConsentFactory(person=case.principal, agencies=[city, agency])
    support.team_add(case=case, actor=coordinator, agency=agency, user=csw)
    page = client.get(reverse("outreach:target_detail", args=[target.public_id])).content.decode()
    assert 'data-url="/cases/pick/cases/"' in page
    client.post(url, {"case_text": case.number})
    target.refresh_from_db()
    assert target.support_case == case
