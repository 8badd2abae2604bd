"""HTML pages of the つなぐシート: create, edit, inbox, sent list, detail, actions, dashboard."""

import datetime as dt
import uuid
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.tests.factories import staff
from audit.models import AuditEvent
from cases.models import Referral, SupportCase
from cases.services import intake as s
from cases.tests.factories import ConsultationFactory, IntakeWorld, login_verified

S = Referral.Status


@pytest.fixture
def w(db):
    return IntakeWorld()


def _detail(r):
    return reverse("cases:referral_detail", args=[r.public_id])


def _act(r, action):
    return reverse("cases:referral_action", args=[r.public_id, action])


def _form_data(w, **overrides):
    data = {
        "from_agency": w.sender.pk,
        "to_agency": w.receiver.pk,
        "variant": "with_consent",
        "person": str(w.person.public_id),
        "household": str(w.household.public_id),
        "consent": str(w.consent.public_id),
        "triggers": ["complex", "rigid"],
        "urgency": "high",
        "person_says": "母の介護に疲れた",
        "done_so_far": "介護保険の申請",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- create and edit --------------------------------------------------------------------------


def test_create_from_consultation_prefills_and_sends(client, w):
    c = ConsultationFactory(
        agency=w.sender,
        staff=w.worker,
        person=w.person,
        household=w.household,
        summary="母と長男の二人暮らし",
    )
    client.force_login(w.worker)
    page = client.get(reverse("cases:referral_create"), {"consultation": c.public_id})
    assert page.status_code == 200
    assert page.context["form"].initial["person_says"] == "母と長男の二人暮らし"
    data = _form_data(w, consultation=str(c.public_id), send="1")
    response = client.post(reverse("cases:referral_create") + f"?consultation={c.public_id}", data)
    r = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(r)
    assert r.status == S.SENT and r.consultation == c


def test_double_clicked_create_makes_one_referral(client, w):
    client.force_login(w.worker)
    data = _form_data(w, send="1")
    client.post(reverse("cases:referral_create"), data)
    second = client.post(reverse("cases:referral_create"), data)
    assert second.status_code == 302
    assert Referral.objects.count() == 1
    assert Referral.objects.get().status == S.SENT


def test_create_to_inactive_agency_shows_message_next_to_field(client, w):
    w.receiver.active = False
    w.receiver.save()
    client.force_login(w.worker)
    response = client.post(reverse("cases:referral_create"), _form_data(w))
    assert response.status_code == 200
    assert "現在無効な機関" in str(response.context["form"].errors["to_agency"])
    assert not Referral.objects.exists()


def test_send_failure_rolls_back_the_draft(client, w):
    w.consent.agencies.set([w.sender])
    client.force_login(w.worker)
    response = client.post(reverse("cases:referral_create"), _form_data(w, send="1"))
    assert response.status_code == 200
    assert "共有先" in str(response.context["form"].errors["consent"])
    assert not Referral.objects.exists()


def test_create_page_three_users(client, w):
    for user, expected in ((w.worker, 200), (w.colleague, 200), (w.outsider, 200)):
        client.force_login(user)
        assert client.get(reverse("cases:referral_create")).status_code == expected
    resident = staff(w.sender, Role.RESIDENT)
    client.force_login(resident)
    assert client.get(reverse("cases:referral_create")).status_code == 403


def test_outsider_cannot_choose_sender_household(client, w):
    client.force_login(w.outsider)
    data = _form_data(w, from_agency=w.other.pk)
    response = client.post(reverse("cases:referral_create"), data)
    assert response.status_code == 200
    assert (
        "household" in response.context["form"].errors
        or "person" in response.context["form"].errors
    )
    assert not Referral.objects.exists()


def test_edit_draft_by_colleague_and_not_by_outsider_or_receiver(client, w):
    r = w.draft()
    url = reverse("cases:referral_update", args=[r.public_id])
    client.force_login(w.colleague)
    assert client.get(url).status_code == 200
    response = client.post(url, _form_data(w, person_says="同僚が追記", version=r.version))
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.person_says == "同僚が追記" and r.version == 2
    for user in (w.outsider, w.coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_edit_after_accept_is_refused_with_message(client, w):
    r = w.opened()
    s.referral_accept(actor=w.coordinator, referral=r)
    client.force_login(w.worker)
    response = client.get(reverse("cases:referral_update", args=[r.public_id]), follow=True)
    assert "編集できません" in response.content.decode()


# --- detail and actions -----------------------------------------------------------------------


def test_detail_three_users_and_first_view_records_opened(client, w):
    r = w.sent()
    client.force_login(w.outsider)
    assert client.get(_detail(r)).status_code == 404
    client.force_login(w.worker)
    assert client.get(_detail(r)).status_code == 200
    r.refresh_from_db()
    assert r.status == S.SENT  # the sender's own view changes nothing
    client.force_login(w.receiver_staff)
    response = client.get(_detail(r))
    assert response.status_code == 200
    r.refresh_from_db()
    assert r.status == S.OPENED and r.opened_by == w.receiver_staff
    assert AuditEvent.objects.filter(action="referral.view", object_id=str(r.pk)).count() == 2


def test_receiver_caseworker_answers_but_only_coordinator_opens_a_case(client, w):
    r = w.sent()
    client.force_login(w.receiver_staff)
    forms = client.get(_detail(r)).context["action_forms"]
    assert {"accept_own", "return", "request_info", "assign", "convert"} <= set(forms)
    assert "accept" not in forms
    client.force_login(w.coordinator)
    forms = client.get(_detail(r)).context["action_forms"]
    assert {"accept", "return", "request_info", "assign", "convert"} <= set(forms)


def test_draft_detail_hidden_from_receiver(client, w):
    r = w.draft()
    client.force_login(w.coordinator)
    assert client.get(_detail(r)).status_code == 404


def test_accept_from_detail(client, w):
    r = w.sent()
    client.force_login(w.coordinator)
    response = client.post(_act(r, "accept"), {"note": "受理します"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == S.ACCEPTED and SupportCase.objects.count() == 1
    page = client.get(_detail(r))
    assert r.case.number in page.content.decode()


def test_second_accept_shows_conflict_409(client, w):
    r = w.sent()
    s.referral_accept(actor=w.coordinator, referral=r)
    other = staff(w.receiver, Role.COORDINATOR)
    client.force_login(other)
    response = client.post(_act(r, "accept"), {})
    assert response.status_code == 409
    assert "すでに「受理」" in response.content.decode()
    assert SupportCase.objects.count() == 1


def test_return_form_shows_japanese_errors(client, w):
    r = w.sent()
    client.force_login(w.coordinator)
    response = client.post(_act(r, "return"), {"reason": "", "next_step": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "差し戻しの理由を入力してください。" in body
    assert "今後の対応の提案" in body
    r.refresh_from_db()
    assert r.status == S.SENT and r.return_reason == ""


def test_request_info_answer_cycle_in_pages(client, w):
    r = w.sent()
    client.force_login(w.coordinator)
    client.post(_act(r, "request_info"), {"question": "世帯の収入は?"})
    r.refresh_from_db()
    assert r.status == S.INFO_REQUESTED
    client.force_login(w.worker)
    page = client.get(_detail(r))
    assert "answer_info" in page.context["action_forms"]
    client.post(_act(r, "answer_info"), {"answer": "年金のみ"})
    r.refresh_from_db()
    assert r.status == S.SENT and r.info_answer == "年金のみ"


def test_withdraw_and_assign_from_pages(client, w):
    r = w.sent()
    sv = staff(w.receiver, Role.SUPERVISOR)
    login_verified(client, sv)
    assert client.post(_act(r, "assign"), {"assignee": w.receiver_staff.pk}).status_code == 302
    r.refresh_from_db()
    assert r.assignee == w.receiver_staff
    client.force_login(w.worker)
    assert client.post(_act(r, "withdraw"), {"reason": "転居"}).status_code == 302
    r.refresh_from_db()
    assert r.status == S.WITHDRAWN


def test_actions_forbidden_to_wrong_users(client, w):
    r = w.sent()
    cases = [
        (w.worker, "accept"),
        (w.receiver_staff, "accept"),
        (w.outsider, "accept"),
        (w.coordinator, "withdraw"),
        (w.outsider, "withdraw"),
        (w.worker, "accept_own"),
        (w.outsider, "accept_own"),
        (w.outsider, "return"),
    ]
    for user, action in cases:
        client.force_login(user)
        status = client.post(_act(r, action), {"reason": "x", "next_step": "y"}).status_code
        assert status in (403, 404), (user, action, status)
    r.refresh_from_db()
    assert r.status in (S.SENT, S.OPENED)


def test_unknown_action_is_404(client, w):
    r = w.sent()
    client.force_login(w.worker)
    assert client.post(_act(r, "delete"), {}).status_code == 404


def test_consent_withdrawn_in_flight_shows_options(client, w):
    r = w.opened()
    w.consent.withdrawn_at = timezone.now() - dt.timedelta(minutes=5)
    w.consent.save()
    client.force_login(w.coordinator)
    page = client.get(_detail(r))
    body = page.content.decode()
    assert "本人同意が撤回" in body and 'data-testid="personal-hidden"' in body
    assert "accept" not in page.context["action_forms"]
    assert {"return", "convert"} <= set(page.context["action_forms"])
    assert (
        w.person.family_name not in body.split("<main", 1)[1].split("経過")[0]
        or "person-section" not in body
    )
    response = client.post(_act(r, "accept"), {})
    assert response.status_code == 409
    assert "差し戻す" in response.content.decode()
    assert client.post(_act(r, "convert"), {"note": ""}).status_code == 302
    r.refresh_from_db()
    assert r.variant == "without_consent" and r.status == S.INFO_REQUESTED


def test_without_consent_detail_hides_personal_data_from_receiver(client, w):
    r = w.sent(variant="without_consent", consent=None, meeting_summary="会議資料の概要です")
    client.force_login(w.coordinator)
    body = client.get(_detail(r)).content.decode()
    assert "会議資料の概要です" in body
    assert 'data-testid="person-section"' not in body
    assert "母の介護がつらい" not in body
    client.force_login(w.worker)
    body = client.get(_detail(r)).content.decode()
    assert 'data-testid="person-section"' in body and "母の介護がつらい" in body


# --- inbox and sent list ----------------------------------------------------------------------


def test_inbox_counts_and_filters(client, w, time_machine):
    time_machine.move_to(timezone.now() - dt.timedelta(days=14))
    old = w.sent()
    time_machine.move_to(timezone.now() + dt.timedelta(days=14))
    new = w.sent()
    opened = w.opened()
    s.referral_assign(actor=w.coordinator, referral=opened, assignee=w.coordinator)
    asked = s.referral_request_info(actor=w.coordinator, referral=w.opened(), question="?")
    w.draft()  # never in the inbox
    client.force_login(w.coordinator)
    url = reverse("cases:referral_inbox")
    response = client.get(url)
    counts = {k: n for k, _label, n in response.context["tabs"]}
    assert counts == {"open": 4, "new": 2, "overdue": 1, "mine": 1, "info_requested": 1, "all": 4}

    def numbers(tab, **params):
        return {r.number for r in client.get(url, {"tab": tab, **params}).context["page_obj"]}

    assert numbers("new") == {old.number, new.number}
    assert numbers("overdue") == {old.number}
    assert numbers("mine") == {opened.number}
    assert numbers("info_requested") == {asked.number}
    assert numbers("open", urgency="urgent") == set()
    assert numbers("all", from_agency=w.sender.pk) == {
        old.number,
        new.number,
        opened.number,
        asked.number,
    }


def test_inbox_filters_by_the_agency_chosen_in_the_picker_and_keeps_it_shown(client, w):
    sheets = {w.sent().number, w.opened().number}
    client.force_login(w.coordinator)
    url = reverse("cases:referral_inbox")

    def filtered(**params):
        response = client.get(url, {"tab": "all", **params})
        assert response.status_code == 200
        return {r.number for r in response.context["page_obj"]}, response.content.decode()

    # Chosen from the picker's options (JavaScript fills the hidden id and the text).
    found, html = filtered(from_agency=w.sender.pk, from_agency_text=w.sender.name)
    assert found == sheets
    assert f'name="from_agency" value="{w.sender.pk}"' in html
    assert f'name="from_agency_text" value="{w.sender.name}"' in html
    assert filtered(from_agency=w.other.pk, from_agency_text=w.other.name)[0] == set()
    # Without JavaScript: the typed text is resolved through the same search as the endpoint.
    found, html = filtered(from_agency_text="北部地域包括")
    assert found == sheets
    assert f'name="from_agency" value="{w.sender.pk}"' in html
    # A link that carries only the id still names the agency it filters by.
    found, html = filtered(from_agency=w.sender.pk)
    assert found == sheets
    assert f'name="from_agency_text" value="{w.sender.name}"' in html


def test_inbox_filter_by_a_deactivated_agency_still_finds_its_sheets(client, w):
    sheets = {w.sent().number}
    w.sender.active = False
    w.sender.save(update_fields=["active"])
    client.force_login(w.coordinator)
    response = client.get(
        reverse("cases:referral_inbox"), {"tab": "all", "from_agency": w.sender.pk}
    )
    assert {r.number for r in response.context["page_obj"]} == sheets


@pytest.mark.parametrize(
    "params",
    [
        {"from_agency": "abc"},
        {"from_agency": "99999999"},
        {"from_agency": "99999999999999999999999"},
        {"from_agency": "1;DROP"},
        {"from_agency_text": "存在しない機関名"},
    ],
)
def test_inbox_unknown_or_malformed_agency_is_a_field_error(client, w, params):
    w.sent()
    client.force_login(w.coordinator)
    response = client.get(reverse("cases:referral_inbox"), {"tab": "all", **params})
    assert response.status_code == 200
    assert "from_agency" in response.context["filter_form"].errors
    assert 'id="id_from_agency_error"' in response.content.decode()


def test_inbox_offers_the_agency_picker_instead_of_listing_every_agency(client, w):
    from agencies.tests.factories import AgencyFactory

    others = AgencyFactory.create_batch(30)
    client.force_login(w.coordinator)
    html = client.get(reverse("cases:referral_inbox")).content.decode()
    assert 'data-url="/agencies/pick/agencies/"' in html
    assert 'name="from_agency_text"' in html and 'role="combobox"' in html
    assert '<select name="from_agency"' not in html
    assert not any(a.name in html for a in others)


def test_inbox_three_users(client, w):
    w.sent()
    for user, n in ((w.coordinator, 1), (w.receiver_staff, 1), (w.worker, 0), (w.outsider, 0)):
        client.force_login(user)
        response = client.get(reverse("cases:referral_inbox"))
        assert response.status_code == 200 and response.context["page_obj"].paginator.count == n


def test_resident_cannot_open_inbox(client, w):
    client.force_login(staff(w.receiver, Role.RESIDENT))
    assert client.get(reverse("cases:referral_inbox")).status_code == 403


def test_inbox_query_count_is_fixed(client, w, django_assert_max_num_queries):
    for _ in range(25):
        w.sent()
    client.force_login(w.coordinator)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases:referral_inbox"))
    assert len(response.context["page_obj"].object_list) == 25
    # Filtering by a chosen agency costs the same whatever the directory's size.
    params = {"from_agency": w.sender.pk, "from_agency_text": w.sender.name}
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases:referral_inbox"), params)
    assert len(response.context["page_obj"].object_list) == 25


def test_inbox_pager_counts_with_the_tabs_and_a_filter_counts_its_own(client, w, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.views import intake as views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    for _ in range(5):
        w.sent()
    urgent = w.sent()
    Referral.objects.filter(pk=urgent.pk).update(urgency="urgent")
    client.force_login(w.coordinator)
    url = reverse("cases:referral_inbox")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page": 2})
    tabs = {k: n for k, _label, n in response.context["tabs"]}
    page = response.context["page_obj"]
    assert tabs["open"] == page.paginator.count == 6 and page.paginator.num_pages == 2
    assert len(page.object_list) == 3 and "2 / 2" in response.content.decode()
    counts = [q for q in captured if q["sql"].lstrip().startswith("SELECT COUNT(*)")]
    assert not [q for q in counts if "cases_referral" in q["sql"]]
    # A filter narrows the list below its tab: the pager counts what the filter lets through.
    page = client.get(url, {"urgency": "urgent"}).context["page_obj"]
    assert page.paginator.count == 1 and [r.pk for r in page.object_list] == [urgent.pk]


def test_sent_list_shows_status_badges(client, w):
    r = w.opened()
    s.referral_accept(actor=w.coordinator, referral=r)
    w.sent()
    client.force_login(w.colleague)
    response = client.get(reverse("cases:referral_sent"))
    body = response.content.decode()
    assert "受理" in body and "送付済み" in body
    assert response.context["page_obj"].paginator.count == 2
    client.force_login(w.outsider)
    assert client.get(reverse("cases:referral_sent")).context["page_obj"].paginator.count == 0
    client.force_login(w.coordinator)
    assert client.get(reverse("cases:referral_sent")).context["page_obj"].paginator.count == 0


def test_sent_list_query_count_is_fixed(client, w, django_assert_max_num_queries):
    for _ in range(20):
        w.sent()
    client.force_login(w.worker)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases:referral_sent"))
    assert len(response.context["page_obj"].object_list) == 20


# --- dashboard --------------------------------------------------------------------------------


def test_dashboard_panels(client, w):
    w.sent()
    asked = s.referral_request_info(actor=w.coordinator, referral=w.opened(), question="?")
    client.force_login(w.coordinator)
    panels = {p.key: p for p in client.get(reverse("dashboard")).context["panels"]}
    assert panels["referral_inbox"].count == 2
    client.force_login(w.worker)
    panels = {p.key: p for p in client.get(reverse("dashboard")).context["panels"]}
    assert "referral_inbox" not in panels
    sent = panels["referral_sent"]
    assert sent.count == 2 and any(i.label == asked.number and i.tone == "warn" for i in sent.items)


def test_sent_panel_reads_its_rows_in_one_query_with_everything_it_shows(
    w, django_assert_num_queries
):
    """The panel selects only what it prints: a printed column left out would cost one query per
    row (a deferred field)."""
    from cases.panels_intake import referral_sent_panel

    late = w.sent()
    Referral.objects.filter(pk=late.pk).update(
        answer_due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    asked = s.referral_request_info(actor=w.coordinator, referral=w.opened(), question="?")
    for _ in range(2):
        w.sent()
    w.worker.current_memberships()  # read once per request by the middleware
    with django_assert_num_queries(1):  # the rows; they fit on the panel, so no COUNT
        panel = referral_sent_panel(w.worker)
    tones = {i.label: i.tone for i in panel.items}
    assert panel.count == 4 and tones[late.number] == "danger" and tones[asked.number] == "warn"
    assert {i.meta for i in panel.items} == {w.receiver.short_name or w.receiver.name}
    assert all(i.badge and i.url.endswith("/") for i in panel.items)


def test_accepted_referral_links_the_case_for_who_may_open_it_and_names_it_for_others(client, w):
    from agencies.policy import can
    from cases.services.persons import consent_withdraw

    r = w.sent()
    case = s.referral_accept(actor=w.coordinator, referral=r)
    case_url = reverse("cases:case_detail", args=[case.public_id])
    client.force_login(w.coordinator)
    body = client.get(_detail(r)).content.decode()
    assert f'<a href="{case_url}">{case.number}</a>' in body
    assert client.get(case_url).status_code == 200
    # Once the consent is withdrawn the sender still sees its sheet but no longer the case:
    # the number, and no link to a page that answers 404.
    consent_withdraw(actor=w.worker, consent=w.consent)
    assert not can(w.worker, "case.view", case)
    client.force_login(w.worker)
    body = client.get(_detail(r)).content.decode()
    assert f'<dd data-testid="case-number">{case.number}</dd>' in body
    assert case_url not in body


# --- one page, several action forms -----------------------------------------------------------


class _PageForms(HTMLParser):
    """Every id on the page, and per <form>: its action, its labels' targets, and {id: name}."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.forms: list[dict] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "form":
            self._form = {"action": a.get("action"), "labels": [], "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag == "label" and a.get("for"):
            self._form["labels"].append(a["for"])
        elif self._form is not None and a.get("name") and a.get("id"):
            self._form["fields"][a["id"]] = a["name"]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _page_forms(client, r) -> _PageForms:
    parser = _PageForms()
    parser.feed(client.get(_detail(r)).content.decode())
    return parser


def _assert_ids_unique_and_labels_local(page):
    dupes = sorted({i for i in page.ids if page.ids.count(i) > 1})
    assert dupes == []
    for form in page.forms:
        # each label points at a field of its own form, never one in a sibling form
        assert set(form["labels"]) <= set(form["fields"]), form["action"]


def test_detail_page_ids_are_unique_for_receiver(client, w):
    r = w.opened()
    client.force_login(w.coordinator)
    page = _page_forms(client, r)
    assert {"accept_own", "accept", "convert"} <= {f["action"].split("/")[-2] for f in page.forms}
    _assert_ids_unique_and_labels_local(page)


def test_detail_page_ids_are_unique_for_sender(client, w):
    r = s.referral_request_info(actor=w.coordinator, referral=w.sent(), question="収入は?")
    client.force_login(w.worker)
    page = _page_forms(client, r)
    assert {"answer_info", "withdraw"} <= {f["action"].split("/")[-2] for f in page.forms}
    _assert_ids_unique_and_labels_local(page)


def test_action_forms_post_the_names_they_render(client, w):
    r = w.opened()
    client.force_login(w.coordinator)
    forms = {f["action"].split("/")[-2]: f for f in _page_forms(client, r).forms}
    convert = forms["convert"]
    (note_id,) = convert["labels"]
    response = client.post(convert["action"], {convert["fields"][note_id]: "世帯の意向を確認"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == S.INFO_REQUESTED
    assert "世帯の意向を確認" in r.events.latest("pk").note

    client.force_login(w.worker)
    forms = {f["action"].split("/")[-2]: f for f in _page_forms(client, r).forms}
    answer = forms["answer_info"]
    names = {answer["fields"][i] for i in answer["labels"]}
    response = client.post(answer["action"], dict.fromkeys(names, "本人と相談済み"))
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == S.SENT and r.info_answer == "本人と相談済み"
