"""Notification texts are stored as a message code and parameters and rendered in the reader's
language: the inbox, the API and e-mail; rows from before the codes show their stored text."""

import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from agencies.jpdates import format_date
from notifications.events import concern_slip_status_notify, referral_status_notify
from notifications.messages import MESSAGES, render
from notifications.models import Level, Notification
from notifications.services import notification_email_send, notify_now, send_digests, sweep

from . import builders
from .conftest import notes_for
from .test_sweep import SCENARIOS

pytestmark = pytest.mark.django_db

D = dt.date
JST = dt.timezone(dt.timedelta(hours=9))
SENT = "つなぐシート %(n)s が届きました"


def english(template: str, **params) -> str:
    with translation.override("en"):
        text = translation.gettext(template) % params
    assert text != template % params, "the catalogue has no English for this message"
    return text


def speaks_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def sent_notice(world) -> tuple:
    """A referral arrives at the hub: its coordinator gets a coded notification."""
    r = builders.referral(world, sent_on=D(2026, 11, 20))
    referral_status_notify(referral_id=r.pk, event_id=None)
    [n] = notes_for(world.coordinator, "referral_status")
    return r, n


def old_row(user, **kw) -> Notification:
    """A notification stored before message codes: text only."""
    return Notification.objects.create(
        recipient=user, rule="monitoring_due", title="旧形式の通知 R8-0042", body="旧い本文", **kw
    )


def test_every_message_is_marked_for_translation():
    assert len(MESSAGES) > 40
    for code, template in MESSAGES.items():
        assert isinstance(template, Promise), code


def test_an_event_stores_its_code_and_parameters_and_japanese_text_whatever_the_language(world):
    r = builders.referral(world, sent_on=D(2026, 11, 20))
    with translation.override("en"):  # created while an English-speaking user acts
        referral_status_notify(referral_id=r.pk, event_id=None)
    [n] = notes_for(world.coordinator, "referral_status")
    assert n.message_code == "referral_status.sent"
    assert n.params["n"] == r.number
    assert n.title == SENT % {"n": r.number}  # the stored fallback is Japanese
    with translation.override("en"):
        assert n.display_title == english(SENT, n=r.number)


def test_every_rule_stores_codes_and_parameters(world):
    for build in SCENARIOS.values():
        build(world, 1)
    builders.referral(world, sent_on=D(2026, 5, 1), status="opened")
    with translation.override("en"):
        assert sweep(D(2026, 6, 20)).failed == []
    notes = list(Notification.objects.all())
    assert {n.rule for n in notes} >= set(SCENARIOS)
    for n in notes:
        assert n.message_code in MESSAGES, n.rule
        assert set(n.body_codes) <= set(MESSAGES), n.rule
        with translation.override("ja"):
            assert (n.display_title, n.display_body) == (n.title, n.body), n.rule
    overdue = next(n for n in notes if n.message_code == "monitoring_due.overdue")
    with translation.override("en"):
        assert overdue.display_title == english(
            "ケース %(n)s のモニタリング予定日(%(date)s)を過ぎています(項目%(i)s)",
            **{**overdue.params, "date": format_date(D.fromisoformat(overdue.params["date"]))},
        )


def test_a_status_is_shown_with_its_label_in_the_readers_language(world):
    from agencies.choices import AgencyKind, Role
    from cases.models import ConcernSlip
    from cases.services import intake

    shakyo = builders.agency(name="社会福祉協議会(テスト)", kind=AgencyKind.SHAKYO)
    builders.member(shakyo, Role.CSW)
    resident = builders.member(shakyo, Role.RESIDENT)
    with TestCase.captureOnCommitCallbacks(execute=True):
        slip = intake.concern_slip_submit(
            actor=resident, to_agency=shakyo, subject_description="角の家", noticed="新聞"
        )
    concern_slip_status_notify(slip_id=slip.pk, status="received")
    [n] = notes_for(resident, "concern_slip_status")
    assert n.params["status"] == {"choice": "cases.concernslip.status", "value": "received"}
    assert "「受付済み」" in n.title
    with translation.override("en"):
        label = str(ConcernSlip.Status.RECEIVED.label)
        assert label != "受付済み" and label in n.display_title


def test_a_list_parameter_is_joined_in_the_readers_language():
    params = {"numbers": ["R8-0001", "R8-0002"]}
    with translation.override("ja"):
        assert render("agenda_submission.body", params) == "提出待ちのケース: R8-0001、R8-0002"


