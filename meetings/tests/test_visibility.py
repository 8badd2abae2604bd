"""Who sees what, per legal basis: pledges gate 支援会議 material, case teams 重層 minutes."""

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.policy import check
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.policy.persons import person_access, persons_visible_to
from cases.tests.factories import HouseholdMemberFactory
from meetings import services
from meetings.choices import AgendaKind, BodyKind

from .conftest import make_body, pledge, schedule, seat, submitted_plan, verified

pytestmark = pytest.mark.django_db


def fresh(user):
    user.__dict__.pop("_meeting_cache", None)
    user.__dict__.pop("_membership_cache", None)
    return user


@pytest.fixture
def worrying_item(supervisor, partner_worker, shien):
    seat(shien, supervisor, supervisor)
    member = HouseholdMemberFactory()
    other = HouseholdMemberFactory(household=member.household, relation="parent")
    request = services.agenda_request_create(
        body=shien,
        actor=partner_worker,
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title="北部の世帯A",
        description="新聞がたまっている",
        household=member.household,
        persons=[member.person],
    )
    meeting = schedule(shien, supervisor)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"request:{request.public_id}"
    )
    return item, member.person, other.person


def test_pledged_member_opens_the_paper_with_the_shien_kaigi_basis(
    client, worrying_item, shien, supervisor
):
    item, person, _other = worrying_item
    member_user = staff(AgencyFactory(), Role.CASEWORKER)
    seat(shien, member_user, supervisor)
    client.force_login(member_user)
    response = client.get(reverse("meetings:item_detail", args=[item.public_id]))
    assert response.status_code == 200
    assert "閲覧の根拠: 支援会議の構成員(守秘義務誓約済)" in response.content.decode()
    event = AuditEvent.objects.get(action="agendaitem.view", actor=member_user)
    assert event.basis == "shien_kaigi" and event.object_repr == f"agenda-item:{item.public_id}"


