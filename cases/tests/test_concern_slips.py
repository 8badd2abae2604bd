"""気づきシート: residents submit and see only their own slips' status; the receiving agency handles."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.choices import AgencyKind, Role
from agencies.policy import PolicyDenied
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.models import ConcernSlip
from cases.services import intake as s
from cases.signals import concern_slip_status_changed
from cases.tests.factories import ConcernSlipFactory


@pytest.fixture
def sw(db):
    class W:
        shakyo = AgencyFactory(kind=AgencyKind.SHAKYO, name="社協(テスト)")
        houkatsu = AgencyFactory(kind=AgencyKind.HOUKATSU, name="包括(テスト)")
        school = AgencyFactory(kind=AgencyKind.SCHOOL)
        resident = staff(shakyo, Role.RESIDENT)
        other_resident = staff(shakyo, Role.RESIDENT)
        csw = staff(shakyo, Role.CSW)
        houkatsu_worker = staff(houkatsu, Role.CASEWORKER)
        outsider = staff(school, Role.CASEWORKER)

    return W


def _submit(sw, **kw):
    data = {
        "to_agency": sw.shakyo,
        "subject_description": "角の家の80代の男性",
        "noticed": "新聞がたまっている",
    }
    data.update(kw)
    return s.concern_slip_submit(actor=sw.resident, **data)


def test_resident_submits_and_signal_is_sent(sw, django_capture_on_commit_callbacks):
    seen = []
    concern_slip_status_changed.connect(
        lambda sender, **kw: seen.append(kw["status"]), weak=False, dispatch_uid="t"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            slip = _submit(sw)
    finally:
        concern_slip_status_changed.disconnect(dispatch_uid="t")
    assert slip.status == "submitted" and seen == ["submitted"]
    assert AuditEvent.objects.filter(action="concern_slip.create").exists()


def test_destination_must_be_shakyo_or_houkatsu(sw):
    with pytest.raises(ValidationError) as exc:
        _submit(sw, to_agency=sw.school)
    assert "届け先" in exc.value.message_dict["to_agency"][0]
    assert _submit(sw, to_agency=sw.houkatsu).to_agency == sw.houkatsu


def test_required_texts(sw):
    with pytest.raises(ValidationError) as exc:
        _submit(sw, subject_description=" ", noticed="")
    assert set(exc.value.message_dict) == {"subject_description", "noticed"}


def test_staff_cannot_submit_a_slip(sw):
    with pytest.raises(PolicyDenied):
        s.concern_slip_submit(
            actor=sw.csw, to_agency=sw.shakyo, subject_description="x", noticed="y"
        )


def test_double_submit_creates_one(sw):
    key = uuid.uuid4()
    assert _submit(sw, idempotency_key=key).pk == _submit(sw, idempotency_key=key).pk
    assert ConcernSlip.objects.count() == 1


def test_status_transitions_and_note(sw):
    slip = _submit(sw)
    slip = s.concern_slip_set_status(
        actor=sw.csw, slip=slip, status="received", note="受け取りました"
    )
    assert slip.received_at is not None and slip.handled_by == sw.csw
    slip = s.concern_slip_set_status(
        actor=sw.csw, slip=slip, status="closed", note="包括につないだ"
    )
    assert slip.closed_at is not None and "包括につないだ" in slip.handling_note
    with pytest.raises(s.IntakeConflict):
        s.concern_slip_set_status(actor=sw.csw, slip=slip, status="handling")


def test_only_receiving_agency_handles(sw):
    slip = _submit(sw)
    for user in (sw.houkatsu_worker, sw.outsider, sw.resident):
        with pytest.raises(PolicyDenied):
            s.concern_slip_set_status(actor=user, slip=slip, status="received")


# --- pages ------------------------------------------------------------------------------------


def test_resident_pages(client, sw):
    client.force_login(sw.resident)
    page = client.get(reverse("cases:concern_slip_create"))
    assert page.status_code == 200
    assert page.context["form"].initial["to_agency"] == sw.shakyo.pk
    data = {
        "to_agency": sw.shakyo.pk,
        "subject_description": "駅前のアパートの母子",
        "noticed": "夜に子どもが一人",
        "urgency": "high",
        "idempotency_key": str(page.context["form"].initial["idempotency_key"]),
    }
    assert client.post(reverse("cases:concern_slip_create"), data).status_code == 302
    assert client.post(reverse("cases:concern_slip_create"), data).status_code == 302
    assert ConcernSlip.objects.count() == 1
    mine = client.get(reverse("cases:concern_slip_mine"))
    assert "提出済み" in mine.content.decode()
    # residents get their own minimal navigation, not the staff menus
    assert 'aria-label="気づきシートのメニュー"' in mine.content.decode()
    assert reverse("cases:consultation_list") not in mine.content.decode()


def test_resident_form_errors_in_japanese(client, sw):
    client.force_login(sw.resident)
    response = client.post(
        reverse("cases:concern_slip_create"), {"to_agency": sw.shakyo.pk, "urgency": "normal"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "気づいたことを記入してください。" in body
        and "気になる方・世帯について記入してください。" in body
    )


def test_resident_sees_status_only_and_not_others_slips(client, sw):
    slip = _submit(sw)
    s.concern_slip_set_status(actor=sw.csw, slip=slip, status="handling", note="CSWが訪問予定(秘)")
    url = reverse("cases:concern_slip_detail", args=[slip.public_id])
    client.force_login(sw.resident)
    body = client.get(url).content.decode()
    assert "対応中" in body and "CSWが訪問予定(秘)" not in body
    assert client.post(url, {"status": "closed", "version": 2}).status_code == 403
    client.force_login(sw.other_resident)
    assert client.get(url).status_code == 404
    assert client.get(reverse("cases:concern_slip_mine")).context["page_obj"].paginator.count == 0


def test_staff_pages_three_users(client, sw):
    slip = _submit(sw)
    url = reverse("cases:concern_slip_detail", args=[slip.public_id])
    client.force_login(sw.csw)
    assert client.get(url).status_code == 200
    assert (
        client.get(reverse("cases:concern_slip_received")).context["page_obj"].paginator.count == 1
    )
    slip.refresh_from_db()
    assert slip.status == "received"  # the receiving staff's first look (issue 10 item 7)
    response = client.post(url, {"status": "handling", "note": "訪問", "version": slip.version})
    assert response.status_code == 302
    slip.refresh_from_db()
    assert slip.status == "handling"
    for user in (sw.houkatsu_worker, sw.outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert (
            client.get(reverse("cases:concern_slip_received")).context["page_obj"].paginator.count
            == 0
        )


def test_resident_cannot_open_received_list(client, sw):
    client.force_login(sw.resident)
    assert client.get(reverse("cases:concern_slip_received")).status_code == 403


def test_staff_cannot_open_resident_form(client, sw):
    client.force_login(sw.csw)
    assert client.get(reverse("cases:concern_slip_create")).status_code == 403


def test_received_list_query_count(client, sw, django_assert_max_num_queries):
    for _ in range(20):
        ConcernSlipFactory(submitted_by=sw.resident, to_agency=sw.shakyo)
    client.force_login(sw.csw)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases:concern_slip_received"))
    assert len(response.context["page_obj"].object_list) == 20


def test_staff_panel_prints_new_slips_from_one_query(sw, django_assert_num_queries):
    """The panel reads of a slip what it prints (`SLIP_ROW`): a column left out would cost a
    query per slip shown."""
    from cases.panels_intake import concern_slip_panel

    slips = [_submit(sw, urgency=u, idempotency_key=uuid.uuid4()) for u in ("urgent", "normal")]
    sw.csw.current_memberships()  # read once per request by the middleware
    with django_assert_num_queries(1):
        panel = concern_slip_panel(sw.csw)
    assert panel.count == 2
    assert [i.url.split("/")[-2] for i in panel.items] == [str(x.public_id) for x in slips[::-1]]
    assert [i.tone for i in panel.items] == ["", "danger"]
    assert all(i.badge == slips[0].get_status_display() for i in panel.items)


def test_dashboard_panels_for_staff_and_resident(client, sw):
    _submit(sw)
    client.force_login(sw.csw)
    panels = {p.key: p for p in client.get(reverse("dashboard")).context["panels"]}
    assert panels["concern_slips"].count == 1
    client.force_login(sw.resident)
    panels = {p.key: p for p in client.get(reverse("dashboard")).context["panels"]}
    assert "concern_slips" not in panels and len(panels["my_concern_slips"].items) == 1
