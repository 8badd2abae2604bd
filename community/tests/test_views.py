"""Pages: who may open what (operator staff, CSW, other agencies, residents, admin), bad ids,
query-count guards on the lists, exports and prints."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from cases.tests.factories import login_verified
from community.models import Resource, Session, Volunteer
from community.tests.factories import ResourceFactory, SessionFactory, VolunteerFactory


def _get(client, user, url):
    login_verified(client, user)
    return client.get(url)


@pytest.fixture
def place(w):
    return ResourceFactory(
        name="法人の縁側", kind="engawa", operating_agency=w.houjin, area=w.north
    )


def test_every_care_role_sees_the_register_and_the_page_but_residents_do_not(client, w, place):
    for user in (w.csw, w.operator_staff, w.other, w.admin):
        assert _get(client, user, reverse("community:place_list")).status_code == 200
        assert _get(client, user, place.get_absolute_url()).status_code == 200
    assert _get(client, w.resident, reverse("community:place_list")).status_code == 403


def test_who_may_create_and_edit_a_place(client, w, place):
    create = reverse("community:place_create")
    edit = reverse("community:place_edit", args=[place.public_id])
    assert _get(client, w.csw, create).status_code == 200
    assert _get(client, w.admin, create).status_code == 200
    assert _get(client, w.operator_staff, create).status_code == 403
    assert _get(client, w.other, create).status_code == 403
    assert _get(client, w.operator_staff, edit).status_code == 200  # their own place
    assert _get(client, w.other, edit).status_code == 403
    other_place = ResourceFactory()
    assert (
        _get(
            client, w.operator_staff, reverse("community:place_edit", args=[other_place.public_id])
        ).status_code
        == 403
    )


def test_create_a_place_through_the_form_with_japanese_errors(client, w):
    login_verified(client, w.csw)
    bad = client.post(reverse("community:place_create"), {"name": "", "kind": "salon"})
    assert bad.status_code == 200
    assert "この項目は必須です" in bad.content.decode()
    response = client.post(
        reverse("community:place_create"),
        {
            "name": "駅前サロン",
            "kind": "salon",
            "is_place": "on",
            "status": "active",
            "operator_kind": "residents",
            "schedule": "weekly",
            "functions": ["exchange", "prevention"],
            "target_groups": ["elderly"],
            "interest_tags": "体操、おしゃべり",
            "area": w.north.pk,
            "small_area": w.north_1.pk,
            "min_age": 80,
            "max_age": 60,
        },
    )
    assert response.status_code == 200
    assert "対象年齢の上限は下限以上" in response.content.decode()
    data = {
        "name": "駅前サロン",
        "kind": "salon",
        "is_place": "on",
        "status": "active",
        "operator_kind": "residents",
        "schedule": "weekly",
        "functions": ["exchange", "prevention"],
        "target_groups": ["elderly"],
        "interest_tags": "体操、おしゃべり",
        "area": w.north.pk,
        "small_area": w.north_1.pk,
    }
    response = client.post(reverse("community:place_create"), data)
    resource = Resource.objects.get(name="駅前サロン")
    assert response.status_code == 302 and response.url == resource.get_absolute_url()
    assert resource.interest_tags == ["体操", "おしゃべり"]
    assert resource.functions == ["exchange", "prevention"]


def test_malformed_and_unknown_ids_are_404(client, w):
    for name in ("place_detail", "place_edit", "session_tally", "session_list"):
        assert _get(client, w.csw, reverse(f"community:{name}", args=["nope"])).status_code == 404
        assert (
            _get(client, w.csw, reverse(f"community:{name}", args=[uuid.uuid4()])).status_code
            == 404
        )


def test_place_list_costs_the_same_queries_for_5_or_40_places(
    client, w, django_assert_max_num_queries
):
    login_verified(client, w.csw)
    url = reverse("community:place_list")
    for n in range(5):
        SessionFactory(resource=ResourceFactory(area=w.north), recorded_by=w.csw)
    client.get(url)
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    for n in range(35):
        SessionFactory(resource=ResourceFactory(area=w.south), recorded_by=w.csw)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("<tr>") >= 40


def test_session_list_query_guard(client, w, place, django_assert_max_num_queries):
    login_verified(client, w.csw)
    url = reverse("community:session_list", args=[place.public_id])
    for n in range(3):
        SessionFactory(resource=place, recorded_by=w.csw, held_on=dt.date(2026, 4, 1 + n))
    client.get(url)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for n in range(30):
        SessionFactory(
            resource=place, recorded_by=w.operator_staff, held_on=dt.date(2026, 5, 1 + n)
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_tally_is_for_the_places_operator_staff_and_community_staff(client, w, place):
    url = reverse("community:session_tally", args=[place.public_id])
    assert _get(client, w.operator_staff, url).status_code == 200
    assert _get(client, w.csw, url).status_code == 200
    assert _get(client, w.other, url).status_code == 403
    assert _get(client, w.resident, url).status_code == 403
    login_verified(client, w.operator_staff)
    key = str(uuid.uuid4())
    data = {
        "held_on": "2026-06-03",
        "age_70s": "5",
        "age_80plus": "2",
        "age_under10": "3",
        "attr_elderly": "7",
        "attr_child": "3",
        "new_participants": "1",
        "volunteers": "2",
        "volunteer_hours": "4.5",
        "became_helpers": "0",
        "consultations": "1",
        "idempotency_key": key,
    }
    for field in ("age_10s", "age_20s", "age_30s", "age_40s", "age_50s", "age_60s"):
        data[field] = "0"
    for field in ("attr_disability", "attr_youth", "attr_other"):
        data[field] = "0"
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double tap logs it once
    session = Session.objects.get(resource=place)
    assert session.participants == 10 and session.recorded_by == w.operator_staff
    assert AuditEvent.objects.filter(action="session.create").count() == 1
    data["new_participants"] = "99"
    data["idempotency_key"] = str(uuid.uuid4())
    response = client.post(url, data)
    assert response.status_code == 200
    assert "初参加の人数は参加者数" in response.content.decode()
    # An attribute may overlap another, but no attribute counts more people than came.
    data["new_participants"] = "1"
    data["attr_elderly"] = "50"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "「高齢」の人数は参加者数(延べ)以下" in response.content.decode()
    assert Session.objects.filter(resource=place).count() == 1


def test_a_place_out_of_the_globe_is_refused(w):
    from community.services import resource_create

    with pytest.raises(ValidationError) as exc:
        resource_create(
            actor=w.csw, name="テストの居場所", kind="place", latitude=999, longitude=-999
        )
    assert set(exc.value.message_dict) >= {"latitude", "longitude"}


def test_volunteer_records_are_for_community_staff_only(client, w):
    volunteer = VolunteerFactory(coordinator_agency=w.shakyo, name="ボラ 花子", phone="090-1111")
    url = reverse("community:volunteer_detail", args=[volunteer.public_id])
    response = _get(client, w.csw, url)
    assert response.status_code == 200 and "090-1111" in response.content.decode()
    assert AuditEvent.objects.filter(action="volunteer.view").exists()
    for user in (w.other, w.operator_staff, w.admin, w.resident):
        response = _get(client, user, url)
        assert response.status_code == 403
        assert "090-1111" not in response.content.decode()
    assert _get(client, w.other, reverse("community:volunteer_list")).status_code == 403


def test_resident_host_passes_a_kizuki_from_a_place_through_the_form(client, w, place):
    url = reverse("community:concern_submit")
    assert _get(client, w.csw, url).status_code == 403
    login_verified(client, w.resident)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "resource": place.pk,
            "to_agency": w.shakyo.pk,
            "subject_description": "いつも来る方",
            "noticed": "元気がない",
        },
    )
    assert response.status_code == 302
    assert place.concerns.count() == 1


def test_csv_export_and_prints(client, w, place):
    SessionFactory(resource=place, recorded_by=w.csw)
    login_verified(client, w.other)
    response = client.get(reverse("community:place_list") + "?format=csv")
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "法人の縁側" in body and "公開ID" in body
    assert AuditEvent.objects.filter(action="resource.export").exists()
    pdf = client.get(reverse("community:place_list") + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    session = place.sessions.get()
    pdf = client.get(reverse("community:session_print", args=[session.public_id]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_issue_pages_and_who_may_change_them(client, w):
    from community import services_activity as sa

    issue = sa.community_issue_raise(actor=w.other, title="買い物に行けない", owner_agency=w.shakyo)
    url = issue.get_absolute_url()
    assert _get(client, w.operator_staff, url).status_code == 200
    login_verified(client, w.other)
    response = client.post(
        reverse("community:issue_status", args=[issue.public_id]), {"status": "closed"}
    )
    assert response.status_code == 403
    login_verified(client, w.csw)
    response = client.post(
        reverse("community:issue_status", args=[issue.public_id]), {"status": "examining"}
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == "examining"


def test_index_programs_agreements_pages_render(client, w):
    for name in ("index", "program_list", "agreement_list", "issue_list", "area_view"):
        assert _get(client, w.other, reverse(f"community:{name}")).status_code == 200
    assert _get(client, w.other, reverse("community:program_create")).status_code == 403
    assert _get(client, w.csw, reverse("community:program_create")).status_code == 200
    assert _get(client, w.csw, reverse("community:agreement_create")).status_code == 200


def test_csw_links_an_ibasho_consultation_from_the_place_page(client, w, place):
    from cases.tests.factories import ConsultationFactory

    consultation = ConsultationFactory(agency=w.shakyo, staff=w.csw, route="ibasho")
    login_verified(client, w.csw)
    page = client.get(place.get_absolute_url())
    assert str(consultation.public_id) in page.content.decode()  # offered in the select
    assert consultation.summary not in page.content.decode()  # but not its content
    response = client.post(
        reverse("community:concern_link", args=[place.public_id]),
        {"consultation": str(consultation.public_id)},
    )
    assert response.status_code == 302
    assert place.concerns.get().consultation == consultation
    login_verified(client, w.other)
    response = client.post(
        reverse("community:concern_link", args=[place.public_id]),
        {"consultation": str(consultation.public_id)},
    )
    assert response.status_code == 403


def test_xlsx_export_is_formula_safe(client, w):
    import io

    from openpyxl import load_workbook

    ResourceFactory(name="=HYPERLINK(1)", operator_name="+81 運営")
    login_verified(client, w.csw)
    response = client.get(reverse("community:place_list") + "?format=xlsx&places=")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    # Text cells are written as text (never a formula), with or without the leading apostrophe.
    assert {"=HYPERLINK(1)", "'=HYPERLINK(1)"} & set(values)
    assert {"+81 運営", "'+81 運営"} & set(values)
    for row in sheet.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.lstrip("'").startswith("="):
                assert c.data_type == "s"


def test_csw_picks_a_volunteers_coordinator_agency_through_the_agency_picker(client, w):
    url = reverse("community:volunteer_create")
    html = _get(client, w.csw, url).content.decode()
    assert 'data-url="/agencies/pick/agencies/"' in html
    assert 'name="coordinator_agency_text"' in html
    data = {"name": "ボラ 太郎", "kana": "ぼら たろう", "coordinator_agency_text": w.shakyo.name}
    response = client.post(url, {**data, "registered_on": "2026-04-01", "active": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    volunteer = Volunteer.objects.get(name="ボラ 太郎")
    assert volunteer.coordinator_agency == w.shakyo


def test_an_issue_without_an_owner_agency_keeps_the_issue_list_open(client, w):
    """An issue raised from a session may leave 担当機関 blank: the list said — for it, and
    answered 500 for everyone (a filter's argument read through the missing agency)."""
    from community.models import CommunityIssue

    CommunityIssue.objects.create(
        title="買い物の足がない",
        area=w.north,
        raised_on=dt.date(2026, 6, 1),
        source="session",
        raised_by=w.csw,
    )
    response = _get(client, w.csw, reverse("community:issue_list"))
    assert response.status_code == 200 and "買い物の足がない" in response.content.decode()
