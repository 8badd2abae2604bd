"""Registering the target as a person 「本人の同意を得て」 records that consent through the cases
app's consent service and links the two records; the target page links to the person only for
users who may open the person."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Consent, Person
from outreach import services


def _post(client, target, **extra):
    data = {
        "family_name": "北町",
        "given_name": "一郎",
        "birth_date": "1973-06-01",
        "address": "北町3丁目",
        "given_on": timezone.localdate().isoformat(),
        "method": "written",
        "agencies": [target.agency_id],
        "info_kinds": ["basic", "household"],
    } | extra
    return client.post(reverse("outreach:register_person", args=[target.public_id]), data)


def test_handover_records_the_consent_and_links_the_person(client, csw, target):
    client.force_login(csw)
    response = _post(client, target)
    assert response.status_code == 302
    target.refresh_from_db()
    person = target.person
    assert person is not None and person.family_name == "北町"
    consent = Consent.objects.get(person=person)
    assert consent.method == "written" and consent.explained_by == csw
    assert consent.recorded_by_agency == target.agency
    assert list(consent.agencies.all()) == [target.agency]
    assert consent.info_kinds == ["basic", "household"]
    assert AuditEvent.objects.filter(action="consent.create", actor=csw).exists()
    # The target page links to the person.
    html = client.get(target.get_absolute_url()).content.decode()
    assert reverse("cases:person_detail", args=[person.public_id]) in html


def test_the_form_offers_the_consent_fields_with_the_target_agency(client, csw, target):
    client.force_login(csw)
    form = client.get(reverse("outreach:register_person", args=[target.public_id])).context["form"]
    assert {"given_on", "method", "agencies", "info_kinds"} <= set(form.fields)
    assert "document" not in form.fields
    assert form["agencies"].value() == [target.agency.pk]


def test_missing_consent_is_shown_at_the_fields_and_registers_nothing(client, csw, target):
    client.force_login(csw)
    response = _post(client, target, method="", info_kinds=[])
    assert response.status_code == 200
    form = response.context["form"]
    assert form["method"].errors and form["info_kinds"].errors
    assert form["family_name"].value() == "北町"
    assert not Person.objects.exists() and not Consent.objects.exists()


def test_service_refuses_a_proxy_consent_without_the_proxy_and_keeps_nothing(csw, target):
    with pytest.raises(ValidationError) as exc:
        services.target_register_person(
            actor=csw,
            target=target,
            person_data={"family_name": "北町"},
            consent={
                "given_on": timezone.localdate() - dt.timedelta(days=1),
                "method": "proxy",
                "agencies": [target.agency],
                "info_kinds": ["basic"],
            },
        )
    assert "proxy_name" in exc.value.message_dict
    target.refresh_from_db()
    assert target.person_id is None and not Person.objects.exists()


def test_a_second_submit_is_refused_and_registers_no_second_person(csw, target):
    """A double submit: the second request read the target before the first linked it."""
    from outreach.models import OutreachTarget

    stale = OutreachTarget.objects.get(pk=target.pk)
    consent = {
        "given_on": timezone.localdate(),
        "method": "written",
        "agencies": [target.agency],
        "info_kinds": ["basic"],
    }
    services.target_register_person(
        actor=csw, target=target, person_data={"family_name": "北町"}, consent=consent
    )
    assert target.person is not None  # the caller's object follows
    with pytest.raises(ValidationError):
        services.target_register_person(
            actor=csw, target=stale, person_data={"family_name": "北町"}, consent=consent
        )
    assert Person.objects.count() == 1


def test_the_person_is_a_link_only_for_those_who_may_open_it(client, csw, assignee, target):
    client.force_login(csw)
    _post(client, target)
    target.refresh_from_db()
    url = reverse("cases:person_detail", args=[target.person.public_id])
    client.force_login(assignee)  # a nurse at another agency, not named in the consent
    html = client.get(target.get_absolute_url()).content.decode()
    assert url not in html and "あり(閲覧権限なし)" in html
    assert target.person.full_name not in html


def test_the_person_page_leads_back_to_the_outreach_record(client, csw, target, outsider):
    """After the handover the person's history shows the target (when it became known, and its
    contacts), linked to the target page — only for those who may open the target."""
    from cases.history import person_history

    services.contact_log(
        actor=csw,
        target=target,
        kind="home_visit",
        occurred_at=timezone.now(),
        staff=[csw],
        minutes=30,
        counterpart="person",
        outcome="met",
    )
    client.force_login(csw)
    _post(client, target)
    target.refresh_from_db()
    html = client.get(reverse("cases:person_detail", args=[target.person.public_id])).content
    html = html.decode()
    assert f'href="{target.get_absolute_url()}"' in html
    assert f"対象者 {target.number} を把握" in html
    entries = [e for e in person_history(csw, target.person) if e.kind == "アウトリーチ"]
    assert len(entries) == 2  # the target and its contact
    assert [e for e in person_history(outsider, target.person) if e.kind == "アウトリーチ"] == []