def test_notify_now_stores_a_code_and_keeps_a_typed_body_as_written(world):
    [n] = notify_now(
        recipients=[world.coordinator],
        rule="role_assignment_new",
        message_code="role_assignment_new.title",
        params={"subject": "R8-0001", "due": "2026-12-10"},
        body_text="家庭訪問の日程を調整する",
    )
    n.refresh_from_db()
    assert n.message_code == "role_assignment_new.title" and n.body_codes == []
    # The date parameter is stored as ISO and shown in the one date style.
    assert n.params["due"] == "2026-12-10"
    assert n.title == "会議で役割が割り当てられました(R8-0001・期限 令和8年12月10日)"
    with translation.override("en"):
        assert n.display_body == "家庭訪問の日程を調整する"
    with pytest.raises(ValueError):
        notify_now(recipients=[world.coordinator], rule="x", message_code="no.such.message")


def test_an_unusable_code_falls_back_to_the_stored_text(world):
    _r, n = sent_notice(world)
    n.params = {}  # e.g. a parameter a later version of the message no longer gets
    assert n.display_title == n.title


# --- inbox and API -------------------------------------------------------------------------------


def test_inbox_shows_titles_in_the_readers_language_and_old_rows_as_stored(client, world):
    r, _n = sent_notice(world)
    old_row(world.coordinator)
    client.force_login(world.coordinator)
    japanese = SENT % {"n": r.number}

    page = client.get(reverse("notifications:inbox")).content.decode()
    assert japanese in page and "旧形式の通知 R8-0042" in page and "旧い本文" in page

    speaks_english(world.coordinator)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert english(SENT, n=r.number) in page and japanese not in page
    assert "旧形式の通知 R8-0042" in page and "旧い本文" in page


def test_api_answers_the_rendered_title_in_the_callers_language(client, world):
    r, n = sent_notice(world)
    old = old_row(world.coordinator)
    client.force_login(speaks_english(world.coordinator))
    rows = {row["id"]: row for row in client.get("/api/v1/notifications/").json()["results"]}
    assert rows[str(n.public_id)]["title"] == english(SENT, n=r.number)
    assert rows[str(old.public_id)]["title"] == "旧形式の通知 R8-0042"
    assert rows[str(old.public_id)]["body"] == "旧い本文"
    one = client.get(f"/api/v1/notifications/{n.public_id}/").json()
    assert one["title"] == english(SENT, n=r.number)


def test_dashboard_panel_shows_the_urgent_title_in_the_readers_language(world):
    from notifications.panels import urgent_reminders

    [n] = notify_now(
        recipients=[world.coordinator],
        rule="retention.due",
        message_code="retention.due.title",
        params={"n": 3},
        level=Level.URGENT,
    )
    with translation.override("ja"):
        [item] = urgent_reminders(world.coordinator).items
        assert item.label == "保存期間を過ぎた記録が3件あります(匿名化の承認待ち)"
    with translation.override("en"):
        [item] = urgent_reminders(world.coordinator).items
        assert item.label == str(MESSAGES["retention.due.title"]) % {"n": 3}


# --- e-mail --------------------------------------------------------------------------------------


def test_urgent_mail_is_in_the_recipients_language(world, outbox):
    speaks_english(world.coordinator)
    r = builders.referral(world, sent_on=D(2026, 11, 20), urgency="urgent")
    referral_status_notify(referral_id=r.pk, event_id=None)
    [n] = notes_for(world.coordinator, "referral_status")
    assert n.level == Level.URGENT
    notification_email_send(notification_id=n.pk)
    [mail] = [m for m in outbox if world.coordinator.email in m.to]
    assert english(SENT, n=r.number) in mail.subject
    assert english(SENT, n=r.number) in mail.body and SENT % {"n": r.number} not in mail.body


def test_digest_is_in_the_recipients_language(world, outbox):
    speaks_english(world.coordinator)
    r, _n = sent_notice(world)
    old_row(world.coordinator)
    assert send_digests(now=timezone.make_aware(dt.datetime(2026, 12, 1, 8, 0), JST)) >= 1
    [mail] = [m for m in outbox if world.coordinator.email in m.to]
    assert english(SENT, n=r.number) in mail.body and SENT % {"n": r.number} not in mail.body
    assert "旧形式の通知 R8-0042" in mail.body
