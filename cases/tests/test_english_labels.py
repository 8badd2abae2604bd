"""English mode (issue 15): the case page's actions and deadlines and the duplicate check's reasons
follow the reader's language, and 「期限切れ」 is two words — a missed monitoring date ("Overdue")
and a consent past its validity ("Expired")."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from cases.models import SupportCase
from cases.selectors.persons import person_find_duplicates
from cases.tests.factories import (
    ConsentFactory,
    PersonFactory,
    case_with_approved_plan,
    open_case,
)

pytestmark = pytest.mark.django_db

# English for msgids the .po does not carry yet (it is edited by its owner): the tests add them to
# the loaded catalogue, so that they check which message a screen asks for.
MEANINGS = {"deadline\x04期限切れ": "Overdue", "consent\x04期限切れ": "Expired"}
REASONS = {
    "氏名と生年月日が一致": "Same name and date of birth",
    "ふりがなと生年月日が一致": "Same furigana and date of birth",
}


def _added(entries):
    catalog = trans_real.translation("en")._catalog
    before = {key: catalog.get(key) for key in entries}
    for key, text in entries.items():
        catalog[key] = text
    yield
    for key, text in before.items():
        if text is None:
            catalog._catalogs[0].pop(key, None)
        else:
            catalog[key] = text


@pytest.fixture
def two_meanings():
    yield from _added(MEANINGS)


@pytest.fixture
def reasons():
    yield from _added(REASONS)


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


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


def test_case_page_deadlines_are_in_the_readers_language(client, body, owner):
    case, _plan = case_with_approved_plan(coordinator=owner, agency=body)
    client.force_login(english(owner))
    page = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    with translation.override("en"):
        label = translation.gettext("次回モニタリング")
    assert label != "次回モニタリング" and label in page
    assert "次回モニタリング" not in page


def test_duplicate_reasons_are_in_the_readers_language(agency, caseworker, reasons):
    birth = dt.date(1948, 7, 15)
    PersonFactory(
        registered_by_agency=agency,
        family_name="高橋",
        given_name="一郎",
        family_name_kana="たかはし",
        given_name_kana="いちろう",
        birth_date=birth,
    )
    data = {
        "family_name": "高橋",
        "given_name": "一郎",
        "family_name_kana": "たかはし",
        "given_name_kana": "いちろう",
        "birth_date": birth,
        "phone": "",
    }
    with translation.override("en"):
        [match] = person_find_duplicates(actor=caseworker, data=data)
    assert match.reasons == list(REASONS.values())
