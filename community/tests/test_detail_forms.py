"""Forms embedded in a detail page (a volunteer's 受講歴 and 活動, an issue's 取組, 資源 and 状態):
a refused post shows the page again with the errors at the fields and what was typed, instead of
a redirect with a message at the top and empty fields."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.tests.factories import login_verified
from community import services_activity as sa
from community.models import CommunityIssue, IssueAction

from .factories import ResourceFactory, VolunteerFactory


@pytest.fixture
def volunteer(w):
    return VolunteerFactory(coordinator_agency=w.shakyo, registered_on=dt.date(2026, 4, 1))


def test_a_refused_training_shows_the_volunteer_page_with_the_error_and_the_date_typed(
    client, w, volunteer
):
    login_verified(client, w.csw)
    response = client.post(
        reverse("community:volunteer_training", args=[volunteer.public_id]),
        {"kind": "dementia", "taken_on": "2026-03-10"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "受講日はボランティアの登録日(令和8年4月1日)以降の日付にしてください。" in page
    assert 'id="id_taken_on_error"' in page  # at the field
    assert 'value="2026-03-10"' in page
    assert '<option value="dementia" selected>' in page
    assert volunteer.name in page  # the volunteer's page, not a bare form
    assert not volunteer.trainings.exists()


def test_a_refused_activity_keeps_what_was_typed(client, w, volunteer):
    place = ResourceFactory(name="若葉サロン")
    login_verified(client, w.csw)
    url = reverse("community:volunteer_activity", args=[volunteer.public_id])
    data = {
        "done_on": "2026-06-03",
        "hours": "30",
        "resource": place.pk,
        "description": "調理と配膳",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1日の活動時間は24時間以内にしてください。" in page
    assert 'id="id_hours_error"' in page
    assert 'value="調理と配膳"' in page and 'value="2026-06-03"' in page
    assert f'<option value="{place.pk}" selected>' in page
    # A form error (not a number) is shown the same way.
    response = client.post(url, {**data, "hours": "たくさん"})
    assert response.status_code == 200 and 'id="id_hours_error"' in response.content.decode()
    assert not volunteer.activities.exists()
    response = client.post(url, {**data, "hours": "3"})
    assert response.status_code == 302
    assert volunteer.activities.get().description == "調理と配膳"


def test_an_activity_or_training_before_the_volunteers_registration_is_refused(w, volunteer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        sa.volunteer_log_activity(
            actor=w.csw, volunteer=volunteer, done_on=dt.date(2026, 3, 31), hours=2
        )
    assert "登録日" in exc.value.message_dict["done_on"][0]
    with pytest.raises(ValidationError) as exc:
        sa.volunteer_add_training(
            actor=w.csw, volunteer=volunteer, kind="dementia", taken_on=dt.date(2026, 3, 31)
        )
    assert "登録日" in exc.value.message_dict["taken_on"][0]
    # On the day of registration is fine.
    sa.volunteer_log_activity(
        actor=w.csw, volunteer=volunteer, done_on=dt.date(2026, 4, 1), hours=2
    )


def test_the_registration_is_not_moved_past_the_first_record(w, volunteer):
    from django.core.exceptions import ValidationError

    sa.volunteer_add_training(
        actor=w.csw, volunteer=volunteer, kind="dementia", taken_on=dt.date(2026, 5, 1)
    )
    with pytest.raises(ValidationError) as exc:
        sa.volunteer_update(actor=w.csw, volunteer=volunteer, registered_on=dt.date(2026, 5, 2))
    assert "最初の受講歴・活動(令和8年5月1日)" in exc.value.message_dict["registered_on"][0]
    volunteer.refresh_from_db()
    assert volunteer.registered_on == dt.date(2026, 4, 1)


@pytest.fixture
def issue(w):
    return sa.community_issue_raise(
        actor=w.csw, title="買い物の足がない", area=w.north, owner_agency=w.shakyo
    )


def test_a_refused_issue_action_shows_the_issue_page_with_the_error_and_the_text_typed(
    client, w, issue
):
    login_verified(client, w.csw)
    today = timezone.localdate()
    response = client.post(
        reverse("community:issue_action_create", args=[issue.public_id]),
        {
            "title": "生協と移動販売のルートを相談",
            "owner_agency": w.shakyo.pk,
            "starts_on": today.isoformat(),
            "due_on": (today - dt.timedelta(days=3)).isoformat(),
            "note": "坂の上の地区から",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "期限は開始日以降にしてください。" in page
    assert 'id="id_due_on_error"' in page
    assert 'value="生協と移動販売のルートを相談"' in page and "坂の上の地区から" in page
    assert "<details open>" in page  # the form is shown open, not folded away
    assert issue.title in page
    assert not IssueAction.objects.exists()


def test_the_issue_actions_owner_is_picked_among_the_chosen_agencys_staff(client, w, issue):
    """The 担当者 <select> listed the care staff of every agency; the service then refused one
    from another agency with a message at the top of the page."""
    login_verified(client, w.csw)
    page = client.get(issue.get_absolute_url()).content.decode()
    assert 'data-url="/agencies/pick/staff/"' in page
    assert w.other.display_name not in page  # staff of every agency are no longer listed
    data = {
        "title": "移動販売の相談",
        "owner_agency": w.shakyo.pk,
        "starts_on": issue.raised_on.isoformat(),
    }
    response = client.post(
        reverse("community:issue_action_create", args=[issue.public_id]),
        {**data, "owner": w.other.pk},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "担当者は、選んだ機関に所属している職員から選んでください。" in page
    assert 'id="id_owner_error"' in page
    assert not IssueAction.objects.exists()
    response = client.post(
        reverse("community:issue_action_create", args=[issue.public_id]),
        {**data, "owner": w.csw.pk},
    )
    assert response.status_code == 302
    assert IssueAction.objects.get().owner == w.csw


def test_the_staff_picker_offers_only_the_chosen_agencys_staff(client, w):
    login_verified(client, w.csw)
    answer = client.get(
        reverse("agencies:staff_picker"), {"agency": w.shakyo.pk, "q": "職員"}
    ).content.decode()
    assert w.csw.display_name in answer and w.other.display_name not in answer


def test_resource_created_needs_a_linked_resource(client, w, issue):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        sa.community_issue_set_status(
            actor=w.csw, issue=issue, status=CommunityIssue.Status.RESOURCE_CREATED
        )
    assert "生まれた資源をつないで" in exc.value.message_dict["status"][0]
    login_verified(client, w.csw)
    response = client.post(
        reverse("community:issue_status", args=[issue.public_id]), {"status": "resource_created"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "「資源化」にするには、先にこの課題から生まれた資源をつないでください。" in page
    assert 'id="id_status_error"' in page
    issue.refresh_from_db()
    assert issue.status == CommunityIssue.Status.RAISED
    # Once a resource is linked, 資源化 is what the link itself sets.
    sa.community_issue_link_resource(actor=w.csw, issue=issue, resource=ResourceFactory())
    issue.refresh_from_db()
    assert issue.status == CommunityIssue.Status.RESOURCE_CREATED


def test_a_refused_resource_link_is_shown_on_the_issue_page(client, w, issue):
    other = sa.community_issue_raise(actor=w.csw, title="担い手が足りない", area=w.north)
    place = ResourceFactory(name="駅前の食堂")
    sa.community_issue_link_resource(actor=w.csw, issue=other, resource=place)
    login_verified(client, w.csw)
    response = client.post(
        reverse("community:issue_link_resource", args=[issue.public_id]), {"resource": place.pk}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "すでに別の地域課題から生まれたもの" in page
    assert f'<option value="{place.pk}" selected>' in page


def test_an_issue_action_starts_on_or_after_the_issue_was_raised(w, issue):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        sa.issue_action_add(
            actor=w.csw,
            issue=issue,
            title="移動販売の誘致",
            owner_agency=w.shakyo,
            starts_on=issue.raised_on - dt.timedelta(days=1),
        )
    assert "課題の提起日" in exc.value.message_dict["starts_on"][0]


def test_completing_an_action_twice_keeps_the_day_it_was_done(w, issue):
    action = sa.issue_action_add(
        actor=w.csw, issue=issue, title="移動販売の誘致", owner_agency=w.shakyo
    )
    done = timezone.localdate() - dt.timedelta(days=2)
    sa.issue_action_complete(actor=w.csw, action=action, done_on=done)
    sa.issue_action_complete(actor=w.csw, action=action)
    action.refresh_from_db()
    assert action.done_on == done


def test_the_staff_named_on_an_action_is_told_and_can_open_the_issue(
    client, w, issue, django_capture_on_commit_callbacks
):
    from agencies.choices import Role
    from agencies.tests.factories import staff
    from notifications.models import Notification

    colleague = staff(w.shakyo, Role.CSW)
    with django_capture_on_commit_callbacks(execute=True):
        sa.issue_action_add(
            actor=w.csw,
            issue=issue,
            title="移動販売の誘致",
            owner_agency=w.shakyo,
            owner=colleague,
        )
        sa.issue_action_add(  # naming oneself tells nobody
            actor=w.csw, issue=issue, title="見守り", owner_agency=w.shakyo, owner=w.csw
        )
    notice = Notification.objects.get()
    assert notice.recipient == colleague and "移動販売の誘致" in notice.title
    login_verified(client, colleague)
    assert client.get(notice.url).status_code == 200
