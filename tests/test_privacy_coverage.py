"""Every view and API endpoint is behind the login, and every personal record is policy-checked
and audited when read.

Part 1 walks the URL resolver: an anonymous GET or POST of any address is sent to the login
page (HTML) or refused with 401/403 (API), except an explicit allow-list. A new view that
forgets `@login_required` fails here without anyone writing a test for it.

Part 2 reads each kind of personal record (person, household, consent document, consultation,
referral, concern slip, case, sheets, notes, attachments, meeting papers, PDFs, CSV export) as a
permitted user — a view/export audit row is written — and as staff of an unrelated agency —
403/404 and none of the record's content.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent

# --- part 1: the login wall ---------------------------------------------------------------

# Reachable without logging in, and why.
PUBLIC = {
    "login",  # the way in
    "logout",  # ends a session (nothing to show)
    "password_reset",  # the reset flow starts logged out; the same answer for every address
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",  # database/broker status only
    "set_language",  # a cookie; a logged-in user's language is saved only when logged in
    "api-token",  # exchanges a password for a token (itself the authentication)
    # meetings' calendar subscription feed: the secret per-user URL token is the credential
    # (calendar apps have no session); unknown/revoked tokens answer 404, body names and places
    # only (tests in meetings/tests/test_calendar_feed.py)
    "calendar_feed",
}
APPS = (
    "agencies",
    "audit",
    "cases",
    "community",
    "meetings",
    "notifications",
    "outreach",
    "participation",
    "retention",
)


def _sample(name: str, converter) -> str:
    kind = type(converter).__name__ if converter is not None else ""
    if kind == "UUIDConverter" or name in ("public_id", "id", "case_id", "note_id"):
        return str(uuid.uuid4())
    if kind == "IntConverter" or name in ("pk", "number"):
        return "1"
    return "x"


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            module = getattr(p.callback, "__module__", "")
            if (
                not module.startswith(APPS)
                and p.name not in PUBLIC
                and not p.name.startswith(("api-", "dashboard"))
            ):
                continue
            converters = getattr(p.pattern, "converters", {})
            groups = list(p.pattern.regex.groupindex)
            if "format" in groups:
                continue  # the ".json" twin of a route already walked
            yield f"{prefix}{p.name}", {g: _sample(g, converters.get(g)) for g in groups}


ROUTES = sorted({name: kwargs for name, kwargs in _walk(get_resolver().url_patterns)}.items())


def test_the_walk_finds_every_app():
    names = [name for name, _kwargs in ROUTES]
    assert len(names) > 150
    for prefix in ("cases:", "meetings:", "notifications:", "agencies:", "audit:"):
        assert any(n.startswith(prefix) for n in names), prefix
    for api in ("person-detail", "support-case-detail", "meeting-detail", "notification-list"):
        assert api in names


@pytest.mark.parametrize(("name", "kwargs"), ROUTES, ids=[r[0] for r in ROUTES])
def test_anonymous_is_sent_to_login_or_refused(client, db, name, kwargs):
    url = reverse(name, kwargs=kwargs or None)
    if name.split(":")[-1] in PUBLIC:
        return
    for method in (client.get, client.post):
        response = method(url)
        if method.__name__ == "get" and response.status_code == 405:
            continue  # a POST-only view refuses the method before the login check: no data
        if url.startswith(("/api/v1/", "/api/schema/")):
            assert response.status_code in (401, 403), (method.__name__, url)
        else:
            assert response.status_code == 302, (method.__name__, url, response.status_code)
            assert response["Location"].startswith(reverse("login")), url


# --- part 2: reading personal records -----------------------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


@dataclass
class World:
    owner: object
    outsider: object
    urls: dict
    secrets: list
    admin: object = None


@pytest.fixture
def world(db):
    """One of everything, owned by a coordinator's team; an outsider at an unrelated agency."""
    from cases.services import persons as person_services
    from cases.services import support as s
    from cases.tests.factories import (
        ConcernSlipFactory,
        ConsultationFactory,
        IntakeWorld,
        case_with_approved_plan,
        multiagency_agency,
    )
    from meetings import services as ms
    from meetings.choices import BodyKind
    from meetings.tests.conftest import make_body, schedule, seat, submitted_plan

    intake = IntakeWorld()
    person_services.consent_attach_document(
        actor=intake.worker,
        consent=intake.consent,
        document=SimpleUploadedFile("山田の同意書.pdf", PDF),
    )
    referral = intake.sent()
    draft = intake.draft()
    consultation = ConsultationFactory(
        agency=intake.sender, staff=intake.worker, summary="長男のひきこもりの相談・秘密A"
    )
    slip = ConcernSlipFactory(
        submitted_by=intake.worker, to_agency=intake.sender, noticed="新聞がたまっている・秘密B"
    )

    city = multiagency_agency()
    coordinator = staff(city, Role.COORDINATOR)
    case, plan = case_with_approved_plan(coordinator=coordinator, agency=city)
    s.evaluation_create(case=case, actor=coordinator)
    s.assessment_create(case=case, actor=coordinator)  # a second version to compare
    note = s.note_create(
        case=case,
        actor=coordinator,
        kind="visit",
        content="自宅を訪問・秘密C",
        files=[SimpleUploadedFile("診断書.pdf", PDF)],
    )
    attachment = note.attachments.get()

    supervisor = staff(city, Role.SUPERVISOR)
    body = make_body(supervisor, city, BodyKind.JUSO_KAIGI, "重層的支援会議")
    member = seat(body, coordinator, supervisor, pledged=False)
    pledge = ms.pledge_record(
        member=member,
        actor=supervisor,
        signed_on=dt.date.today(),
        document=SimpleUploadedFile("誓約書.pdf", PDF),
    )
    meeting = schedule(body, supervisor, days=3)
    _tabled_case, tabled_plan = submitted_plan(coordinator, city)
    item = ms.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{tabled_plan.public_id}"
    )

    outsider = staff(AgencyFactory(), Role.CASEWORKER)
    c = case.public_id
    urls = {
        # the sender's caseworker: intake records
        "person": (intake.worker, reverse("cases:person_detail", args=[intake.person.public_id])),
        "household": (
            intake.worker,
            reverse("cases:household_detail", args=[intake.household.public_id]),
        ),
        "consent_document": (
            intake.worker,
            reverse("cases:consent_document", args=[intake.consent.public_id]),
        ),
        "consultation": (
            intake.worker,
            reverse("cases:consultation_detail", args=[consultation.public_id]),
        ),
        "consultation_pdf": (
            intake.worker,
            reverse("cases:consultation_pdf", args=[consultation.public_id]),
        ),
        "consultation_csv": (intake.worker, reverse("cases:consultation_export")),
        "referral": (intake.worker, reverse("cases:referral_detail", args=[referral.public_id])),
        "referral_pdf": (intake.worker, reverse("cases:referral_pdf", args=[referral.public_id])),
        "concern_slip": (
            intake.worker,
            reverse("cases:concern_slip_detail", args=[slip.public_id]),
        ),
        # the coordinator: the support case and its sheets
        "case": (coordinator, reverse("cases:case_detail", args=[c])),
        "assessment": (coordinator, reverse("cases:assessment_detail", args=[c, 1])),
        "assessment_pdf": (coordinator, reverse("cases:assessment_pdf", args=[c, 1])),
        "assessment_compare": (coordinator, reverse("cases:assessment_compare", args=[c])),
        "plan": (coordinator, reverse("cases:plan_detail", args=[c, 1])),
        "plan_pdf": (coordinator, reverse("cases:plan_pdf", args=[c, 1])),
        "evaluation": (coordinator, reverse("cases:evaluation_detail", args=[c, 1])),
        "evaluation_pdf": (coordinator, reverse("cases:evaluation_pdf", args=[c, 1])),
        "notes": (coordinator, reverse("cases:case_notes", args=[c])),
        "notes_pdf": (coordinator, reverse("cases:notes_pdf", args=[c])),
        "note": (coordinator, reverse("cases:note_detail", args=[c, note.public_id])),
        "attachment": (
            coordinator,
            reverse("cases:attachment_download", args=[c, attachment.public_id]),
        ),
        # the meeting's convenor
        "meeting": (supervisor, reverse("meetings:meeting_detail", args=[meeting.public_id])),
        "agenda_pdf": (supervisor, reverse("meetings:agenda_pdf", args=[meeting.public_id])),
        "papers_pdf": (supervisor, reverse("meetings:papers_pdf", args=[meeting.public_id])),
        "item": (supervisor, reverse("meetings:item_detail", args=[item.public_id])),
        "paper_pdf": (supervisor, reverse("meetings:paper_pdf", args=[item.public_id])),
        "pledge_document": (
            supervisor,
            reverse("meetings:pledge_document", args=[pledge.public_id]),
        ),
        # edit forms show the record too
        "person_edit": (
            intake.worker,
            reverse("cases:person_edit", args=[intake.person.public_id]),
        ),
        "household_edit": (
            intake.worker,
            reverse("cases:household_edit", args=[intake.household.public_id]),
        ),
        "consultation_edit": (
            intake.worker,
            reverse("cases:consultation_update", args=[consultation.public_id]),
        ),
        "referral_edit": (intake.worker, reverse("cases:referral_update", args=[draft.public_id])),
        "case_edit": (coordinator, reverse("cases:case_edit", args=[c])),
        "monitoring": (coordinator, reverse("cases:monitoring", args=[c])),
        "assessment_edit": (coordinator, reverse("cases:assessment_edit", args=[c, 2])),
        "evaluation_edit": (coordinator, reverse("cases:evaluation_edit", args=[c, 1])),
        # the API twins
        "api_person": (intake.worker, f"/api/v1/persons/{intake.person.public_id}/"),
        "api_household": (intake.worker, f"/api/v1/households/{intake.household.public_id}/"),
        "api_consent": (intake.worker, f"/api/v1/consents/{intake.consent.public_id}/"),
        "api_consultation": (intake.worker, f"/api/v1/consultations/{consultation.public_id}/"),
        "api_referral": (intake.worker, f"/api/v1/referrals/{referral.public_id}/"),
        "api_concern_slip": (intake.worker, f"/api/v1/concern-slips/{slip.public_id}/"),
        "api_case": (coordinator, f"/api/v1/support-cases/{c}/"),
        "api_assessment": (
            coordinator,
            f"/api/v1/assessments/{case.assessments.first().public_id}/",
        ),
        "api_plan": (coordinator, f"/api/v1/plans/{plan.public_id}/"),
        "api_evaluation": (
            coordinator,
            f"/api/v1/evaluations/{case.evaluations.get().public_id}/",
        ),
        "api_note": (coordinator, f"/api/v1/activity-notes/{note.public_id}/"),
        "api_meeting": (supervisor, f"/api/v1/meetings/{meeting.public_id}/"),
        "api_item": (supervisor, f"/api/v1/agenda-items/{item.public_id}/"),
    }
    secrets = [
        intake.person.given_name,
        intake.household.address,
        "秘密A",
        "秘密B",
        "秘密C",
        case.summary,
    ]
    # The admin role at the very agencies that hold the records (issue 17 item 1): counts and
    # configuration, never a person's or a case's content.
    from agencies.tests.factories import MembershipFactory

    admin = staff(city, Role.ADMIN)
    MembershipFactory(user=admin, agency=intake.sender, role=Role.ADMIN)
    return World(owner=None, outsider=outsider, urls=urls, secrets=secrets, admin=admin)


