"""Every receiving agency can answer a つなぐシート (issue 10 item 1): any care-role staff member
accepts it into the agency's own work, returns it with a next step or asks for more; only a
多機関協働 coordinator opens a support case. Outcomes are coded and the sender sees them."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.choices import AgencyKind, Programme, Role
from agencies.policy import PolicyDenied
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.forms_intake import AssignForm
from cases.models import Consultation, Referral, ReferralOutcome
from cases.services import intake as s
from cases.tests.factories import ConsentFactory, IntakeWorld
from cases.workflows import REFERRAL_WORKFLOW
from notifications.models import Notification

S = Referral.Status


class KosodateWorld(IntakeWorld):
    """The receiver is a 子育て世代包括支援センター with caseworkers only (no 推進員, no 係長)."""

    def __init__(self):
        super().__init__()
        self.receiver = AgencyFactory(
            name="子育て世代包括支援センター(テスト)",
            kind=AgencyKind.KOSODATE,
            programmes=[Programme.CHILDCARE.value],
        )
        self.kosodate_worker = staff(self.receiver, Role.CASEWORKER)
        self.consent = ConsentFactory(
            person=self.person,
            explained_by=self.worker,
            recorded_by_agency=self.sender,
            agencies=[self.sender, self.receiver],
        )


@pytest.fixture
def k(db):
    return KosodateWorld()


def test_kosodate_caseworker_accepts_into_own_work_and_sender_is_told(
    k, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = k.sent()
    assert {s.action for s in REFERRAL_WORKFLOW.available(k.kosodate_worker, r)} >= {
        "accept_own",
        "return",
        "request_info",
    }
    assert "accept" not in {s.action for s in REFERRAL_WORKFLOW.available(k.kosodate_worker, r)}
    with django_capture_on_commit_callbacks(execute=True):
        consultation = s.referral_accept_own(
            actor=k.kosodate_worker, referral=r, categories=["kosodate"], note="家庭訪問します"
        )
    r.refresh_from_db()
    assert r.status == S.ACCEPTED
    assert r.outcome == ReferralOutcome.OWN
    assert r.handled_consultation == consultation
    assert consultation.agency == k.receiver and consultation.staff == k.kosodate_worker
    assert consultation.person == k.person  # the consent names this agency
    assert consultation.route == "agency" and r.number in consultation.summary
    assert AuditEvent.objects.filter(action="referral.accept_own", object_id=str(r.pk)).exists()
    note = Notification.objects.get(
        recipient=k.worker, rule="referral_status", title__contains="受理"
    )
    assert "受理・自機関で対応" in note.body


def test_coordinator_at_kosodate_cannot_open_a_case_without_multiagency(k):
    coordinator = staff(k.receiver, Role.COORDINATOR)
    with pytest.raises(PolicyDenied):
        s.referral_accept(actor=coordinator, referral=k.sent())


def test_handed_over_outcome_and_without_consent_keeps_person_out(k):
    r = k.sent(
        variant="without_consent",
        consent=None,
        meeting_summary="乳児のいる世帯。孤立が心配",
        accompanied=True,
        accompanied_note="初回訪問に同行",
    )
    c = s.referral_accept_own(
        actor=k.kosodate_worker, referral=r, categories=["kosodate"], handed_over=True
    )
    r.refresh_from_db()
    assert r.outcome == ReferralOutcome.HANDED_OVER
    assert c.person is None and c.household is None
    assert "孤立が心配" in c.summary


def test_return_codes_outcome_and_needs_next_step(k):
    r = k.sent()
    with pytest.raises(Exception) as exc:
        s.referral_return(actor=k.kosodate_worker, referral=r, reason="対象外", next_step="")
    assert "next_step" in exc.value.message_dict
    r = s.referral_return(
        actor=k.kosodate_worker, referral=r, reason="対象外", next_step="基幹相談支援センターへ"
    )
    assert r.outcome == ReferralOutcome.RETURNED


def test_outsider_and_sender_cannot_accept_own(k):
    r = k.sent()
    for user in (k.outsider, k.worker, k.coordinator):  # coordinator works at another agency
        with pytest.raises(PolicyDenied):
            s.referral_accept_own(actor=user, referral=r, categories=["kosodate"])
    assert Consultation.objects.filter(agency=k.receiver).count() == 0


def test_accept_own_twice_is_a_conflict(k):
    r = k.sent()
    s.referral_accept_own(actor=k.kosodate_worker, referral=r, categories=["kosodate"])
    with pytest.raises(s.IntakeConflict):
        s.referral_accept_own(actor=k.kosodate_worker, referral=r, categories=["kosodate"])
    assert Consultation.objects.filter(agency=k.receiver).count() == 1


def test_html_accept_own_and_sender_sees_outcome(client, k):
    r = k.sent()
    client.force_login(k.kosodate_worker)
    page = client.get(reverse("cases:referral_detail", args=[r.public_id]))
    assert "受理して自機関で対応する" in page.content.decode()
    url = reverse("cases:referral_action", args=[r.public_id, "accept_own"])
    bad = client.post(url, {})
    assert bad.status_code == 400
    assert "課題の分類を1つ以上選んでください。" in bad.content.decode()
    assert client.post(url, {"categories": ["kosodate"]}).status_code == 302
    client.force_login(k.worker)
    page = client.get(reverse("cases:referral_detail", args=[r.public_id]))
    assert "受理・自機関で対応" in page.content.decode()


def test_api_accept_own(k):
    r = k.sent()
    api = APIClient()
    api.force_authenticate(k.kosodate_worker)
    url = f"/api/v1/referrals/{r.public_id}/accept-own/"
    bad = api.post(url, {}, format="json")
    assert bad.status_code == 400
    ok = api.post(url, {"categories": ["kosodate"], "note": "訪問予定"}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["outcome"] == "own" and ok.json()["handled_consultation"]
    api.force_authenticate(k.outsider)
    assert api.post(url, {"categories": ["kosodate"]}, format="json").status_code in (403, 404)


def test_assignee_list_offers_care_staff_only(k):
    admin = staff(k.receiver, Role.ADMIN)
    resident = staff(k.receiver, Role.RESIDENT)
    choices = set(AssignForm(referral=k.sent()).fields["assignee"].queryset)
    assert k.kosodate_worker in choices
    assert admin not in choices and resident not in choices
