"""The 多機関協働 case in a real browser, from an accepted つなぐシート to closure.

The coordinator of the 多機関協働 body takes the case through assessment, a plan with items for
three agencies, submits it; the 重層的支援会議 approves it (decisions exist only as meeting
records: the case pages offer no shortcut, the meeting's decision moves the case), monitoring,
the evaluation, closure decided by the meeting with a lead agency, and the plan PDF."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies import jpdates
from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from cases.models import CaseTransition, Evaluation, Monitoring, Plan, SupportCase
from cases.services.intake import referral_accept
from cases.tests.factories import IntakeWorld

PASSWORD = "Correct-Horse-42"  # UserFactory's password


def _meeting_decides(case, source: str, kind: str, **decision):
    """Yesterday's 重層的支援会議 of the coordinating agency decides on `source` (the queue key)."""
    from meetings import services as ms
    from meetings.choices import BodyKind
    from meetings.tests.conftest import hold, make_body, schedule, seat

    chair = staff(case.coordinating_agency, Role.SUPERVISOR)
    body = make_body(chair, case.coordinating_agency, BodyKind.JUSO_KAIGI, f"重層的支援会議 {kind}")
    seat(body, chair, chair)
    meeting = schedule(body, chair, days=-1)
    item = ms.agenda_item_add(meeting=meeting, actor=chair, source=source)
    hold(meeting, chair)
    ms.item_record_decision(item=item, actor=chair, kind=kind, **decision)
    return meeting.date


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_takes_case_from_acceptance_to_closure(browser, live_server, tmp_path):
    w = IntakeWorld()
    referral = w.opened()
    case = referral_accept(
        actor=w.coordinator, referral=referral, note="アセスメントを開始します。"
    )
    partner_a = AgencyFactory(name="くらし・しごと相談センター(テスト)")
    partner_b = AgencyFactory(name="社会福祉協議会(テスト)")
    w.consent.agencies.add(partner_a, partner_b)
    today = timezone.localdate()

    context = browser.new_context(locale="ja-JP", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(w.coordinator.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(r".*/$"))

    # The case list shows the accepted referral's case.
    page.goto(f"{live_server.url}/cases/support/")
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("受付")
    expect(page.get_by_test_id("timeline")).to_contain_text(referral.number)

    # 1. Assessment.
    page.get_by_role("button", name="アセスメントシートを作成").click()
    form = page.get_by_test_id("assessment-form")
    form.get_by_label("主訴・相談内容").fill("母の介護と長男のひきこもり")
    form.get_by_label("本人・世帯の希望").fill("母と一緒に家で暮らしたい")
    form.get_by_label("アセスメント(見立て)").fill("介護と就労の課題が重なり、役割分担の整理が必要")
    form.locator("select[name=issues-0-category]").select_option(label="ひきこもり")
    form.locator("select[name=issues-1-category]").select_option(label="介護")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("アセスメントシートを保存しました。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("アセスメント")

    # 2. A plan with items for three agencies.
    page.get_by_role("link", name="概要・経過").click()
    page.get_by_role("button", name="プランを作成").click()
    plan_form = page.get_by_test_id("plan-form")
    plan_form.get_by_label("総合的な目標").fill("母子が安心して在宅生活を続けられる")
    plan_form.get_by_label("支援期間(開始)").fill(today.isoformat())
    plan_form.get_by_label("支援期間(終了)").fill((today + dt.timedelta(days=180)).isoformat())
    plan_form.get_by_label("次回モニタリング予定日").fill(
        (today + dt.timedelta(days=30)).isoformat()
    )
    items = page.get_by_test_id("plan-item")
    for n, (agency, goal) in enumerate(
        [
            (w.receiver, "役割分担を整理する"),
            (partner_a, "家計を立て直す"),
            (partner_b, "長男が外とつながる"),
        ]
    ):
        item = items.nth(n)
        item.get_by_label("課題", exact=True).fill(f"課題{n + 1}")
        item.get_by_label("目標", exact=True).fill(goal)
        item.get_by_label("支援内容", exact=True).fill(f"支援内容{n + 1}")
        owner = item.get_by_role("combobox", name="担当機関")  # the agency picker
        owner.fill(agency.name)
        options = page.locator("#" + owner.get_attribute("aria-controls")).get_by_role("option")
        expect(options).to_have_count(1)
        owner.press("ArrowDown")
        owner.press("Enter")
        expect(owner).to_have_value(agency.name)
        item.get_by_label("頻度").fill("月1回")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("プランシートを保存しました。")).to_be_visible()
    expect(page.get_by_test_id("plan-items")).to_contain_text(partner_b.name)

    # 3. Submitted to the meeting; its approval recorded with the meeting's date.
    page.get_by_role("button", name="会議に提出する").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("会議提出済み")
    expect(page.get_by_test_id("decided-by-meeting")).to_be_visible()
    expect(page.get_by_role("link", name="会議での承認を記録")).to_have_count(0)
    plan = Plan.objects.get(case=case)
    meeting_day = _meeting_decides(case, f"plan:{plan.public_id}", "plan_approved")
    page.goto(f"{live_server.url}/cases/support/{case.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("支援実施")

    # The plan PDF downloads.
    plan = Plan.objects.get(case=case)
    page.goto(f"{live_server.url}/cases/support/{case.public_id}/plans/{plan.number}/")
    with page.expect_download() as download_info:
        page.get_by_test_id("plan-pdf").click()
    download = download_info.value
    assert case.number in download.suggested_filename
    target = tmp_path / "plan.pdf"
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")

    # 4. Monitoring of one item.
    page.get_by_role("link", name="モニタリング").click()
    monitoring = page.get_by_test_id("monitoring-form")
    monitoring.get_by_label("プランの項目").select_option(index=1)
    monitoring.get_by_label("進捗").select_option(label="順調")
    monitoring.get_by_label("状況").fill("家計相談に2回来所")
    monitoring.get_by_label("次回予定日").fill((today + dt.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_text("モニタリングを記録しました。")).to_be_visible()
    expect(page.get_by_test_id("next-monitoring")).to_have_text(
        jpdates.format_date(today + dt.timedelta(days=20))
    )

    # 5. The evaluation, handed to the meeting.
    page.get_by_role("link", name="概要・経過").click()
    page.get_by_role("button", name="評価シートを作成").click()
    evaluation = page.get_by_test_id("evaluation-form")
    rows = page.get_by_test_id("evaluation-item")
    for n in range(3):
        rows.nth(n).locator("select").select_option(label="達成")
    evaluation.get_by_label("総合評価").fill("課題が整理され、役割分担に合意できた")
    evaluation.get_by_label("提案する方針").select_option(label="終結")
    lead = evaluation.get_by_role("combobox", name="終結後の主担当(案)")  # the agency picker
    lead.fill(w.sender.name)
    options = page.locator("#" + lead.get_attribute("aria-controls")).get_by_role("option")
    expect(options.first).to_be_visible()
    expect(options.filter(has_text=w.sender.name).first).to_be_visible()
    options.filter(has_text=w.sender.name).first.click()
    expect(lead).to_have_value(w.sender.name)
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("評価シートを保存しました。")).to_be_visible()
    page.get_by_role("button", name="会議に提出する").click()
    expect(page.get_by_test_id("evaluation-status")).to_have_text("会議提出済み")

    # 6. Closure with the lead agency for afterwards.
    expect(page.get_by_test_id("decided-by-meeting")).to_be_visible()
    ev = Evaluation.objects.get(case=case)
    _meeting_decides(
        case,
        f"evaluation:{ev.public_id}",
        "closure_approved",
        lead_agency=w.sender,
        closure_reason="roles_agreed",
    )
    page.goto(f"{live_server.url}/cases/support/{case.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("終結")
    context.close()

    case = SupportCase.objects.get(pk=case.pk)
    assert case.status == SupportCase.Status.CLOSED and case.lead_agency == w.sender
    assert Monitoring.objects.filter(item__plan__case=case).count() == 1
    assert Evaluation.objects.get(case=case).decision == "close"
    assert len({i.agency_id for i in Plan.objects.get(case=case).items.all()}) == 3
    approval = CaseTransition.objects.get(case=case, to_status="supporting")
    assert approval.decided_on == meeting_day and approval.via == "meeting"
    assert list(case.transitions.values_list("to_status", flat=True)) == [
        "assessment",
        "planning",
        "in_meeting",
        "supporting",
        "evaluation",
        "closed",
    ]
