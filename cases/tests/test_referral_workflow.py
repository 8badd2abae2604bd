"""The つなぐシート workflow: every transition, the forbidden ones, consent and agency rules."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.choices import Role
from agencies.policy import PolicyDenied
from agencies.tests.factories import staff
from audit.models import AuditEvent
from cases.models import Referral, ReferralEvent, SupportCase
from cases.policy.intake import referral_sections
from cases.services import intake as s
from cases.signals import referral_status_changed
from cases.tests.factories import IntakeWorld, open_case

S = Referral.Status


@pytest.fixture
def w(db):
    return IntakeWorld()


def _events(r):
    return list(r.events.order_by("at", "pk").values_list("kind", flat=True))


# --- creation and numbering -------------------------------------------------------------------


def test_draft_gets_fiscal_year_number_and_created_event(w):
    r = w.draft()
    assert r.status == S.DRAFT
    assert r.number.startswith("T-R") and r.number.endswith("-0001")
    assert w.draft().number.endswith("-0002")
    assert _events(r) == ["created"]
    assert AuditEvent.objects.filter(action="referral.create", object_id=str(r.pk)).exists()


def test_number_follows_fiscal_year(w, time_machine):
    time_machine.move_to(dt.datetime(2027, 3, 31, 12, tzinfo=dt.UTC))
    assert w.draft().number == "T-R8-0001"
    time_machine.move_to(dt.datetime(2027, 4, 1, 12, tzinfo=dt.UTC))
    assert w.draft().number == "T-R9-0001"


def test_double_submit_with_same_token_creates_one_referral(w):
    key = uuid.uuid4()
    first = w.draft(idempotency_key=key)
    second = w.draft(idempotency_key=key)
    assert first.pk == second.pk
    assert Referral.objects.count() == 1


def test_token_of_another_user_is_refused(w):
    key = uuid.uuid4()
    w.draft(idempotency_key=key)
    with pytest.raises(ValidationError):
        s.referral_create(
            actor=w.colleague,
            from_agency=w.sender,
            idempotency_key=key,
            to_agency=w.receiver,
            variant="without_consent",
            household=w.household,
            triggers=["complex"],
        )


def test_referral_to_inactive_agency_is_refused_with_clear_message(w):
    w.receiver.active = False
    w.receiver.save()
    with pytest.raises(ValidationError) as exc:
        w.draft()
    assert "現在無効な機関" in exc.value.message_dict["to_agency"][0]


def test_sending_to_agency_that_became_inactive_is_refused(w):
    r = w.draft()
    w.receiver.active = False
    w.receiver.save()
    with pytest.raises(ValidationError) as exc:
        s.referral_send(actor=w.worker, referral=r)
    assert "無効" in exc.value.message_dict["to_agency"][0]
    r.refresh_from_db()
    assert r.status == S.DRAFT


def test_referral_to_own_agency_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        w.draft(to_agency=w.sender)
    assert "to_agency" in exc.value.message_dict


def test_with_consent_variant_requires_consent(w):
    with pytest.raises(ValidationError) as exc:
        w.draft(consent=None)
    assert "consent" in exc.value.message_dict


def test_send_refuses_consent_not_covering_receiver(w):
    w.consent.agencies.set([w.sender])
    r = w.draft()
    with pytest.raises(ValidationError) as exc:
        s.referral_send(actor=w.worker, referral=r)
    assert "共有先" in exc.value.message_dict["consent"][0]


def test_without_consent_needs_meeting_summary_to_send(w):
    r = w.draft(variant="without_consent", consent=None)
    with pytest.raises(ValidationError) as exc:
        s.referral_send(actor=w.worker, referral=r)
    assert "meeting_summary" in exc.value.message_dict
    s.referral_update(actor=w.worker, referral=r, meeting_summary="支援会議で共有したい世帯")
    assert s.referral_send(actor=w.worker, referral=r).status == S.SENT


def test_accompanied_needs_note(w):
    with pytest.raises(ValidationError) as exc:
        w.draft(accompanied=True)
    assert "accompanied_note" in exc.value.message_dict


# --- transitions ------------------------------------------------------------------------------


def test_send_sets_deadline_three_business_days_and_signals(w, django_capture_on_commit_callbacks):
    received = []

    def handler(sender, **kwargs):
        received.append(kwargs)

    referral_status_changed.connect(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            r = w.sent()
    finally:
        referral_status_changed.disconnect(handler)
    from agencies.jpdates import add_business_days

    assert r.status == S.SENT and r.sent_at is not None
    assert r.answer_due_on == add_business_days(r.sent_at, 3)
    assert received == [
        {
            "signal": referral_status_changed,
            "referral_id": r.pk,
            "status": "sent",
            "event_id": r.events.get(kind="sent").pk,
        }
    ]


def test_signal_not_sent_when_transaction_rolls_back(w, django_capture_on_commit_callbacks):
    received = []
    referral_status_changed.connect(
        lambda sender, **kw: received.append(kw), weak=False, dispatch_uid="t"
    )
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            w.sent()
        assert received == [] and len(callbacks) == 1
    finally:
        referral_status_changed.disconnect(dispatch_uid="t")


def test_open_is_recorded_once_by_receiver(w):
    r = w.sent()
    r = s.referral_open(actor=w.receiver_staff, referral=r)
    assert r.status == S.OPENED and r.opened_by == w.receiver_staff
    again = s.referral_open(actor=w.coordinator, referral=r)
    assert again.opened_by == w.receiver_staff
    assert _events(r).count("opened") == 1


def test_sender_cannot_record_open(w):
    r = w.sent()
    with pytest.raises(PolicyDenied):
        s.referral_open(actor=w.worker, referral=r)


def test_accept_creates_case_with_team_and_number(w):
    r = w.opened()
    case = s.referral_accept(actor=w.coordinator, referral=r)
    r.refresh_from_db()
    assert r.status == S.ACCEPTED and r.case == case and r.answered_by == w.coordinator
    assert case.number.startswith("R") and case.household == w.household
    assert case.lead_agency == w.receiver
    team = set(case.team.values_list("agency_id", flat=True))
    assert {w.receiver.pk, w.sender.pk} <= team
    assert _events(r) == ["created", "sent", "opened", "accepted"]


def test_case_summary_from_reasons_uses_the_japanese_list_separator(w):
    """QA: the new case's summary read "該当する制度がない, 支援の硬直化" (an English comma)."""
    r = w.opened(triggers=["no_service", "rigid"])
    case = s.referral_accept(actor=w.coordinator, referral=r)
    assert case.summary == "該当する制度がない、支援の硬直化"


