"""Every agenda item, with its papers, is for the members of its meeting and the case team of
its case (issue 9 item 5), over HTTP: the meeting page, the item page, the papers PDF and the
API list. A member who is not on the case team sees the meeting and its general items, not the
case item (not even its title); an outsider and the admin learn nothing of the items."""

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from cases.services import support as s
from meetings import services
from meetings.choices import AgendaKind

from .conftest import schedule, seat, submitted_plan, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def juso_items(supervisor, coordinator, city, juso, partner, partner_worker):
    case, plan = submitted_plan(coordinator, city, partners=[partner])
    meeting = schedule(juso, supervisor)
    case_item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    meeting.refresh_from_db()
    general = services.agenda_item_add(
        meeting=meeting,
        actor=supervisor,
        kind=AgendaKind.RESOURCE_GAP,
        title="夜間の居場所が足りない",
        expected_version=meeting.version,
    )
    member = staff(AgencyFactory(name="構成員の機関"), Role.CASEWORKER)
    seat(juso, member, supervisor)
    return {
        "case": case,
        "meeting": meeting,
        "case_item": case_item,
        "general": general,
        "member": member,
    }


def _get(client, user, url):
    verified(client, user)
    return client.get(url)


def test_member_off_the_team_sees_the_general_item_not_the_case_item(client, juso_items):
    w = juso_items
    page = _get(
        client, w["member"], reverse("meetings:meeting_detail", args=[w["meeting"].public_id])
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert w["general"].title in body
    assert w["case_item"].title not in body and w["case"].number not in body
    item = client.get(reverse("meetings:item_detail", args=[w["case_item"].public_id]))
    assert item.status_code == 403  # knows the meeting, is told the paper is the team's
    listed = client.get(f"/api/v1/agenda-items/?meeting={w['meeting'].public_id}").json()
    assert [r["id"] for r in listed["results"]] == [str(w["general"].public_id)]


def test_case_team_off_the_body_opens_the_case_item(
    client, juso_items, coordinator, partner, partner_worker
):
    w = juso_items
    s.team_add(case=w["case"], actor=coordinator, agency=partner)
    response = _get(
        client, partner_worker, reverse("meetings:item_detail", args=[w["case_item"].public_id])
    )
    assert response.status_code == 200
    pdf = client.get(reverse("meetings:paper_pdf", args=[w["case_item"].public_id]))
    assert pdf.status_code == 200
    # …but not the general item of a body it does not sit on
    general = client.get(reverse("meetings:item_detail", args=[w["general"].public_id]))
    assert general.status_code == 404


@pytest.mark.parametrize("who", ["outsider", "admin"])
def test_outsider_and_admin_learn_nothing_of_the_items(client, juso_items, city, who):
    w = juso_items
    user = staff(AgencyFactory(), Role.CASEWORKER) if who == "outsider" else staff(city, Role.ADMIN)
    for item in (w["case_item"], w["general"]):
        for name in ("meetings:item_detail", "meetings:paper_pdf"):
            response = _get(client, user, reverse(name, args=[item.public_id]))
            assert response.status_code == 404, (who, name)
        api = client.get(f"/api/v1/agenda-items/{item.public_id}/")
        assert api.status_code == 404
    page = client.get(reverse("meetings:meeting_detail", args=[w["meeting"].public_id]))
    body = page.content.decode()
    assert w["case_item"].title not in body and w["general"].title not in body