def test_unpledged_member_sees_nothing(client, worrying_item, shien, supervisor):
    item, person, _other = worrying_item
    unpledged = staff(AgencyFactory(), Role.CASEWORKER)
    seat(shien, unpledged, supervisor, pledged=False)
    client.force_login(unpledged)
    for url in (
        reverse("meetings:item_detail", args=[item.public_id]),
        reverse("meetings:meeting_detail", args=[item.meeting.public_id]),
        reverse("meetings:paper_pdf", args=[item.public_id]),
        reverse("meetings:papers_pdf", args=[item.meeting.public_id]),
        f"/api/v1/agenda-items/{item.public_id}/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
    decision = check(fresh(unpledged), "agendaitem.view", item)
    assert "守秘義務の誓約" in decision.reason
    assert not person_access(unpledged, person).allowed
    assert not AuditEvent.objects.filter(action="agendaitem.view", actor=unpledged).exists()


def test_member_of_body_a_cannot_see_body_b_papers(worrying_item, supervisor, city, shien):
    item, person, _other = worrying_item
    body_b = make_body(supervisor, city, BodyKind.SHIEN_KAIGI, "支援会議(南部)")
    member_b = staff(AgencyFactory(), Role.CASEWORKER)
    seat(body_b, member_b, supervisor)
    assert not check(member_b, "agendaitem.view", item)
    assert not check(member_b, "meeting.view", item.meeting)
    assert not person_access(member_b, person).allowed


def test_shien_kaigi_access_covers_only_the_persons_on_the_item(worrying_item, shien, supervisor):
    item, person, other_in_household = worrying_item
    member_user = staff(AgencyFactory(), Role.CASEWORKER)
    seat(shien, member_user, supervisor)
    decision = person_access(member_user, person)
    assert decision.allowed and decision.basis == "shien_kaigi"
    assert decision.sections == {"basic", "household"}
    assert not person_access(member_user, other_in_household).allowed


def test_a_cancelled_meeting_opens_nobody(worrying_item, shien, supervisor):
    """The item of a meeting called off is no basis: neither the person's page nor a list."""
    item, person, _other = worrying_item
    member_user = staff(AgencyFactory(), Role.CASEWORKER)
    seat(shien, member_user, supervisor)
    assert person_access(fresh(member_user), person).allowed
    assert list(persons_visible_to(fresh(member_user))) == [person]
    services.meeting_cancel(meeting=item.meeting, actor=supervisor, reason="台風のため")
    assert not person_access(fresh(member_user), person).allowed
    assert not persons_visible_to(fresh(member_user)).exists()


def test_admin_role_opens_no_shien_kaigi_paper(worrying_item):
    item, _p, _o = worrying_item
    admin = staff(AgencyFactory(), Role.ADMIN)
    assert not check(admin, "agendaitem.view", item)


def test_unpledged_convenor_manager_sees_the_shell_not_the_papers(worrying_item, city):
    item, _p, _o = worrying_item
    other_coordinator = staff(city, Role.COORDINATOR)
    assert check(other_coordinator, "meeting.view", item.meeting)
    assert not check(other_coordinator, "agendaitem.view", item)
    assert not check(other_coordinator, "meeting.view_minutes", item.meeting)


def test_juso_paper_goes_to_the_case_team(
    supervisor, coordinator, city, juso, partner, partner_worker
):
    case, plan = submitted_plan(coordinator, city, partners=[partner])
    meeting = schedule(juso, supervisor)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    # The coordinator of the case: 本人同意・支援チーム.
    assert check(coordinator, "agendaitem.view", item).basis == "case_team"
    # A body member whose agency is not on the team sees the agenda, not the paper.
    seat(juso, partner_worker, supervisor)
    assert check(fresh(partner_worker), "meeting.view", meeting)
    assert not check(partner_worker, "agendaitem.view", item)
    # Once the partner agency joins the team (consent names it), it sees the paper.
    from cases.services import support as s

    s.team_add(case=case, actor=coordinator, agency=partner)
    case.__dict__.pop("_access_cache", None)
    item.case = type(case).objects.get(pk=case.pk)
    assert check(fresh(partner_worker), "agendaitem.view", item).basis == "case_team"
    # Someone from elsewhere: nothing.
    assert not check(staff(AgencyFactory(), Role.CASEWORKER), "agendaitem.view", item)


def test_juso_ui_shows_the_consent_basis(client, supervisor, coordinator, city, juso):
    case, plan = submitted_plan(coordinator, city)
    meeting = schedule(juso, supervisor)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    client.force_login(coordinator)
    body = client.get(reverse("meetings:item_detail", args=[item.public_id])).content.decode()
    assert "閲覧の根拠: 本人同意・支援チーム" in body
    verified(client, supervisor)
    body = client.get(reverse("meetings:item_detail", args=[item.public_id])).content.decode()
    assert "閲覧の根拠: 本人同意" in body


def test_papers_print_button_only_when_a_paper_may_be_opened(
    client, worrying_item, city, shien, supervisor
):
    """QA: the 会議資料 button led to an error message for viewers without any openable paper."""
    item, _p, _o = worrying_item
    papers_url = reverse("meetings:papers_pdf", args=[item.meeting.public_id])
    meeting_url = reverse("meetings:meeting_detail", args=[item.meeting.public_id])
    shell_only = staff(city, Role.COORDINATOR)
    client.force_login(shell_only)
    response = client.get(meeting_url)
    assert response.status_code == 200
    assert papers_url not in response.content.decode()
    member_user = staff(AgencyFactory(), Role.CASEWORKER)
    seat(shien, member_user, supervisor)
    client.force_login(member_user)
    assert papers_url in client.get(meeting_url).content.decode()


def test_unpledged_member_is_not_listed_meetings_they_cannot_open(
    client, worrying_item, shien, supervisor
):
    """QA: the index, calendar and dashboard listed 支援会議 meetings whose page answered 403."""
    from meetings import selectors

    item, _p, _o = worrying_item
    meeting_url = reverse("meetings:meeting_detail", args=[item.meeting.public_id])
    unpledged = staff(AgencyFactory(), Role.CASEWORKER)
    member = seat(shien, unpledged, supervisor, pledged=False)
    client.force_login(unpledged)
    assert item.meeting not in selectors.meetings_for_user(unpledged)
    index = client.get(reverse("meetings:index")).content.decode()
    assert meeting_url not in index
    assert shien.name in index  # told which body waits for the pledge
    assert meeting_url not in client.get(reverse("meetings:calendar")).content.decode()
    pledge(member, supervisor)
    assert item.meeting in selectors.meetings_for_user(fresh(unpledged))
    assert meeting_url in client.get(reverse("meetings:index")).content.decode()


def test_body_page_links_a_meeting_only_for_those_who_may_open_it(
    client, worrying_item, shien, supervisor, stranger
):
    """QA: the body page (a staff directory) linked every 支援会議 meeting, answering 403 to
    staff without a pledged seat."""
    item, _p, _o = worrying_item
    body_url = reverse("meetings:body_detail", args=[shien.public_id])
    meeting_url = reverse("meetings:meeting_detail", args=[item.meeting.public_id])
    for user, linked in ((stranger, False), (supervisor, True)):
        verified(client, user)
        page = client.get(body_url).content.decode()
        assert (meeting_url in page) == linked, user
        assert ("閲覧権限なし" in page) != linked
        assert client.get(meeting_url).status_code == (200 if linked else 403)


def test_pledge_column_only_on_shien_kaigi_bodies(client, supervisor, juso, shien):
    """QA: a 重層的支援会議 body listed every member as 誓約未登録 with a 誓約を登録 button."""
    seat(juso, supervisor, supervisor, pledged=False)
    seat(shien, supervisor, supervisor, pledged=False)
    verified(client, supervisor)
    juso_page = client.get(reverse("meetings:body_detail", args=[juso.public_id])).content
    shien_page = client.get(reverse("meetings:body_detail", args=[shien.public_id])).content
    assert "誓約未登録" not in juso_page.decode() and "誓約を登録" not in juso_page.decode()
    assert "誓約未登録" in shien_page.decode() and "誓約を登録" in shien_page.decode()


def test_admin_lists_the_meetings_it_may_open(client, juso, shien, supervisor):
    """An administrator opens every meeting but a 支援会議's (meeting.view): its meetings index
    and calendar list the same ones, not 「予定されている会議はありません」 beside a body page
    that lists them."""
    admin = staff(AgencyFactory(), Role.ADMIN)
    juso_meeting = schedule(juso, supervisor, days=7)
    shien_meeting = schedule(shien, supervisor, days=7)
    assert check(admin, "meeting.view", juso_meeting)
    assert not check(admin, "meeting.view", shien_meeting)
    verified(client, admin)
    body = client.get(reverse("meetings:index")).content.decode()
    assert str(juso_meeting.public_id) in body
    assert str(shien_meeting.public_id) not in body
    assert (
        client.get(reverse("meetings:meeting_detail", args=[juso_meeting.public_id])).status_code
        == 200
    )