def test_accept_links_existing_open_case_of_household(w):
    from cases.tests.factories import SupportCaseFactory

    existing = SupportCaseFactory(household=w.household, lead_agency=w.receiver, persons=[w.mother])
    r = w.opened(variant="without_consent", consent=None, meeting_summary="支援会議資料")
    case = s.referral_accept(actor=w.coordinator, referral=r)
    assert case.pk == existing.pk
    assert SupportCase.objects.count() == 1
    assert existing.team.filter(agency=w.sender).exists()
    assert set(case.persons.all()) >= {w.person, w.mother}


def test_household_of_another_agency_cannot_be_chosen(w):
    household = open_case(coordinator=w.coordinator, agency=w.receiver).household
    with pytest.raises(ValidationError) as exc:
        w.draft(household=household, person=None, variant="without_consent", consent=None)
    assert "household" in exc.value.message_dict


def test_accept_directly_from_sent_records_opened(w):
    r = w.sent()
    s.referral_accept(actor=w.coordinator, referral=r)
    r.refresh_from_db()
    assert r.opened_at is not None and r.status == S.ACCEPTED


def test_return_requires_reason_and_next_step(w):
    r = w.opened()
    with pytest.raises(ValidationError) as exc:
        s.referral_return(actor=w.coordinator, referral=r, reason="", next_step=" ")
    assert set(exc.value.message_dict) == {"reason", "next_step"}
    r = s.referral_return(
        actor=w.coordinator, referral=r, reason="単独機関で対応可能", next_step="地域ケア会議で検討"
    )
    assert r.status == S.RETURNED and r.return_next_step == "地域ケア会議で検討"


