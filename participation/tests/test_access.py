"""Access to participation records follows the case's rules and grants: the case team (owner),
an agency given a grant on the case (grantee: a role from a 重層的支援会議, with consent), an
outsider and an admin — on the policy, the HTML pages, the API lists and the report's drill-down.
A role from a 支援会議 (no consent) opens the case's basic data only, not participation sheets."""

import pytest
from django.urls import reverse
from django.utils import timezone

from access import bases
from access.services import grant_give, grants_end
from agencies.choices import Role
from agencies.jpdates import fiscal_year
from agencies.policy import can
from agencies.tests.factories import AgencyFactory, staff
from cases.tests.factories import login_verified
from community.tests.factories import ResourceFactory
from participation import services as svc
from participation import services_placements as ps
from reports import figures
from reports.drilldown import drilldown

from .factories import participation_world

pytestmark = pytest.mark.django_db
GRANT_REF = "meetings.meetingmember:test"


@pytest.fixture
def w():
    w = participation_world()
    w.partner = AgencyFactory(name="障がい者相談支援センター")
    w.grantee = staff(w.partner, Role.CASEWORKER)
    grant_give(
        agency=w.partner,
        case=w.case,
        persons=[w.person],
        basis=bases.JUSO_KAIGI,
        source="role",
        source_ref=GRANT_REF,
    )
    sheet = svc.assessment_create(case=w.case, person=w.person, actor=w.worker)
    w.sheet = svc.assessment_update(
        assessment=sheet, actor=w.worker, lock_version=1, data={"interests": ["farming"]}
    )
    w.resource = ResourceFactory(name="農園", kind="agri_welfare", interest_tags=["農作業"])
    placement = ps.placement_propose(assessment=w.sheet, resource=w.resource, actor=w.worker)
    w.placement = ps.placement_move(placement=placement, actor=w.worker, to="trial")
    w.placement = ps.placement_move(placement=w.placement, actor=w.worker, to="active")
    return w


def test_policy_owner_colleague_grantee_outsider_admin(w):
    for user in (w.worker, w.sanka_colleague, w.coordinator, w.grantee):
        assert can(user, "placement.view", w.placement), user
        assert can(user, "participation_assessment.view", w.sheet), user
        assert can(user, "participation.match", w.sheet), user
    for user in (w.outsider, w.admin):
        assert not can(user, "placement.view", w.placement)
        assert not can(user, "participation_assessment.view", w.sheet)
        assert not can(user, "participation.match", w.sheet)
    # the grant opens the records, not the right to write on the case
    assert can(w.worker, "placement.log", w.placement)
    assert not can(w.grantee, "placement.log", w.placement)
    assert not can(w.grantee, "placement.transition", w.placement)


@pytest.mark.parametrize(
    "name,attr",
    [
        ("participation:placement", "placement"),
        ("participation:assessment_detail", "sheet"),
        ("participation:match", "sheet"),
    ],
)
def test_pages_open_to_owner_and_grantee_not_to_outsider_or_admin(client, w, name, attr):
    url = reverse(name, args=[getattr(w, attr).public_id])
    for user in (w.worker, w.grantee):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    client.force_login(w.outsider)
    assert client.get(url).status_code == 404
    login_verified(client, w.admin)
    assert client.get(url).status_code == 404


def test_grantee_cannot_move_or_log_through_the_page(client, w):
    client.force_login(w.grantee)
    base = reverse("participation:placement", args=[w.placement.public_id])
    today = timezone.localdate().isoformat()
    r = client.post(base + "follow-up/", {"target": "person", "kind": "visit", "on": today})
    assert r.status_code in (403, 404)
    assert not w.placement.follow_ups.exists()


def test_api_list_and_read_for_owner_and_grantee_only(client, w):
    url = f"/api/v1/participation/placements/?case={w.case.public_id}"
    one = f"/api/v1/participation/placements/{w.placement.public_id}/"
    for user in (w.worker, w.grantee):
        client.force_login(user)
        r = client.get(url)
        assert r.status_code == 200
        body = r.json()
        rows = body["results"] if isinstance(body, dict) else body
        assert [row["public_id"] for row in rows] == [str(w.placement.public_id)], user
        assert client.get(one).status_code == 200
    client.force_login(w.outsider)
    assert client.get(url).status_code == 404
    assert client.get(one).status_code == 404


def test_ended_grant_ends_access(client, w):
    grants_end(source_ref=GRANT_REF)
    fresh = type(w.placement).objects.get(pk=w.placement.pk)  # access is cached per instance
    assert not can(w.grantee, "placement.view", fresh)
    client.force_login(w.grantee)
    url = reverse("participation:placement", args=[w.placement.public_id])
    assert client.get(url).status_code == 404


