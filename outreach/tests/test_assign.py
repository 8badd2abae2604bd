"""A new 主担当 is told in the app (after commit, the target's number only); the actor who names
themselves is not."""

from django.urls import reverse

from notifications.models import Notification
from outreach import services


def _notices(user):
    return list(Notification.objects.filter(recipient=user, rule="outreach_lead_assigned"))


def test_new_lead_worker_gets_a_notice(
    client, csw, csw2, target, django_capture_on_commit_callbacks
):
    client.force_login(csw)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("outreach:target_assign", args=[target.public_id]),
            {"lead_worker": csw2.pk, "assignees": [csw.pk]},
        )
    assert response.status_code == 302
    [notice] = _notices(csw2)
    assert notice.title == f"アウトリーチ対象者 {target.number} の主担当になりました"
    assert notice.url == target.get_absolute_url()
    assert target.approx_name not in notice.title + notice.body  # no name known before consent
    assert _notices(csw) == []


def test_naming_oneself_or_keeping_the_lead_notifies_nobody(
    csw, csw2, target, django_capture_on_commit_callbacks
):
    assert target.lead_worker == csw
    with django_capture_on_commit_callbacks(execute=True):
        services.target_assign(actor=csw, target=target, lead_worker=csw, assignees=[csw2])
        services.target_assign(actor=csw2, target=target, lead_worker=csw2, assignees=[])
    assert _notices(csw) == [] and _notices(csw2) == []


def test_the_notice_waits_for_the_commit(csw, csw2, target, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.target_assign(actor=csw, target=target, lead_worker=csw2, assignees=[])
    assert _notices(csw2) == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(_notices(csw2)) == 1