def test_request_info_then_answer_sends_again(w):
    r = w.opened()
    with pytest.raises(ValidationError):
        s.referral_request_info(actor=w.coordinator, referral=r, question="")
    r = s.referral_request_info(actor=w.coordinator, referral=r, question="長男の就労歴は?")
    assert r.status == S.INFO_REQUESTED
    r = s.referral_update(actor=w.worker, referral=r, done_so_far="就労歴を追記")
    r = s.referral_answer_info(actor=w.worker, referral=r, answer="10年以上就労なし")
    assert r.status == S.SENT and r.info_answer == "10年以上就労なし"
    assert _events(r)[-2:] == ["info_requested", "info_answered"]


def test_withdraw_from_each_in_flight_state(w):
    for make in (w.sent, w.opened):
        r = s.referral_withdraw(actor=w.colleague, referral=make(), reason="本人が転出")
        assert r.status == S.WITHDRAWN
    r = s.referral_request_info(actor=w.coordinator, referral=w.opened(), question="?")
    assert s.referral_withdraw(actor=w.worker, referral=r, reason="取り下げ").status == S.WITHDRAWN


def test_withdraw_requires_reason(w):
    with pytest.raises(ValidationError):
        s.referral_withdraw(actor=w.worker, referral=w.sent(), reason="")


def test_assign_to_receiving_staff_only(w):
    r = w.opened()
    r = s.referral_assign(actor=w.coordinator, referral=r, assignee=w.receiver_staff)
    assert r.assignee == w.receiver_staff and r.status == S.OPENED
    with pytest.raises(ValidationError):
        s.referral_assign(actor=w.coordinator, referral=r, assignee=w.worker)
    assert "assigned" in _events(r)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("draft", "accept"),
        ("draft", "return"),
        ("draft", "request_info"),
        ("draft", "withdraw"),
        ("draft", "answer_info"),
        ("sent", "send"),
        ("sent", "answer_info"),
        ("opened", "send"),
        ("accepted", "accept"),
        ("accepted", "return"),
        ("accepted", "withdraw"),
        ("accepted", "send"),
        ("accepted", "request_info"),
        ("returned", "accept"),
        ("returned", "withdraw"),
        ("withdrawn", "accept"),
        ("withdrawn", "send"),
        ("info_requested", "accept"),
        ("info_requested", "return"),
        ("info_requested", "send"),
    ],
)
def test_forbidden_transitions_raise_conflict_and_change_nothing(w, state, action):
    r = {
        "draft": w.draft,
        "sent": w.sent,
        "opened": w.opened,
    }.get(state, w.opened)()
    if state == "accepted":
        s.referral_accept(actor=w.coordinator, referral=r)
    elif state == "returned":
        s.referral_return(actor=w.coordinator, referral=r, reason="r", next_step="n")
    elif state == "withdrawn":
        s.referral_withdraw(actor=w.worker, referral=r, reason="r")
    elif state == "info_requested":
        s.referral_request_info(actor=w.coordinator, referral=r, question="q")
    r.refresh_from_db()
    before = (r.status, r.version, r.events.count())
    receiver_side = action in ("accept", "return", "request_info")
    actor = w.coordinator if receiver_side else w.worker
    calls = {
        "send": lambda: s.referral_send(actor=actor, referral=r),
        "accept": lambda: s.referral_accept(actor=actor, referral=r),
        "return": lambda: s.referral_return(actor=actor, referral=r, reason="r", next_step="n"),
        "request_info": lambda: s.referral_request_info(actor=actor, referral=r, question="q"),
        "withdraw": lambda: s.referral_withdraw(actor=actor, referral=r, reason="r"),
        "answer_info": lambda: s.referral_answer_info(actor=actor, referral=r, answer="a"),
    }
    with pytest.raises((s.IntakeConflict, PolicyDenied)):
        calls[action]()
    r.refresh_from_db()
    assert (r.status, r.version, r.events.count()) == before