def test_report_drilldown_of_placements_follows_case_access(w):
    today = timezone.localdate()
    period = figures.Period.of(fiscal_year(today), today)
    figure = figures.get("participation.placements")
    assert figure.value(period) == 1
    assert drilldown(figure, period, w.worker).visible == 1
    assert drilldown(figure, period, w.grantee).visible == 1
    assert drilldown(figure, period, w.outsider).visible == 0
    admin = drilldown(figure, period, w.admin)
    assert admin.counts_only and admin.total == 1 and admin.rows == []


def test_caseload_lists_the_case_for_owner_and_grantee_only(client, w):
    url = reverse("participation:index")
    for user in (w.worker, w.grantee):
        client.force_login(user)
        assert w.case.number in client.get(url).content.decode(), user
    client.force_login(w.outsider)
    assert w.case.number not in client.get(url).content.decode()


def test_a_shien_kaigi_role_does_not_open_participation_sheets(client, w):
    """社会福祉法106条の6: a 支援会議 shares 基本・世帯 only (access registry sections)."""
    partner = AgencyFactory(name="社協 CSW")
    csw = staff(partner, Role.CASEWORKER)
    grant_give(
        agency=partner,
        case=w.case,
        persons=[w.person],
        basis=bases.SHIEN_KAIGI,
        source="role",
        source_ref="meetings.meetingmember:shien",
    )
    assert not can(csw, "placement.view", w.placement)
    login_verified(client, csw)
    assert (
        client.get(reverse("participation:placement", args=[w.placement.public_id])).status_code
        == 404
    )


def test_the_case_decision_reads_grants_and_team_in_one_statement(w, django_assert_num_queries):
    """cases.policy.support.CaseAccess: the user's grants on the case and the team rows at the
    user's agencies come in one statement, and decide as before — the team writes, a grantee
    from a 重層的支援会議 reads without writing, an outsider sees nothing."""
    from cases.models import SupportCase
    from cases.policy.support import case_access

    for user, view, edit in (
        (w.worker, True, True),
        (w.grantee, True, False),
        (w.outsider, False, False),
    ):
        user.current_memberships()  # the request has read them already
        case = SupportCase.objects.get(pk=w.case.pk)
        with django_assert_num_queries(1):
            access = case_access(user, case)
        assert (access.can_view, access.can_edit) == (view, edit), user
    assert case_access(w.grantee, SupportCase.objects.get(pk=w.case.pk)).sections >= {"basic"}


def test_placement_page_reads_the_decisions_with_the_placement(client, w):
    """The case decision and the person's grants come in the placement's own statement
    (cases.policy: with_case_access, with_person_access): the page reads no grant or team row
    apart, and shows the same as before — the owner and the grantee see the placement and the
    person's name, the outsider gets a 404."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("participation:placement", args=[w.placement.public_id])
    for user, status in ((w.worker, 200), (w.grantee, 200), (w.outsider, 404)):
        login_verified(client, user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == status, user
        reads = [
            q["sql"]
            for q in ctx.captured_queries
            if '"access_accessgrant"' in q["sql"] or '"cases_caseteammember"' in q["sql"]
        ]
        assert reads and all(sql.startswith('SELECT "participation_placement"') for sql in reads)
        if status == 200:
            assert response.context["person_name"] == w.person.full_name
            assert w.person.full_name in response.content.decode()


def test_decisions_from_rows_read_with_a_placement_equal_those_read_apart(w):
    """Owner, grantee from a 重層的支援会議, outsider and admin: the case access and the person
    decision made from the rows read with the placement equal those read on their own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agencies.policy import decisions_cached
    from cases.models import SupportCase
    from cases.policy.persons import person_access, prime_person_access, with_person_access
    from cases.policy.support import case_access, prime_case_access, with_case_access
    from participation.models import Placement

    def seen(access):
        return (
            access.can_view,
            access.can_view_sheets,
            access.can_edit,
            access.basis,
            access.sections,
            access.is_manager,
            access.is_decider,
        )

    for user in (w.worker, w.grantee, w.outsider, w.admin):
        with decisions_cached():
            apart_case = seen(case_access(user, SupportCase.objects.get(pk=w.case.pk)))
            apart_person = person_access(user, w.person)
        with decisions_cached():
            qs = with_person_access(with_case_access(Placement.objects.all(), user), user)
            p = qs.select_related("case", "person").get(pk=w.placement.pk)
            prime_case_access(user, p.case, p)
            prime_person_access(user, p.person, p)
            with CaptureQueriesContext(connection) as ctx:
                primed_case = seen(case_access(user, p.case))
                primed_person = person_access(user, p.person)
        assert primed_case == apart_case, user
        assert primed_person == apart_person, user
        if user in (w.worker, w.grantee):
            assert not ctx.captured_queries, user
    assert person_access(w.grantee, w.person).allowed
