"""The April transfer in a real browser: the supervisor opens 異動と引継ぎ for a coordinator with
open cases, tries to complete without successors (refused, the page lists what remains), names
one successor for all and one case's own successor, completes; the worker, now at another
agency, gets a 404 on the old case."""

import re

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from agencies.choices import Role
from agencies.models import Membership
from agencies.tests.factories import AgencyFactory, MembershipFactory, staff
from cases.models import CaseTeamMember, SupportCase
from cases.tests.factories import multiagency_agency, open_case
from tests.browser.test_meeting_flow import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_hands_over_and_completes_the_transfer(page, live_server):
    import datetime as dt

    city = multiagency_agency(name="みどり市 福祉相談課(異動)")
    supervisor = staff(city, Role.SUPERVISOR, username="kakari-transfer", display_name="係長 誠")
    worker = staff(city, Role.COORDINATOR, display_name="推進 一郎")
    successor = staff(city, Role.COORDINATOR, display_name="後任 花子")
    colleague = staff(city, Role.CASEWORKER, display_name="同僚 太郎")
    year_ago = timezone.localdate() - dt.timedelta(days=365)
    Membership.objects.filter(agency=city).update(start_date=year_ago)
    case_a = open_case(coordinator=worker, agency=city, summary="父の退院調整")
    case_b = open_case(coordinator=worker, agency=city, summary="子の不登校")
    CaseTeamMember.objects.filter(user=worker).update(joined_on=year_ago)
    membership = Membership.objects.get(user=worker, agency=city)
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)

    sign_in(page, live_server, supervisor, device, next_path="/cases/support/transfer/")
    page.get_by_label("異動する職員と所属").select_option(value=str(membership.pk))
    page.get_by_role("button", name="担当している業務を表示").click()
    items = page.get_by_test_id("transfer-items")
    expect(items).to_contain_text(case_a.number)
    expect(items).to_contain_text("父の退院調整")

    page.get_by_role("button", name="引き継いで異動を完了する").click()
    expect(page.get_by_role("alert")).to_contain_text("引継ぎが済んでいない業務が2件")
    assert Membership.objects.get(pk=membership.pk).end_date is None

    page.get_by_label("後任者(全件をまとめて)").select_option(label=successor.display_name)
    row_b = page.locator(f'tr[data-ref="case:{case_b.public_id}"]')
    row_b.locator("select").select_option(label=colleague.display_name)
    page.get_by_label("引継ぎ事項(全件共通)").fill("4月1日付で異動。")
    page.get_by_role("button", name="引き継いで異動を完了する").click()
    expect(page.get_by_text("異動を登録しました")).to_be_visible()
    assert SupportCase.objects.get(pk=case_a.pk).coordinator == successor
    assert SupportCase.objects.get(pk=case_b.pk).coordinator == colleague

    # The worker, now at another agency, no longer reaches the old case.
    MembershipFactory(user=worker, agency=AgencyFactory(), role=Role.CASEWORKER)
    other = page.context.browser.new_context(locale="ja-JP").new_page()
    other.goto(f"{live_server.url}/accounts/login/")
    other.get_by_label("ログインID").fill(worker.username)
    other.get_by_label("パスワード").fill(PASSWORD)
    other.get_by_role("button", name="ログイン").click()
    other.wait_for_url(re.compile(r".*/$"))
    answer = other.goto(f"{live_server.url}/cases/support/{case_a.public_id}/")
    assert answer.status == 404