def test_conflict_message_is_japanese(w):
    r = w.opened()
    s.referral_accept(actor=w.coordinator, referral=r)
    with pytest.raises(s.IntakeConflict) as exc:
        s.referral_return(actor=w.coordinator, referral=r, reason="r", next_step="n")
    assert "すでに「受理」" in exc.value.message
    assert exc.value.current_status == "accepted"


def test_editing_after_accept_is_refused(w):
    r = w.opened()
    s.referral_accept(actor=w.coordinator, referral=r)
    with pytest.raises(s.IntakeConflict) as exc:
        s.referral_update(actor=w.worker, referral=r, person_says="変更")
    assert "編集できません" in exc.value.message


def test_stale_version_edit_is_refused(w):
    r = w.draft()
    s.referral_update(actor=w.colleague, referral=r, expected_version=1, person_says="同僚が更新")
    with pytest.raises(s.IntakeConflict):
        s.referral_update(
            actor=w.worker, referral=r, expected_version=1, person_says="古い画面から"
        )


# --- who may act ------------------------------------------------------------------------------


def test_receiver_caseworker_cannot_open_a_case_but_may_return(w):
    r = w.opened()
    with pytest.raises(PolicyDenied):
        s.referral_accept(actor=w.receiver_staff, referral=r)
    returned = s.referral_return(actor=w.receiver_staff, referral=r, reason="r", next_step="n")
    assert returned.status == S.RETURNED
    assert returned.outcome == "returned"


def test_supervisor_may_return_but_accept_as_case_needs_coordinator(w):
    sv = staff(w.receiver, Role.SUPERVISOR)
    r = w.opened()
    with pytest.raises(PolicyDenied):
        s.referral_accept(actor=sv, referral=r)
    assert s.referral_return(actor=sv, referral=r, reason="r", next_step="n").status == S.RETURNED
    case = s.referral_accept(actor=w.coordinator, referral=w.opened())
    assert case.referrals.get().outcome == "multiagency"


def test_sender_cannot_accept_own_referral(w):
    with pytest.raises(PolicyDenied):
        s.referral_accept(actor=w.worker, referral=w.sent())


def test_outsider_can_do_nothing(w):
    r = w.sent()
    for call in (
        lambda: s.referral_open(actor=w.outsider, referral=r),
        lambda: s.referral_withdraw(actor=w.outsider, referral=r, reason="x"),
        lambda: s.referral_update(actor=w.outsider, referral=r, person_says="x"),
        lambda: s.referral_accept(actor=w.outsider, referral=r),
    ):
        with pytest.raises(PolicyDenied):
            call()


def test_receiver_cannot_see_or_open_a_draft(w):
    r = w.draft()
    from agencies.policy import can

    assert not can(w.coordinator, "referral.view", r)
    with pytest.raises(PolicyDenied):
        s.referral_open(actor=w.coordinator, referral=r)


# --- consent ----------------------------------------------------------------------------------


def test_receiver_sees_personal_sections_within_consent_scope(w):
    r = w.sent()
    access = referral_sections(w.coordinator, r)
    assert {"person", "household", "narrative"} <= access.sections and access.basis == "consent"


def test_consent_scope_limits_sections(db):
    w = IntakeWorld(consent_kinds=["basic"])
    access = referral_sections(w.coordinator, w.sent())
    assert "person" in access and "household" not in access


def test_without_consent_receiver_sees_only_meeting_summary(w):
    r = w.sent(variant="without_consent", consent=None, meeting_summary="支援会議用の概要")
    access = referral_sections(w.coordinator, r)
    assert access.sections == frozenset({"meeting_summary"})
    assert referral_sections(w.worker, r).personal
    assert referral_sections(w.outsider, r).sections == frozenset()


