"""Administration pages: who may open what, what each change writes (and audits), filters,
optimistic concurrency and fixed query counts."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.choices import AgencyKind, Programme, Role
from agencies.models import Agency, Area, Membership, User
from agencies.tests.factories import AgencyFactory, AreaFactory, MembershipFactory, staff
from agencies.tests.utils import assert_longer_list_costs_a_count_at_most, issue_token, login_as
from agencies.tokens import ApiToken
from audit.models import AuditEvent


@pytest.fixture
def resident(agency):
    return staff(agency, Role.RESIDENT)


@pytest.fixture
def supervisor(agency):
    return staff(agency, Role.SUPERVISOR)


@pytest.fixture
def other_supervisor(other_agency):
    return staff(other_agency, Role.SUPERVISOR)


def _url(name, ctx):
    kwargs = {
        "agency_detail": {"pk": ctx["agency"].pk},
        "agency_edit": {"pk": ctx["agency"].pk},
        "area_edit": {"pk": ctx["agency"].area_id},
        "staff_detail": {"public_id": ctx["caseworker"].public_id},
        "staff_edit": {"public_id": ctx["caseworker"].public_id},
        "staff_deactivate": {"public_id": ctx["caseworker"].public_id},
        "membership_add": {"public_id": ctx["caseworker"].public_id},
        "membership_end": {"pk": ctx["membership"].pk},
        "membership_transfer": {"pk": ctx["membership"].pk},
    }.get(name, {})
    return reverse(f"agencies:{name}", kwargs=kwargs)


# name -> the users (fixture names) who get 200; everyone else in USERS gets 403.
ACCESS = {
    "agency_list": {
        "admin_user",
        "caseworker",
        "colleague",
        "outsider",
        "supervisor",
        "other_supervisor",
    },
    "agency_detail": {
        "admin_user",
        "caseworker",
        "colleague",
        "outsider",
        "supervisor",
        "other_supervisor",
    },
    "area_list": {
        "admin_user",
        "caseworker",
        "colleague",
        "outsider",
        "supervisor",
        "other_supervisor",
    },
    "staff_list": {
        "admin_user",
        "caseworker",
        "colleague",
        "outsider",
        "supervisor",
        "other_supervisor",
    },
    "staff_detail": {"admin_user", "caseworker", "colleague", "supervisor"},
    "staff_edit": {"admin_user", "caseworker"},
    "agency_edit": {"admin_user", "supervisor"},
    "admin_home": {"admin_user"},
    "agency_create": {"admin_user"},
    "agency_import": {"admin_user"},
    "agency_import_template": {"admin_user"},
    "area_create": {"admin_user"},
    "area_edit": {"admin_user"},
    "staff_create": {"admin_user"},
    "staff_import": {"admin_user"},
    "staff_import_template": {"admin_user"},
    "staff_deactivate": {"admin_user"},
    "membership_add": {"admin_user"},
    "membership_end": {"admin_user"},
    "membership_transfer": {"admin_user"},
}
USERS = [
    "admin_user",
    "caseworker",
    "colleague",
    "outsider",
    "supervisor",
    "other_supervisor",
    "resident",
]


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_page_access_by_role(client, request, name, agency):
    ctx = {
        "agency": agency,
        "caseworker": request.getfixturevalue("caseworker"),
        "membership": Membership.objects.get(user=request.getfixturevalue("caseworker")),
    }
    url = _url(name, ctx)
    for username in USERS:
        user = request.getfixturevalue(username)
        client.logout()
        login_as(client, user)
        expected = 200 if username in ACCESS[name] else 403
        assert client.get(url).status_code == expected, (name, username)


@pytest.mark.parametrize("name", ["agency_list", "staff_list", "admin_home", "agency_create"])
def test_anonymous_is_sent_to_login(client, name, agency):
    response = client.get(reverse(f"agencies:{name}"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_detail_view_is_audited_with_its_basis(client, caseworker, colleague):
    login_as(client, colleague)
    response = client.get(reverse("agencies:staff_detail", args=[caseworker.public_id]))
    assert response.status_code == 200
    assert "同じ機関の職員" in response.content.decode()
    event = AuditEvent.objects.get(action="staff.view")
    assert (event.actor, event.object_id, event.basis) == (
        colleague,
        str(caseworker.pk),
        "same_agency",
    )


def test_staff_list_links_only_to_records_the_user_may_open(
    client, caseworker, colleague, outsider
):
    login_as(client, outsider)
    html = client.get(reverse("agencies:staff_list")).content.decode()
    assert str(colleague.public_id) not in html
    assert colleague.display_name in html
    assert str(outsider.public_id) in html


def test_staff_urls_never_contain_sequential_ids_or_names(client, admin_user, caseworker):
    login_as(client, admin_user)
    html = client.get(reverse("agencies:staff_list")).content.decode()
    assert f"/agencies/staff/{caseworker.public_id}/" in html
    assert f"/agencies/staff/{caseworker.pk}/" not in html


# --- agencies ---------------------------------------------------------------------------


def _agency_post(**overrides):
    data = {
        "code": "houkatsu-east",
        "name": "東部地域包括支援センター",
        "kana": "とうぶちいきほうかつ",
        "short_name": "東部包括",
        "kind": AgencyKind.HOUKATSU,
        "operator_type": "contracted",
        "operator": "社会福祉法人 ひがし会",
        "programmes": [Programme.CONSULTATION, Programme.ELDERLY],
        "area": "",
        "postal_code": "",
        "address": "",
        "phone": "0120-11-2222",
        "fax": "",
        "email": "",
    }
    data.update(overrides)
    return data


def test_admin_creates_an_agency_and_the_change_is_audited(client, admin_user):
    login_as(client, admin_user)
    response = client.post(reverse("agencies:agency_create"), _agency_post())
    agency = Agency.objects.get(code="houkatsu-east")
    assert response.status_code == 302
    assert response["Location"] == reverse("agencies:agency_detail", args=[agency.pk])
    assert agency.programmes == ["consultation", "elderly"]
    event = AuditEvent.objects.get(action="agency.create")
    assert event.actor == admin_user and event.basis == "admin"
    assert {"code", "name", "kind", "programmes"} <= set(event.changes)


def test_invalid_agency_form_shows_japanese_errors_next_to_fields(client, admin_user, agency):
    login_as(client, admin_user)
    response = client.post(
        reverse("agencies:agency_create"), _agency_post(name="", code=agency.code, email="x")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "この項目は必須です。" in html
    assert "有効なメールアドレスを入力してください。" in html
    assert "既に存在します" in html
    assert not AuditEvent.objects.filter(action="agency.create").exists()


def test_second_editor_gets_a_conflict_and_nothing_is_overwritten(client, admin_user, agency):
    login_as(client, admin_user)
    url = reverse("agencies:agency_edit", args=[agency.pk])
    form = client.get(url).context["form"]
    assert form["version"].value() == 1
    base = {k: v if v is not None else "" for k, v in form.initial.items()}
    base["area"] = agency.area_id
    base["programmes"] = agency.programmes
    first = client.post(url, {**base, "phone": "03-0000-0001", "version": 1})
    assert first.status_code == 302
    second = client.post(url, {**base, "phone": "03-9999-9999", "version": 1})
    html = second.content.decode()
    assert second.status_code == 200
    assert "他の人が更新しました" in html
    assert "03-0000-0001" in html  # the latest saved value is shown beside the form
    agency.refresh_from_db()
    assert agency.phone == "03-0000-0001"
    assert agency.version == 2
    assert AuditEvent.objects.filter(action="agency.update").count() == 1
    # Saving again after seeing the conflict is a deliberate choice and works.
    assert second.context["form"]["version"].value() == "2"
    third = client.post(url, {**base, "phone": "03-9999-9999", "version": 2})
    assert third.status_code == 302
    agency.refresh_from_db()
    assert agency.phone == "03-9999-9999"


def test_supervisor_edit_cannot_change_disabled_fields(client, supervisor, agency):
    login_as(client, supervisor)
    url = reverse("agencies:agency_edit", args=[agency.pk])
    response = client.get(url)
    assert response.context["form"].fields["kind"].disabled
    client.post(
        url, _agency_post(code=agency.code, name=agency.name, kind="npo", phone="03-1", version=1)
    )
    agency.refresh_from_db()
    assert agency.kind == AgencyKind.HOUKATSU
    assert agency.phone == "03-1"
    assert AuditEvent.objects.get(action="agency.update").basis == "agency_supervisor"


def test_deactivate_and_reactivate_an_agency(client, admin_user, agency):
    login_as(client, admin_user)
    url = reverse("agencies:agency_set_active", args=[agency.pk])
    client.post(url, {"version": 1, "active": "0"})
    agency.refresh_from_db()
    assert not agency.active
    client.post(url, {"version": 2, "active": "1"})
    agency.refresh_from_db()
    assert agency.active
    assert list(
        AuditEvent.objects.filter(object_id=str(agency.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["agency.deactivate", "agency.activate"]


def test_stale_deactivate_is_refused(client, admin_user, agency):
    login_as(client, admin_user)
    agency.version = 5
    agency.save()
    response = client.post(
        reverse("agencies:agency_set_active", args=[agency.pk]),
        {"version": 1, "active": "0"},
        follow=True,
    )
    agency.refresh_from_db()
    assert agency.active
    assert "他の人が更新しました" in response.content.decode()


def test_agency_detail_shows_current_staff_and_history_to_its_own_staff(
    client, agency, caseworker, outsider
):
    former = staff(agency, Role.CSW)
    m = Membership.objects.get(user=former)
    m.end_date = timezone.localdate() - timedelta(days=1)
    m.save()
    login_as(client, caseworker)
    html = client.get(reverse("agencies:agency_detail", args=[agency.pk])).content.decode()
    assert caseworker.display_name in html
    assert "所属の履歴" in html and former.display_name in html
    client.logout()
    login_as(client, outsider)
    html = client.get(reverse("agencies:agency_detail", args=[agency.pk])).content.decode()
    assert caseworker.display_name in html
    assert "所属の履歴" not in html


# --- areas ------------------------------------------------------------------------------


def test_area_tree_create_and_edit_with_parent(client, admin_user):
    login_as(client, admin_user)
    city = AreaFactory(code="city", name="市全域", level="city")
    response = client.post(
        reverse("agencies:area_create"),
        {
            "code": "east",
            "name": "東部圏域",
            "kana": "とうぶ",
            "level": "sphere",
            "parent": city.pk,
            "sort_order": 1,
        },
    )
    assert response.status_code == 302
    east = Area.objects.get(code="east")
    assert east.parent == city
    html = client.get(reverse("agencies:area_list")).content.decode().split("<tbody>")[1]
    assert html.index("市全域") < html.index("東部圏域")
    # A parent that would make a cycle is not offered and is refused.
    response = client.post(
        reverse("agencies:area_edit", args=[city.pk]),
        {
            "code": "city",
            "name": "市全域",
            "kana": "",
            "level": "city",
            "parent": east.pk,
            "sort_order": 0,
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert "正しく選択してください" in response.content.decode()
    city.refresh_from_db()
    assert city.parent is None
    assert AuditEvent.objects.filter(action="area.create").count() == 1


# --- staff ------------------------------------------------------------------------------


def test_admin_creates_staff_with_membership_and_password_setup_mail(
    client, admin_user, agency, django_capture_on_commit_callbacks
):
    login_as(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("agencies:staff_create"),
            {
                "username": "tanaka01",
                "display_name": "田中 一郎",
                "kana": "たなか いちろう",
                "staff_number": "M9001",
                "email": "tanaka@example.jp",
                "phone": "",
                "language": "ja",
                "agency": agency.pk,
                "role": Role.CASEWORKER,
                "start_date": "2025-04-01",
                "send_setup_email": "on",
            },
        )
    user = User.objects.get(username="tanaka01")
    assert response.status_code == 302
    assert response["Location"] == reverse("agencies:staff_detail", args=[user.public_id])
    assert not user.has_usable_password()
    assert user.memberships.get().start_date == date(2025, 4, 1)
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"staff.create", "membership.create", "staff.password_setup"} <= actions


def test_staff_create_requires_agency_and_role_together(client, admin_user, agency):
    login_as(client, admin_user)
    response = client.post(
        reverse("agencies:staff_create"),
        {"username": "x1", "display_name": "X", "language": "ja", "agency": agency.pk},
    )
    assert "機関と役割の両方を選んでください" in response.content.decode()
    assert not User.objects.filter(username="x1").exists()


def test_duplicate_staff_number_is_reported_in_japanese(client, admin_user, caseworker):
    caseworker.staff_number = "M1"
    caseworker.save()
    login_as(client, admin_user)
    response = client.post(
        reverse("agencies:staff_create"),
        {"username": "x2", "display_name": "X", "language": "ja", "staff_number": "M1"},
    )
    assert "この職員番号は既に使われています。" in response.content.decode()


def test_staff_edits_own_contact_but_not_username(client, caseworker):
    login_as(client, caseworker)
    url = reverse("agencies:staff_edit", args=[caseworker.public_id])
    form = client.get(url).context["form"]
    assert form.fields["username"].disabled and form.fields["staff_number"].disabled
    client.post(
        url,
        {
            "username": "hacked",
            "display_name": "新しい名前",
            "kana": caseworker.kana,
            "staff_number": "Z",
            "email": caseworker.email,
            "phone": "090",
            "language": "ja",
            "version": 1,
        },
    )
    caseworker.refresh_from_db()
    assert caseworker.display_name == "新しい名前" and caseworker.phone == "090"
    assert caseworker.username != "hacked" and caseworker.staff_number != "Z"
    assert AuditEvent.objects.get(action="staff.update").changes == ["display_name", "phone"]


def test_staff_concurrent_edit_is_detected(client, admin_user, caseworker):
    login_as(client, admin_user)
    url = reverse("agencies:staff_edit", args=[caseworker.public_id])
    data = {
        "username": caseworker.username,
        "display_name": "A",
        "kana": "",
        "staff_number": "",
        "email": "",
        "phone": "",
        "language": "ja",
        "version": 1,
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "display_name": "B"})
    assert "他の人が更新しました" in response.content.decode()
    caseworker.refresh_from_db()
    assert caseworker.display_name == "A"


def test_deactivate_staff_ends_memberships_and_revokes_token(client, admin_user, caseworker):
    issue_token(caseworker)
    login_as(client, admin_user)
    url = reverse("agencies:staff_deactivate", args=[caseworker.public_id])
    today = timezone.localdate()
    response = client.post(
        url, {"version": 1, "end_memberships": "on", "end_date": today.isoformat()}
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert not caseworker.is_active
    assert Membership.objects.get(user=caseworker).end_date == today
    assert not ApiToken.objects.filter(user=caseworker).active().exists()
    assert AuditEvent.objects.filter(action="staff.deactivate").count() == 1
    # Reactivate.
    client.post(
        reverse("agencies:staff_activate", args=[caseworker.public_id]),
        {"version": 2, "active": "1"},
    )
    caseworker.refresh_from_db()
    assert caseworker.is_active


def test_admin_cannot_deactivate_own_account(client, admin_user):
    login_as(client, admin_user)
    response = client.get(reverse("agencies:staff_deactivate", args=[admin_user.public_id]))
    assert response.status_code == 403


# --- memberships ------------------------------------------------------------------------


def test_april_transfer_ends_old_membership_and_starts_new_one(
    client, admin_user, caseworker, other_agency
):
    login_as(client, admin_user)
    membership = Membership.objects.get(user=caseworker)
    transfer = date(timezone.localdate().year + 1, 4, 1)
    response = client.post(
        reverse("agencies:membership_transfer", args=[membership.pk]),
        {
            "to_agency": other_agency.pk,
            "role": "",
            "transfer_date": transfer.isoformat(),
            "note": "人事異動",
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.end_date == transfer - timedelta(days=1)
    new = Membership.objects.get(user=caseworker, agency=other_agency)
    assert (new.start_date, new.role, new.note) == (transfer, Role.CASEWORKER, "人事異動")
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["membership.transfer", "membership.create"]
    html = client.get(
        reverse("agencies:staff_detail", args=[caseworker.public_id])
    ).content.decode()
    assert "開始前" in html and other_agency.short_name in html or other_agency.name in html


def test_transfer_date_must_follow_the_start(client, admin_user, caseworker, other_agency):
    login_as(client, admin_user)
    membership = Membership.objects.get(user=caseworker)
    response = client.post(
        reverse("agencies:membership_transfer", args=[membership.pk]),
        {"to_agency": other_agency.pk, "transfer_date": membership.start_date.isoformat()},
    )
    assert "異動日は現在の所属の開始日より後" in response.content.decode()
    assert Membership.objects.filter(user=caseworker).count() == 1


def test_add_and_end_membership(client, admin_user, caseworker, other_agency):
    login_as(client, admin_user)
    client.post(
        reverse("agencies:membership_add", args=[caseworker.public_id]),
        {
            "agency": other_agency.pk,
            "role": Role.CSW,
            "start_date": timezone.localdate().isoformat(),
            "note": "",
        },
    )
    m = Membership.objects.get(user=caseworker, agency=other_agency)
    end = timezone.localdate() + timedelta(days=30)
    client.post(reverse("agencies:membership_end", args=[m.pk]), {"end_date": end.isoformat()})
    m.refresh_from_db()
    assert m.end_date == end
    # An overlapping duplicate is refused next to the form.
    response = client.post(
        reverse("agencies:membership_add", args=[caseworker.public_id]),
        {
            "agency": other_agency.pk,
            "role": Role.CSW,
            "start_date": timezone.localdate().isoformat(),
        },
    )
    assert "重複しています" in response.content.decode()


def test_end_date_before_start_is_refused(client, admin_user, caseworker):
    login_as(client, admin_user)
    m = Membership.objects.get(user=caseworker)
    response = client.post(
        reverse("agencies:membership_end", args=[m.pk]),
        {"end_date": (m.start_date - timedelta(days=1)).isoformat()},
    )
    assert "終了日は開始日以降" in response.content.decode()
    m.refresh_from_db()
    assert m.end_date is None


# --- filters ----------------------------------------------------------------------------


def test_agency_list_filters(client, caseworker):
    parent = AreaFactory(code="north")
    child = AreaFactory(code="north-1", parent=parent)
    AgencyFactory(name="北の包括", kana="きたのほうかつ", area=child, kind=AgencyKind.HOUKATSU)
    AgencyFactory(
        name="南のNPO",
        kana="みなみのえぬぴーおー",
        kind=AgencyKind.NPO,
        programmes=["community"],
        active=False,
    )
    login_as(client, caseworker)
    url = reverse("agencies:agency_list")

    def names(params):
        return {a.name for a in client.get(url, params).context["page_obj"]}

    assert names({"area": parent.pk}) == {"北の包括"}
    assert names({"kind": AgencyKind.NPO}) == {"南のNPO"}
    assert names({"programme": "community"}) == {"南のNPO"}
    assert "南のNPO" not in names({"active": "true"})
    assert names({"active": "false"}) == {"南のNPO"}
    assert names({"q": "キタノ"}) == {"北の包括"}  # katakana finds the hiragana kana
    assert names({"q": "北の"}) == {"北の包括"}


def test_staff_list_filters(client, admin_user, agency, other_agency, caseworker, outsider):
    lonely = staff(agency, Role.CSW, display_name="孤独 太郎", kana="こどく たろう")
    Membership.objects.filter(user=lonely).update(end_date=timezone.localdate() - timedelta(days=1))
    login_as(client, admin_user)
    url = reverse("agencies:staff_list")

    def users(params):
        return {u for u, _can in client.get(url, params).context["rows"]}

    assert users({"agency": other_agency.pk}) == {outsider}
    assert users({"agency": agency.pk, "role": Role.CASEWORKER}) == {caseworker}
    assert users({"no_membership": "true"}) == {lonely}
    assert users({"q": "コドク"}) == {lonely}
    assert users({"role": Role.ADMIN}) == {admin_user}


# --- query counts -----------------------------------------------------------------------


def _count_queries(client, url):
    client.get(url)  # warm up: the first request of a session caches its two-factor state
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return ctx.captured_queries


def test_agency_list_query_count_does_not_grow_with_rows(
    client, caseworker, django_assert_max_num_queries
):
    login_as(client, caseworker)
    url = reverse("agencies:agency_list")
    for _ in range(3):
        MembershipFactory(agency=AgencyFactory())
    few = _count_queries(client, url)
    for _ in range(25):
        MembershipFactory(agency=AgencyFactory())
    many = _count_queries(client, url)
    assert_longer_list_costs_a_count_at_most(few, many)
    with django_assert_max_num_queries(12):
        client.get(url)


def test_staff_list_query_count_does_not_grow_with_rows(
    client, admin_user, django_assert_max_num_queries
):
    login_as(client, admin_user)
    url = reverse("agencies:staff_list")
    for _ in range(3):
        staff(AgencyFactory())
    few = _count_queries(client, url)
    for _ in range(25):
        staff(AgencyFactory())
    many = _count_queries(client, url)
    assert_longer_list_costs_a_count_at_most(few, many)
    with django_assert_max_num_queries(14):
        client.get(url)


# --- CSV template -----------------------------------------------------------------------


def test_import_template_download_is_excel_friendly(client, admin_user):
    login_as(client, admin_user)
    response = client.get(reverse("agencies:staff_import_template"))
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.endswith(b"\r\n")
    assert "ログインID,氏名" in body.decode("utf-8-sig")
    assert "attachment" in response["Content-Disposition"]
