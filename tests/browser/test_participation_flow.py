"""参加支援's main flow in the browser: the worker writes the person's assessment, sees the ranked
resources with the reasons for and against, proposes the farm, moves the placement to 体験 and
records the first follow-up with the person."""

import pytest
from playwright.sync_api import expect

from community.tests.factories import ResourceFactory
from participation.models import FollowUp, ParticipationAssessment, Placement, ResourceProfile

PASSWORD = "Correct-Horse-42"  # UserFactory's password


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_assessment_matching_placement_and_follow_up(browser, live_server):
    from access.services import registry_ensure

    registry_ensure()  # a transactional test before this one may have flushed the seed rows
    from participation.tests.factories import participation_world

    w = participation_world()
    farm = ResourceFactory(
        name="農福連携ファーム みのり",
        kind="agri_welfare",
        interest_tags=["農作業"],
        host_experience=["withdrawal"],
        capacity=6,
        is_place=False,
    )
    ResourceProfile.objects.create(resource=farm, activities=["farming"], small_group=True)
    ResourceFactory(name="駅前コミュニティカフェ", kind="cafe", interest_tags=["接客"], capacity=4)

    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(w.worker.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    # 1. The assessment sheet.
    page.goto(f"{live_server.url}/participation/cases/{w.case.public_id}/")
    page.get_by_role("button", name="アセスメントを作成(新しい版)").click()
    expect(page.get_by_role("heading", name="参加支援アセスメント 第1版の編集")).to_be_visible()
    page.get_by_role("checkbox", name="農作業").check()
    page.get_by_role("checkbox", name="長期のひきこもり・外出の少ない期間がある").check()
    page.get_by_label("本人の希望").fill("人の少ないところで体を動かしたい")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("参加支援アセスメントを保存しました。")).to_be_visible()
    sheet = ParticipationAssessment.objects.get(case=w.case)
    assert sheet.interests == ["farming"] and sheet.withdrawal

    # 2. Matching with reasons: the farm first, with why it fits.
    page.goto(f"{live_server.url}/participation/cases/{w.case.public_id}/")
    page.get_by_role("link", name="資源とのマッチング").click()
    results = page.get_by_test_id("match-results")
    first = results.locator("li.match").first
    expect(first).to_contain_text("農福連携ファーム みのり")
    expect(first.locator(".reasons-for")).to_contain_text("農作業")
    expect(results.locator("li.match", has_text="駅前コミュニティカフェ")).to_be_visible()

    # 3. Propose the farm (nothing is decided by the system: the worker presses the button).
    first.get_by_label("そこで行うこと").fill("野菜の収穫")
    first.get_by_role("button", name="この参加先を提案する").click()
    expect(page.get_by_text("提案したときの理由")).to_be_visible()
    placement = Placement.objects.get(person=w.person)
    assert placement.resource_id == farm.pk and placement.status == "proposed"
    assert placement.match_reasons["reasons_for"]  # the reasons seen are kept with it

    # 4. On to 体験.
    move = page.get_by_test_id("move-form")
    move.get_by_label("次の状態").select_option(label="体験")
    move.get_by_role("button", name="状態を進める").click()
    expect(page.get_by_test_id("move-form").get_by_label("次の状態")).to_be_visible()
    placement.refresh_from_db()
    assert placement.status == "trial"

    # 5. The first follow-up with the person.
    follow = page.get_by_test_id("follow-up-form")
    follow.get_by_label("相手").select_option(label="本人")
    follow.get_by_label("方法・内容").select_option(label="訪問")
    follow.get_by_role("textbox", name="内容").fill("初日の様子を聞いた。疲れたが楽しかった")
    follow.get_by_role("button", name="記録する").click()
    expect(page.get_by_text("初日の様子を聞いた。疲れたが楽しかった")).to_be_visible()
    f = FollowUp.objects.get(placement=placement)
    assert (f.target, f.kind, f.staff_id) == ("person", "visit", w.worker.pk)
    context.close()