def test_consent_withdrawn_in_flight_blocks_accept_and_hides_details(w):
    r = w.opened()
    w.consent.withdrawn_at = timezone.now() - dt.timedelta(minutes=1)
    w.consent.save()
    assert not referral_sections(w.coordinator, r).personal
    with pytest.raises(s.IntakeConflict) as exc:
        s.referral_accept(actor=w.coordinator, referral=r)
    assert exc.value.code == "consent_lapsed"
    assert set(exc.value.options) == {"return", "convert"}
    assert "撤回" in exc.value.message
    r.refresh_from_db()
    assert r.status == S.OPENED and SupportCase.objects.count() == 0


def test_consent_lapsed_referral_can_be_treated_as_meeting_material(w):
    r = w.opened()
    w.consent.withdrawn_at = timezone.now() - dt.timedelta(minutes=1)
    w.consent.save()
    r = s.referral_convert_to_meeting(actor=w.coordinator, referral=r, note="")
    assert r.status == S.INFO_REQUESTED and r.variant == "without_consent" and r.consent is None
    with pytest.raises(ValidationError):
        s.referral_answer_info(actor=w.worker, referral=r, answer="記入しました")
    s.referral_update(actor=w.worker, referral=r, meeting_summary="支援会議で共有したい世帯の概要")
    r = s.referral_answer_info(actor=w.worker, referral=r, answer="記入しました")
    assert r.status == S.SENT
    assert referral_sections(w.coordinator, r).sections == frozenset({"meeting_summary"})
    assert "converted" in _events(r)


def test_meeting_material_is_answered_with_its_summary_on_the_answer_form(client, w):
    """The sender of a sheet the receiver treated as 支援会議 material writes the summary the
    sheet now needs on the answer form itself (it was refused for a field the form lacked)."""
    from django.urls import reverse

    r = w.opened()
    w.consent.withdrawn_at = timezone.now() - dt.timedelta(minutes=1)
    w.consent.save()
    r = s.referral_convert_to_meeting(actor=w.coordinator, referral=r, note="")
    client.force_login(w.worker)
    page = client.get(reverse("cases:referral_detail", args=[r.public_id])).content.decode()
    assert 'name="meeting_summary"' in page
    url = reverse("cases:referral_action", args=[r.public_id, "answer_info"])
    response = client.post(url, {"answer": "記入しました"})
    assert response.status_code == 400 and "支援会議用の概要を記入してください" in (
        response.content.decode()
    )
    response = client.post(
        url, {"answer": "記入しました", "meeting_summary": "支援会議で共有したい世帯の概要"}
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == S.SENT and r.meeting_summary == "支援会議で共有したい世帯の概要"
    # Once written, the answer form asks only for the answer.
    assert (
        "meeting_summary"
        not in s.REFERRAL_WORKFLOW.step("answer_info").form_class()(referral=r).fields
    )


def test_expired_consent_blocks_accept(w):
    r = w.opened()
    w.consent.valid_until = timezone.localdate() - dt.timedelta(days=1)
    w.consent.given_on = timezone.localdate() - dt.timedelta(days=40)
    w.consent.save()
    with pytest.raises(s.IntakeConflict):
        s.referral_accept(actor=w.coordinator, referral=r)


def test_every_transition_is_audited(w):
    r = w.opened()
    s.referral_accept(actor=w.coordinator, referral=r)
    actions = set(
        AuditEvent.objects.filter(object_id=str(r.pk), object_type="cases.referral").values_list(
            "action", flat=True
        )
    )
    assert {"referral.create", "referral.send", "referral.open", "referral.accept"} <= actions


def test_events_record_actor_and_agency(w):
    r = w.opened()
    e = ReferralEvent.objects.get(referral=r, kind="opened")
    assert e.actor == w.coordinator and e.agency == w.receiver
    assert e.from_status == "sent" and e.to_status == "opened"
