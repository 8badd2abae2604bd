"""Inbox, open/read, preferences, rule thresholds, overdue view, API and dashboard panels:
owner / other user / admin / supervisor, with query guards on the list pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from notifications.models import Level, Notification, NotificationPreference, Reminder, RuleSetting

from .conftest import verified_login

pytestmark = pytest.mark.django_db


def note(
    user,
    *,
    title="ケース R8-0001 のモニタリング予定日を過ぎています",
    level=Level.NORMAL,
    url="/",
    **kw,
):
    return Notification.objects.create(
        recipient=user, rule="monitoring_due", title=title, level=level, url=url, **kw
    )


# --- inbox ------------------------------------------------------------------------------------


def test_inbox_lists_only_my_notifications(
    client, caseworker, colleague, django_assert_max_num_queries
):
    for i in range(30):
        note(caseworker, title=f"ケース R8-{i:04d} の通知")
    note(colleague, title="同僚の通知 R8-9999")
    client.force_login(caseworker)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("notifications:inbox"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "R8-0029" in body and "R8-9999" not in body
    assert 'data-testid="unread-count">30<' in body


def test_unread_inbox_counts_its_list_once(client, caseworker):
    """The header's unread count is the unread list's count: one COUNT for both, and the pager
    still says how many there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(31):
        note(caseworker, title=f"ケース R8-{i:04d} の通知")
    note(caseworker, title="既読", read_at=timezone.now())
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("notifications:inbox"))
    counts = [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert response.context["page_obj"].paginator.count == 31
    assert response.context["page_obj"].paginator.num_pages == 2
    assert 'data-testid="unread-count">31<' in response.content.decode()


def test_marking_all_read_forgets_the_requests_count(caseworker):
    from notifications import services
    from notifications.selectors import unread_notification_count

    note(caseworker)
    assert unread_notification_count(caseworker) == 1
    services.notification_mark_all_read(actor=caseworker)
    assert unread_notification_count(caseworker) == 0


def test_header_unread_count_is_one_query(rf, caseworker, django_assert_num_queries):
    from notifications.selectors import unread_notification_count

    note(caseworker)
    note(caseworker, read_at=timezone.now())
    note(caseworker, resolved_at=timezone.now())
    with django_assert_num_queries(1):
        assert unread_notification_count(caseworker) == 1


def test_a_page_reads_the_user_with_its_unread_count(client, caseworker):
    """The header's count comes with the user of the request (agencies.auth_backend): no
    statement of its own, and the same figure."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    note(caseworker)
    note(caseworker)
    note(caseworker, read_at=timezone.now())
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:case_list"))
    assert 'data-testid="unread-count">2<' in response.content.decode()
    reads = [q["sql"] for q in ctx.captured_queries if "notifications_notification" in q["sql"]]
    assert len(reads) == 1 and 'FROM "agencies_user"' in reads[0]


def test_a_session_of_a_deactivated_user_opens_nothing(client, caseworker):
    client.force_login(caseworker)
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    response = client.get(reverse("cases:case_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_inbox_requires_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_open_marks_read_and_redirects_to_the_target(client, caseworker):
    n = note(caseworker, url="/cases/")
    client.force_login(caseworker)
    response = client.get(reverse("notifications:open", args=[n.public_id]))
    assert response.status_code == 302 and response["Location"] == "/cases/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert AuditEvent.objects.filter(action="notification.update", actor=caseworker).exists()


def test_open_refuses_external_redirects(client, caseworker):
    n = note(caseworker, url="https://evil.example/")
    client.force_login(caseworker)
    response = client.get(reverse("notifications:open", args=[n.public_id]))
    assert response["Location"] == reverse("notifications:inbox")


def test_other_user_cannot_open_or_mark_my_notification(client, caseworker, colleague, outsider):
    n = note(caseworker)
    for user in (colleague, outsider):
        client.force_login(user)
        assert client.get(reverse("notifications:open", args=[n.public_id])).status_code == 403
        assert (
            client.post(reverse("notifications:mark_read", args=[n.public_id])).status_code == 403
        )
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_read_with_htmx_returns_the_row(client, caseworker):
    n = note(caseworker)
    client.force_login(caseworker)
    response = client.post(
        reverse("notifications:mark_read", args=[n.public_id]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert (
        f'id="n-{n.public_id}"' in response.content.decode() and "既読" in response.content.decode()
    )
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_read_needs_post(client, caseworker):
    n = note(caseworker)
    client.force_login(caseworker)
    assert client.get(reverse("notifications:mark_read", args=[n.public_id])).status_code == 405


def test_mark_all_read_touches_only_mine(client, caseworker, colleague):
    note(caseworker)
    note(caseworker)
    theirs = note(colleague)
    client.force_login(caseworker)
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "2件の通知を既読にしました" in response.content.decode()
    assert Notification.objects.filter(recipient=caseworker, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_button_only_with_unread_and_grouped_with_settings(client, caseworker):
    """QA: the button floated mid-row and was offered with nothing left to read."""
    client.force_login(caseworker)
    mark_all = reverse("notifications:mark_all_read")
    assert mark_all not in client.get(reverse("notifications:inbox")).content.decode()
    note(caseworker)
    body = client.get(reverse("notifications:inbox")).content.decode()
    actions = body.split('<div class="toolbar__actions">', 1)[1]
    assert actions.index(mark_all) < actions.index(reverse("notifications:preferences"))


def test_inbox_filters(client, caseworker):
    note(caseworker, title="至急の件 R8-0001", level=Level.URGENT)
    note(caseworker, title="通常の件 R8-0002")
    note(caseworker, title="既読の件 R8-0003", read_at=timezone.now())
    client.force_login(caseworker)
    urgent = client.get(reverse("notifications:inbox") + "?show=urgent").content.decode()
    assert "至急の件" in urgent and "通常の件" not in urgent
    unread = client.get(reverse("notifications:inbox")).content.decode()
    assert "既読の件" not in unread
    everything = client.get(reverse("notifications:inbox") + "?show=all").content.decode()
    assert "既読の件" in everything


# --- preferences ------------------------------------------------------------------------------


def test_preferences_default_then_saved_for_me_only(client, caseworker, colleague):
    client.force_login(caseworker)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200 and "まとめメール" in page.content.decode()
    response = client.post(
        reverse("notifications:preferences"), {"digest_hour": "18", "urgent_email": "on"}
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=caseworker)
    assert (pref.digest_enabled, pref.urgent_email, pref.digest_hour) == (False, True, 18)
    assert not NotificationPreference.objects.filter(user=colleague).exists()
    assert AuditEvent.objects.filter(
        action="notification_preference.update", actor=caseworker
    ).exists()


def test_preferences_reject_an_invalid_hour_in_japanese(client, caseworker):
    client.force_login(caseworker)
    response = client.post(reverse("notifications:preferences"), {"digest_hour": "25"})
    assert response.status_code == 200
    assert "正しく選択してください" in response.content.decode()


def test_preference_service_refuses_another_users_preferences(caseworker, colleague):
    from agencies.policy import PolicyDenied
    from notifications.services import preference_update

    with pytest.raises(PolicyDenied):
        preference_update(
            actor=colleague,
            user=caseworker,
            digest_enabled=False,
            urgent_email=False,
            digest_hour=7,
        )


# --- rule settings (admins) -------------------------------------------------------------------


def test_rule_settings_page_is_for_admins_only(client, caseworker, admin_user):
    supervisor = staff(role=Role.SUPERVISOR)
    for user in (caseworker, supervisor):
        verified_login(client, user)
        assert client.get(reverse("notifications:rule_settings")).status_code == 403
        assert (
            client.post(
                reverse("notifications:rule_setting_edit", args=["referral_unopened"]),
                {"enabled": "on", "threshold_days": "9", "escalation_days": "2"},
            ).status_code
            == 403
        )
    assert not RuleSetting.objects.exists()
    verified_login(client, admin_user)
    page = client.get(reverse("notifications:rule_settings")).content.decode()
    assert "つなぐシートの未確認" in page and "3営業日" in page


def test_admin_changes_a_threshold(client, admin_user):
    verified_login(client, admin_user)
    url = reverse("notifications:rule_setting_edit", args=["monitoring_due"])
    assert "予定日の何日前に知らせるか" in client.get(url).content.decode()
    response = client.post(url, {"enabled": "on", "threshold_days": "10", "escalation_days": "5"})
    assert response.status_code == 302
    row = RuleSetting.objects.get(code="monitoring_due")
    assert (row.enabled, row.threshold_days, row.escalation_days, row.updated_by) == (
        True,
        10,
        5,
        admin_user,
    )
    assert AuditEvent.objects.filter(action="rule_setting.update").exists()


def test_rule_setting_errors_are_shown_next_to_the_field(client, admin_user):
    verified_login(client, admin_user)
    url = reverse("notifications:rule_setting_edit", args=["monitoring_due"])
    response = client.post(url, {"enabled": "on", "threshold_days": "10", "escalation_days": "0"})
    assert response.status_code == 200
    assert "1 以上" in response.content.decode() or "以上" in response.content.decode()


def test_unknown_rule_is_404(client, admin_user):
    verified_login(client, admin_user)
    assert client.get(reverse("notifications:rule_setting_edit", args=["nope"])).status_code == 404


# --- supervisor overview ----------------------------------------------------------------------


def _overdue(agency, user, *, rule="monitoring_due", ref="cases.planitem:1", days=5, step=0):
    return Reminder.objects.create(
        rule=rule,
        object_ref=ref,
        due_date=timezone.localdate() - dt.timedelta(days=days),
        step=step,
        recipient=user,
        agency=agency,
        subject="R8-0042",
        url="/cases/",
    )


def test_supervisor_sees_overdue_items_of_own_agencies_with_drill_down(
    client, agency, other_agency, caseworker, outsider, django_assert_max_num_queries
):
    supervisor = staff(agency, Role.SUPERVISOR)
    for i in range(10):
        _overdue(agency, caseworker, ref=f"cases.planitem:{i}")
        _overdue(agency, supervisor, ref=f"cases.planitem:{i}", step=1)  # same item, escalated
    _overdue(other_agency, outsider, ref="cases.planitem:999")
    _overdue(agency, caseworker, ref="cases.planitem:500", days=-3)  # not yet due
    verified_login(client, supervisor)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("notifications:overdue")).content.decode()
    assert "モニタリング予定日" in page and agency.name in page and other_agency.name not in page
    assert '<span class="badge badge--warn">10</span>' in page
    drill = client.get(
        reverse("notifications:overdue") + f"?rule=monitoring_due&agency={agency.pk}"
    ).content.decode()
    assert drill.count("R8-0042") == 10 and "第1段階" in drill
    assert (
        client.get(reverse("notifications:overdue") + f"?agency={other_agency.pk}").status_code
        == 404
    )


def test_caseworker_cannot_see_the_overdue_overview(client, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("notifications:overdue")).status_code == 403


def test_dashboard_panels(agency, caseworker):
    # The providers themselves: the dashboard page also renders other apps' panels.
    from notifications.panels import overdue_overview, urgent_reminders

    supervisor = staff(agency, Role.SUPERVISOR)
    note(
        caseworker,
        title="至急: ケース R8-0007 の同意期限切れ",
        level=Level.URGENT,
        due_date=timezone.localdate(),
    )
    note(caseworker, title="通常の通知")
    _overdue(agency, caseworker)
    mine = urgent_reminders(caseworker)
    assert mine.count == 1 and [i.label for i in mine.items] == [
        "至急: ケース R8-0007 の同意期限切れ"
    ]
    assert mine.items[0].url.endswith("/open/")
    assert urgent_reminders(supervisor).items == []
    assert overdue_overview(caseworker) is None
    overview = overdue_overview(supervisor)
    assert overview.count == 1 and overview.items[0].label == "モニタリング予定日"
    assert overview.items[0].url == reverse("notifications:overdue") + "?rule=monitoring_due"


def test_rule_names_follow_the_readers_language(client, agency, caseworker):
    """Rule labels are registered at import: they must be translated when shown, not then."""
    from django.utils import translation

    from notifications.panels import overdue_overview

    supervisor = staff(agency, Role.SUPERVISOR)
    _overdue(agency, caseworker)
    with translation.override("en"):
        label = translation.gettext("モニタリング予定日")
        assert label != "モニタリング予定日"
        assert overdue_overview(supervisor).items[0].label == label
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    page = verified_login(client, supervisor).get(reverse("notifications:overdue")).content
    assert label in page.decode() and "モニタリング予定日" not in page.decode()


# --- API --------------------------------------------------------------------------------------


def test_api_lists_and_marks_only_my_notifications(client, caseworker, colleague):
    mine = note(caseworker)
    theirs = note(colleague)
    client.force_login(caseworker)
    data = client.get("/api/v1/notifications/").json()
    assert [row["id"] for row in data["results"]] == [str(mine.public_id)]
    assert client.get(f"/api/v1/notifications/{theirs.public_id}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.public_id}/read/").status_code == 404
    response = client.post(f"/api/v1/notifications/{mine.public_id}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    note(caseworker)
    assert client.post("/api/v1/notifications/read-all/").json() == {"updated": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_requires_authentication(client):
    assert client.get("/api/v1/notifications/").status_code in (401, 403)


def test_api_unread_filter(client, caseworker):
    note(caseworker, read_at=timezone.now())
    unread = note(caseworker)
    client.force_login(caseworker)
    data = client.get("/api/v1/notifications/?show=unread").json()
    assert [row["id"] for row in data["results"]] == [str(unread.public_id)]


def test_admin_home_links_to_the_rule_settings(client, admin_user):
    verified_login(client, admin_user)
    page = client.get(reverse("agencies:admin_home")).content.decode()
    assert reverse("notifications:rule_settings") in page


def test_overdue_rows_link_only_to_records_the_viewer_may_open(client, agency, caseworker):
    """QA: an admin's drill-down linked to cases, referrals and meetings that answered 403/404."""
    from cases.tests.factories import CaseTeamMemberFactory, SupportCaseFactory

    case = SupportCaseFactory(lead_agency=agency, coordinating_agency=agency)
    CaseTeamMemberFactory(case=case, agency=agency)
    case_url = reverse("cases:case_detail", args=[case.public_id])
    Reminder.objects.create(
        rule="monitoring_due",
        object_ref="cases.supportcase:1",
        due_date=timezone.localdate() - dt.timedelta(days=3),
        step=0,
        recipient=caseworker,
        agency=agency,
        subject=case.number,
        url=case_url,
    )
    admin = staff(AgencyFactory(), Role.ADMIN)  # oversees all deadlines, reads no case
    verified_login(client, admin)
    drill = client.get(reverse("notifications:overdue") + "?rule=monitoring_due").content.decode()
    assert case.number in drill and case_url not in drill
    supervisor = staff(agency, Role.SUPERVISOR)
    verified_login(client, supervisor)
    drill = client.get(reverse("notifications:overdue") + "?rule=monitoring_due").content.decode()
    assert case_url in drill
    assert client.get(case_url).status_code == 200


def test_overdue_outreach_rows_link_only_for_viewers_who_may_open_the_target(client):
    """QA: admin's 「アウトリーチ対象者への接触の停滞」 drill-down linked every target to a 404.
    The targets' visibility is read once per kind of row, not once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from outreach.tests.factories import make_target, outreach_agency

    shakyo = outreach_agency()
    csw = staff(shakyo, Role.CSW)
    supervisor = staff(shakyo, Role.SUPERVISOR)
    admin = staff(AgencyFactory(), Role.ADMIN)
    drill_url = reverse("notifications:overdue") + f"?rule=outreach_stagnant&agency={shakyo.pk}"

    def add_target():
        target = make_target(csw, shakyo)
        _overdue(shakyo, csw, rule="outreach_stagnant", ref=f"outreach.outreachtarget:{target.pk}")
        Reminder.objects.filter(object_ref=f"outreach.outreachtarget:{target.pk}").update(
            subject=target.number, url=reverse("outreach:target_detail", args=[target.public_id])
        )
        return target

    def drill(user):
        verified_login(client, user)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(drill_url).content.decode()
        return page, len(queries)

    first = add_target()
    drill(supervisor)  # the first request of a session reads more (session, device)
    _one_page, one = drill(supervisor)
    targets = [first] + [add_target() for _ in range(4)]
    page, five = drill(supervisor)
    assert five == one
    for target in targets:
        url = reverse("outreach:target_detail", args=[target.public_id])
        assert target.number in page and url in page
    assert client.get(url).status_code == 200
    page, _n = drill(admin)
    for target in targets:
        url = reverse("outreach:target_detail", args=[target.public_id])
        assert target.number in page and url not in page
    assert client.get(url).status_code == 404


def test_overdue_drops_a_referral_once_it_is_opened(world, sweep_on, client):
    """QA: 「つなぐシートの未確認」 still listed a sheet opened after the last hourly sweep."""
    from . import builders

    referral = builders.referral(world, sent_on=dt.date(2026, 11, 20))
    sweep_on(dt.date(2026, 11, 27))
    verified_login(client, world.supervisor)
    overdue_url = reverse("notifications:overdue")
    drill_url = overdue_url + "?rule=referral_unopened"
    assert referral.number in client.get(drill_url).content.decode()
    referral.status = "opened"
    referral.opened_at = timezone.now()
    referral.save(update_fields=["status", "opened_at"])
    assert referral.number not in client.get(drill_url).content.decode()
    assert 'href="?rule=referral_unopened"' not in client.get(overdue_url).content.decode()


def test_inbox_tabs_follow_the_readers_language(client, caseworker):
    from django.utils import translation

    note(caseworker)
    client.force_login(caseworker)
    tabs = client.get(reverse("notifications:inbox")).content.decode().split('class="tabs"')[1]
    tabs = tabs.split("</nav>", 1)[0]
    assert ">未読<" in tabs and ">すべて<" in tabs
    caseworker.language = "en"
    caseworker.save(update_fields=["language"])
    tabs = client.get(reverse("notifications:inbox")).content.decode().split('class="tabs"')[1]
    tabs = tabs.split("</nav>", 1)[0]
    with translation.override("en"):
        labels = [translation.gettext(s) for s in ("未読", "至急", "すべて")]
    assert labels != ["未読", "至急", "すべて"]
    for label in labels:
        assert f">{label}<" in tabs
    assert "未読" not in tabs