RECORDS = [
    "person",
    "household",
    "consent_document",
    "consultation",
    "consultation_pdf",
    "consultation_csv",
    "referral",
    "referral_pdf",
    "concern_slip",
    "case",
    "assessment",
    "assessment_pdf",
    "assessment_compare",
    "plan",
    "plan_pdf",
    "evaluation",
    "evaluation_pdf",
    "notes",
    "notes_pdf",
    "note",
    "attachment",
    "meeting",
    "agenda_pdf",
    "papers_pdf",
    "item",
    "paper_pdf",
    "pledge_document",
    "person_edit",
    "household_edit",
    "consultation_edit",
    "referral_edit",
    "case_edit",
    "monitoring",
    "assessment_edit",
    "evaluation_edit",
    "api_person",
    "api_household",
    "api_consent",
    "api_consultation",
    "api_referral",
    "api_concern_slip",
    "api_case",
    "api_assessment",
    "api_plan",
    "api_evaluation",
    "api_note",
    "api_meeting",
    "api_item",
]


def _login(client, user):
    from cases.tests.factories import login_verified

    login_verified(client, user)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("key", RECORDS)
def test_permitted_read_is_audited(client, world, key):
    user, url = world.urls[key]
    _login(client, user)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    _body(response)
    events = AuditEvent.objects.exclude(pk__in=before).filter(actor=user)
    assert events.filter(kind__in=[AuditEvent.Kind.VIEW, AuditEvent.Kind.EXPORT]).exists(), (
        key,
        list(events.values_list("action", "kind")),
    )


