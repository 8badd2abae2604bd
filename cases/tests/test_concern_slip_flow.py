"""気づきシート flow on (issue 10 item 7): the receiving agency turns it into a consultation with
the fields carried over, or links it to an existing case; the resident sees the status move on
its own (受付済み → 対応中 → 対応終了) and nothing of the case."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.choices import AgencyKind, Role
from agencies.policy import PolicyDenied
from agencies.tests.factories import AgencyFactory, staff
from cases.models import ConcernSlip
from cases.services import intake as si
from cases.services import support as s
from cases.tests.factories import MEETING_ITEM, case_with_approved_plan, multiagency_agency
from notifications.models import Notification

C = ConcernSlip.Status


@pytest.fixture
def world(db):
    shakyo = multiagency_agency(kind=AgencyKind.SHAKYO, name="社会福祉協議会(テスト)")
    return {
        "shakyo": shakyo,
        "csw": staff(shakyo, Role.CSW),
        "coordinator": staff(shakyo, Role.COORDINATOR),
        "supervisor": staff(shakyo, Role.SUPERVISOR),
        "minsei": staff(shakyo, Role.RESIDENT),
        "outsider": staff(AgencyFactory(), Role.CASEWORKER),
    }


def _slip(w):
    return si.concern_slip_submit(
        actor=w["minsei"],
        to_agency=w["shakyo"],
        subject_description="3丁目の角の家のおばあさん",
        noticed="新聞がたまっている。夜に電気がつかない",
        location="みどり町3丁目",
        urgency="high",
    )


def test_staff_view_receives_and_consultation_carries_the_fields(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        slip = _slip(w)
    client.force_login(w["csw"])
    url = reverse("cases:concern_slip_detail", args=[slip.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 200
    slip.refresh_from_db()
    assert slip.status == C.RECEIVED
    bad = client.post(url, {"step": "to_consultation"})
    assert "課題の分類を1つ以上選んでください。" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"step": "to_consultation", "categories": ["koritsu"]})
    assert response.status_code == 302
    slip.refresh_from_db()
    c = slip.consultation
    assert slip.status == C.HANDLING
    assert c.agency == w["shakyo"] and c.route == "minsei" and c.urgency == "high"
    assert "新聞がたまっている" in c.summary and "みどり町3丁目" in c.summary
    assert c.received_at == slip.submitted_at
    titles = list(
        Notification.objects.filter(recipient=w["minsei"]).values_list("title", flat=True)
    )
    assert any("受付済み" in t for t in titles) and any("対応中" in t for t in titles)
    # The resident sees the status label and nothing of the consultation.
    client.force_login(w["minsei"])
    page = client.get(url).content.decode()
    assert "対応中" in page and c.summary.splitlines()[0] not in page
    assert 'data-testid="slip-consultation"' not in page


def test_linked_case_closing_closes_the_slip_for_the_resident(client, world):
    w = world
    case, _plan = case_with_approved_plan(coordinator=w["coordinator"], agency=w["shakyo"])
    slip = _slip(w)
    client.force_login(w["csw"])
    url = reverse("cases:concern_slip_detail", args=[slip.public_id])
    assert "この番号の支援ケースはありません" in (
        client.post(url, {"step": "link", "case_number": "R9-9999"}).content.decode()
    )
    assert client.post(url, {"step": "link", "case_number": case.number}).status_code == 302
    slip.refresh_from_db()
    assert slip.case == case and slip.status == C.HANDLING and slip.person == case.principal
    ev = s.evaluation_create(case=case, actor=w["coordinator"])
    s.evaluation_update(
        evaluation=ev,
        actor=w["coordinator"],
        lock_version=ev.lock_version,
        data={"overall": "ok", "proposed_decision": "close", "proposed_lead_agency": w["shakyo"]},
        items=[{"id": i.pk, "achievement": "achieved", "note": ""} for i in ev.items.all()],
    )
    s.evaluation_ready(evaluation=ev, actor=w["coordinator"])
    s.evaluation_decide(
        evaluation=ev,
        actor=w["supervisor"],
        decided_on=timezone.localdate(),
        decision="close",
        lead_agency=w["shakyo"],
        via_item=MEETING_ITEM,
    )
    slip.refresh_from_db()
    assert slip.status == C.CLOSED
    client.force_login(w["minsei"])
    page = client.get(url).content.decode()
    assert "対応終了" in page and case.number not in page


def test_outsider_and_resident_cannot_move_the_slip_on(world):
    w = world
    slip = _slip(w)
    for user in (w["outsider"], w["minsei"]):
        with pytest.raises(PolicyDenied):
            si.concern_slip_to_consultation(actor=user, slip=slip, categories=["koritsu"])
    slip.refresh_from_db()
    assert slip.status == C.SUBMITTED and slip.consultation is None


def test_api_to_consultation_and_link(world):
    w = world
    case, _plan = case_with_approved_plan(coordinator=w["coordinator"], agency=w["shakyo"])
    api = APIClient()
    api.force_authenticate(w["coordinator"])
    slip = _slip(w)
    base = f"/api/v1/concern-slips/{slip.public_id}"
    r = api.post(f"{base}/to-consultation/", {"categories": ["koritsu"]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "handling" and r.json()["consultation"]
    r = api.post(f"{base}/link/", {"case": str(case.public_id)}, format="json")
    assert r.status_code == 200 and r.json()["case"] == case.number
    api.force_authenticate(w["outsider"])
    assert api.post(f"{base}/link/", {"case": str(case.public_id)}, format="json").status_code in (
        403,
        404,
    )
