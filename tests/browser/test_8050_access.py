"""Access follows the work, in the browser (issue 9, the 8050 scenario): a 支援会議 (社会福祉法
106条の6) decided a watch policy for an 8050 household with roles for the 包括, the 自立相談支援機関
and the 社協 CSW. Each of them, on its own page, finds its role, opens the case and the persons'
基本情報; an unrelated agency gets the same 404 page as for an id that does not exist; the CSW's
role ends → the CSW gets that page too, without signing in again; the owner agency reads the
person's access record: every disclosure of those steps with its basis."""

import uuid

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from access.services import grants_end, ref, registry_ensure
from access.tests.factories import MEMBERS_8050, shien_kaigi_8050
from agencies.choices import OperatorType, Role
from agencies.templatetags.jp import wareki
from agencies.tests.factories import AgencyFactory, staff
from cases.tests.factories import multiagency_agency
from meetings.choices import DecisionKind

from .helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = "同意前の見守り方針: 月1回の訪問で関係をつくり、母の介護認定と本人の就労相談につなぐ"


def _not_found(page, url) -> str:
    """Open `url`, expect the one 404 page, and return its main text (compared as shown)."""
    response = page.goto(url)
    assert response.status == 404, url
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("ページが見つかりません")
    return main.inner_text()


@pytest.fixture
def new_page(live_server, browser):
    """A page in its own browser context (one signed-in actor each); all closed at the end, also
    when the test fails, before the live server stops."""
    contexts = []

    def _new_page():
        contexts.append(browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo"))
        return contexts[-1].new_page()

    yield _new_page
    for context in contexts:
        context.close()


def test_8050_roles_open_what_they_need_and_end_with_the_role(live_server, new_page):
    registry_ensure()  # a transactional test before this one may have flushed the seed rows
    city = multiagency_agency(operator_type=OperatorType.MUNICIPAL, name="みどり市 福祉相談課")
    supervisor = staff(city, Role.SUPERVISOR, display_name="係長 誠")
    coordinator = staff(city, Role.COORDINATOR)
    w = shien_kaigi_8050(
        supervisor=supervisor,
        coordinator=coordinator,
        city=city,
        kind=DecisionKind.WATCH,
        text=WATCH,
        members=MEMBERS_8050,
    )
    case = w["case"]
    son = case.principal
    (mother,) = case.persons.exclude(pk=son.pk)
    assert 50 <= son.age() < 60 and 80 <= mother.age() < 90  # the 8050 household: 50s and 80s
    houkatsu, jiritsu, shakyo = w["agencies"]
    roles = w["roles"]
    url = live_server.url
    case_url = f"{url}/cases/support/{case.public_id}/"
    person_urls = {p: f"{url}/cases/persons/{p.public_id}/" for p in (son, mother)}

    # 1. Each agency with a role: its role in the list → the case → both persons' 基本情報.
    pages = {}
    for agency in w["agencies"]:
        role = roles[agency.pk]
        page = pages[agency] = new_page()
        sign_in(page, live_server, w["workers"][agency], next_path="/meetings/roles/")
        row = page.get_by_test_id("role-row").filter(has_text=role.task)
        expect(row).to_have_count(1)
        expect(row.locator(f'time[datetime="{role.due_on.isoformat()}"]')).to_have_count(1)
        expect(row).to_contain_text("支援会議(北部)")
        row.get_by_test_id("role-case").click()

        expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
        expect(page.locator("p.basis")).to_contain_text("支援会議")
        route = page.get_by_test_id("meeting-route")
        expect(route.get_by_test_id("watch-policy")).to_contain_text(WATCH)
        expect(route.get_by_role("listitem").filter(has_text=role.task)).to_contain_text(
            agency.name
        )
        household = page.locator("section.household")
        for person in (son, mother):
            expect(household).to_contain_text(person.full_name)
        expect(household).not_to_contain_text("(閲覧できません)")

        for person, person_url in person_urls.items():
            assert page.goto(person_url).status == 200
            expect(page.get_by_role("heading", level=1)).to_contain_text(person.full_name)
            expect(page.get_by_test_id("basis")).to_contain_text("支援会議")
            basic = page.get_by_test_id("section-basic")
            expect(basic.get_by_role("heading", name="基本情報")).to_be_visible()
            expect(basic).to_contain_text(f"{person.age()}歳")
            # A grantee does not learn who else sees the person.
            expect(page.get_by_test_id("access-record")).to_have_count(0)

    # 2. An unrelated agency: the case and the persons answer like ids that do not exist.
    outsider = new_page()
    stranger = staff(AgencyFactory(name="南部地域包括支援センター"), Role.CASEWORKER)
    sign_in(outsider, live_server, stranger)
    missing_case = _not_found(outsider, f"{url}/cases/support/{uuid.uuid4()}/")
    missing_person = _not_found(outsider, f"{url}/cases/persons/{uuid.uuid4()}/")
    assert _not_found(outsider, case_url) == missing_case
    for person_url in person_urls.values():
        assert _not_found(outsider, person_url) == missing_person
    assert case.number not in missing_case and son.family_name not in missing_person

    # 3. The CSW's role ends (cancelled by the meeting's convenor): access ends at once, in the
    # session the CSW already has open; the other roles keep theirs.
    ended = grants_end(source_ref=ref(roles[shakyo.pk]), actor=supervisor, reason="役割の終了")
    assert ended == 3  # the case and both persons
    csw = pages[shakyo]
    assert _not_found(csw, case_url) == missing_case
    for person_url in person_urls.values():
        assert _not_found(csw, person_url) == missing_person
    assert pages[jiritsu].goto(case_url).status == 200
    assert pages[houkatsu].goto(person_urls[mother]).status == 200

    # 4. The owner agency (the 多機関協働 body that registered them; its supervisor signs in
    # with the second factor) reads each person's access record: who sees them now, and every
    # disclosure of the steps above with its basis.
    owner = new_page()
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    sign_in(
        owner, live_server, supervisor, device=device, next_path=f"/cases/persons/{son.public_id}/"
    )
    for person in (son, mother):
        owner.goto(person_urls[person])
        owner.get_by_test_id("access-record").click()
        expect(owner.get_by_role("heading", level=1)).to_have_text(
            "この人の情報を見られる機関と根拠"
        )
        expect(owner.locator("main")).to_contain_text(person.full_name)

        grants = owner.get_by_test_id("grants").locator("tbody tr")
        for agency in (houkatsu, jiritsu):
            expect(grants.filter(has_text=agency.name)).to_have_count(2)  # the case and the person
        expect(grants.filter(has_text=shakyo.name)).to_have_count(0)  # the role has ended

        ledger = owner.get_by_test_id("ledger").locator("tbody tr")
        expect(ledger).to_have_count(3)
        for agency in w["agencies"]:
            row = ledger.filter(has_text=agency.name)
            expect(row).to_have_count(1)
            expect(row).to_contain_text("アクセス権の付与")
            expect(row).to_contain_text("支援会議")
            expect(row).to_contain_text("第106条の6")
            expect(row).to_contain_text("基本情報")
        # The CSW's row names the CSW personally (a named owner) and ends today.
        csw_row = ledger.filter(has_text=shakyo.name)
        expect(csw_row).to_contain_text(w["workers"][shakyo].display_name)
        expect(csw_row.locator("td").last).to_have_text(wareki(timezone.localdate()))
        expect(ledger.filter(has_text=jiritsu.name).locator("td").last).not_to_have_text(
            wareki(timezone.localdate())
        )