@pytest.mark.parametrize("key", RECORDS)
def test_outsider_gets_nothing(client, world, key):
    _user, url = world.urls[key]
    client.force_login(world.outsider)
    response = client.get(url)
    body = _body(response).decode("utf-8", errors="replace")
    if key == "consultation_csv":
        # An export of what the outsider may see: their own (none), never another agency's.
        assert response.status_code in (200, 403, 404)
    else:
        assert response.status_code in (403, 404), (url, response.status_code)
    for secret in world.secrets:
        assert secret not in body, (key, secret)
    assert not AuditEvent.objects.filter(
        actor=world.outsider, kind=AuditEvent.Kind.VIEW
    ).exists(), key


# The meeting's shell (date, place, attendance; agenda titles only for members and the case
# team) and a staff member's signed pledge are not a person's or a case's content: the admin
# manages them. The papers PDF sends the admin back to the meeting (no paper they may open).
ADMIN_MAY_OPEN = {"meeting", "agenda_pdf", "api_meeting", "pledge_document", "papers_pdf"}


@pytest.mark.parametrize("key", RECORDS)
def test_admin_without_care_role_gets_no_content(client, world, key):
    _user, url = world.urls[key]
    _login(client, world.admin)
    response = client.get(url)
    body = _body(response).decode("utf-8", errors="replace")
    if key in ADMIN_MAY_OPEN or key == "consultation_csv":
        assert response.status_code in (200, 302, 403, 404)
    else:
        assert response.status_code in (403, 404), (url, response.status_code)
    for secret in world.secrets:
        assert secret not in body, (key, secret)
