"""English mode (issue 15): the case page's actions follow the reader's language, and 「期限切れ」
is two words — a missed monitoring date ("Overdue") and a consent past its validity ("Expired")."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from agencies.choices import Role
from agencies.tests.factories import staff
from cases.models import SupportCase
from cases.tests.factories import ConsentFactory, PersonFactory, multiagency_agency, open_case

pytestmark = pytest.mark.django_db

# The English the catalogue gives the two meanings (the .po is edited by its owner; the test adds
# the entries to the loaded catalogue so that it checks which meaning each screen asks for).
MEANINGS = {"deadline\x04期限切れ": "Overdue", "consent\x04期限切れ": "Expired"}


@pytest.fixture
def two_meanings():
    catalog = trans_real.translation("en")._catalog
    before = {key: catalog.get(key) for key in MEANINGS}
    for key, text in MEANINGS.items():
        catalog[key] = text
    yield
    for key, text in before.items():
        if text is None:
            catalog._catalogs[0].pop(key, None)
        else:
            catalog[key] = text


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def body():
    return multiagency_agency()


@pytest.fixture
def owner(body):
    return staff(body, Role.COORDINATOR)


def test_case_page_actions_are_in_the_readers_language(client, body, owner):
    case = open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    url = reverse("cases:case_detail", args=[case.public_id])
    assert "アセスメントを開始" in client.get(url).content.decode()
    client.force_login(english(owner))
    page = client.get(url).content.decode()
    with translation.override("en"):
        start = translation.gettext("アセスメントを開始")
    assert start != "アセスメントを開始" and start in page
    assert "アセスメントを開始" not in page


def test_missed_monitoring_date_reads_overdue(client, body, owner, two_meanings):
    case = open_case(coordinator=owner, agency=body)
    SupportCase.objects.filter(pk=case.pk).update(
        next_monitoring_on=timezone.localdate() - dt.timedelta(days=3)
    )
    client.force_login(english(owner))
    page = client.get(reverse("cases:case_list")).content.decode()
    assert "Overdue" in page and "Expired" not in page


def test_consent_past_its_validity_reads_expired(client, agency, caseworker, two_meanings):
    person = PersonFactory(registered_by_agency=agency, created_by=caseworker)
    today = timezone.localdate()
    ConsentFactory(
        person=person,
        agencies=[agency],
        given_on=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=10),
    )
    client.force_login(english(caseworker))
    page = client.get(reverse("cases:person_detail", args=[person.public_id])).content.decode()
    assert "Expired" in page and "Overdue" not in page
