"""Forms embedded in the target page (段階を変更, 支援ケースとつなぐ): a refused post shows the target
page again with the form as typed and the errors at its fields, not a banner above a reset form."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from outreach import services
from outreach.models import Stage


def _stage_url(target):
    return reverse("outreach:target_stage", args=[target.public_id])


def test_refused_closure_keeps_what_was_typed_with_the_error_at_the_field(client, csw, target):
    client.force_login(csw)
    response = client.post(
        _stage_url(target),
        {
            "to_stage": "closed",
            "on": timezone.localdate().isoformat(),
            "reason": "包括の見守りにつながったため終える",
            "version": target.version,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert target.number in html and 'data-testid="target-actions"' in html  # the target page
    form = response.context["stage_form"]
    assert form["closure_reason"].errors == ["終結理由を選んでください。"]
    assert form["reason"].value() == "包括の見守りにつながったため終える"
    assert form["to_stage"].value() == "closed"
    # On the page: the typed reason in its field, the error under the field.
    assert "包括の見守りにつながったため終える</textarea>" in html
    assert 'id="id_closure_reason_error"' in html and "終結理由を選んでください。" in html
    target.refresh_from_db()
    assert target.stage == Stage.DISCOVERED


def test_stage_form_missing_reason_is_shown_at_the_field(client, csw, target):
    client.force_login(csw)
    on = timezone.localdate().isoformat()
    response = client.post(_stage_url(target), {"to_stage": "relating", "on": on})
    assert response.status_code == 200
    form = response.context["stage_form"]
    assert form["reason"].errors and form["on"].value() == on
    assert form["to_stage"].value() == "relating"
    assert 'id="id_reason_error"' in response.content.decode()


def test_stale_stage_change_keeps_the_input_and_a_second_send_applies_it(client, csw, target):
    services.target_move(actor=csw, target=target, to_stage=Stage.PREPARING, reason="別の職員")
    client.force_login(csw)
    data = {
        "to_stage": "relating",
        "on": timezone.localdate().isoformat(),
        "reason": "手紙に返事があった",
        "version": 1,  # the page was opened before the other change
    }
    response = client.post(_stage_url(target), data)
    assert response.status_code == 200
    form = response.context["stage_form"]
    assert "他の職員が先にこの記録を更新しました" in " ".join(form.non_field_errors())
    assert form["reason"].value() == "手紙に返事があった"
    assert form["version"].value() == "2"  # the version now on the page
    assert client.post(_stage_url(target), {**data, "version": 2}).status_code == 302
    target.refresh_from_db()
    assert target.stage == Stage.RELATING


def test_valid_stage_change_still_redirects_to_the_target(client, csw, target):
    client.force_login(csw)
    response = client.post(
        _stage_url(target),
        {
            "to_stage": "preparing",
            "on": timezone.localdate().isoformat(),
            "reason": "準備",
            "version": target.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == target.get_absolute_url()


@pytest.mark.parametrize("version", ["", "abc"])
def test_a_stage_change_without_the_version_seen_is_refused_with_a_reason(
    client, csw, target, version
):
    """Without the version the user saw, a change made since would be applied blind."""
    client.force_login(csw)
    data = {"to_stage": "preparing", "on": timezone.localdate().isoformat(), "reason": "準備"}
    response = client.post(_stage_url(target), {**data, "version": version})
    assert response.status_code == 200
    assert "画面を開き直してから、もう一度送ってください。" in response.content.decode()
    target.refresh_from_db()
    assert target.stage == Stage.DISCOVERED


def test_refused_page_is_an_audited_read_of_the_target(client, csw, target):
    client.force_login(csw)
    client.post(_stage_url(target), {"to_stage": "closed", "reason": "x"})
    assert AuditEvent.objects.filter(action="outreach_target.view", actor=csw).count() == 1


def test_case_link_without_a_case_is_shown_at_the_field(client, csw, target):
    from cases.tests.factories import PersonFactory

    target.person = PersonFactory(registered_by_agency=target.agency)
    target.save(update_fields=["person"])
    client.force_login(csw)
    response = client.post(reverse("outreach:link_case", args=[target.public_id]), {"case": ""})
    assert response.status_code == 200
    form = response.context["link_form"]
    assert form["case"].errors == ["つなぐ支援ケースを選んでください。"]
    assert "つなぐ支援ケースを選んでください。" in response.content.decode()
