"""The permission matrix (issue 9, done-when #1), generated from the URL conf and the API router.

Every named route (HTML views and the DRF router's endpoints alike) is either a personal-record
route in `PERSONAL` — with the expected answer for each actor — or named in `NOT_PERSONAL` with
the reason. A new route that is in neither fails `test_every_route_is_classified`: whoever adds a
personal view must say who may open it.

The actors (one world, built once for the module):
- owner      staff of the agency that holds the record (the 多機関協働 body for the case and its
             household; a row may name another holder: the outreach agency, the reviewer …)
- team       a 参加支援 agency on the case team, named by the 本人's consent (basis 本人同意)
- role       the 社協 CSW given a role by a 支援会議 decision (basis 支援会議, no consent)
- consent    an agency the consent names that has no work on the case: consent alone opens
             nothing (DOMAIN §8)
- former     an agency whose 支援会議 role has ended (its grants ended)
- expired    an agency that was on the team with consent and left it yesterday (its grants
             ran out at their end date)
- outsider   staff of an unrelated agency
- admin      the admin role at the very agency that holds the records: no case content

Reads (GET) are asserted for every actor: 200 for those in `ok`, else the refusal (404 — the
one answer for "no" — unless the row says otherwise). For lists, `marker` must appear in the
answer of exactly the actors in `ok`. Writes (POST-only routes) are asserted for the actors
that must be refused; the permitted paths are tested by each app's own tests.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ACTORS = ("owner", "team", "role", "consent", "former", "expired", "outsider", "admin")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


# --- the walk -------------------------------------------------------------------------------


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            if "format" in p.pattern.regex.groupindex:
                continue  # the ".json" twin of a router route
            yield f"{prefix}{p.name}", p


def routes() -> dict[str, URLPattern]:
    found = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith("admin:") or name == "api-root":
            continue  # Django's own admin site (staff-only, not used by the app), the API index
        found.setdefault(name, pattern)
    return found


# --- what is not a personal record, and why ---------------------------------------------------

NOT_PERSONAL = {
    # the way in and the account itself
    "login": "sign-in",
    "logout": "sign-out",
    "otp_setup": "own second factor",
    "otp_verify": "own second factor",
    "account_security": "own account",
    "otp_backup_codes": "own account",
    "api_token_issue": "own API token",
    "api_token_revoke": "own API token",
    "password_change": "own account",
    "password_change_done": "own account",
    "password_reset": "reset flow",
    "password_reset_done": "reset flow",
    "password_reset_confirm": "reset flow",
    "password_reset_complete": "reset flow",
    "api-token": "password → token exchange",
    "api-token-list": "own API tokens",
    "api-token-detail": "own API tokens",
    "set_language": "a cookie",
    "set_date_style": "a cookie",
    "healthz": "service status",
    "dashboard": "counts of the user's own work (guarded by tests/test_scale_benchmark.py)",
    "api-schema": "the API map, no data",
    "api-docs": "the API map, no data",
    "api-redoc": "the API map, no data",
    "api-redoc-bundle": "static script",
    # agencies, staff and areas: the directory (no person or case content)
    "staff_unlock": "staff accounts (admin)",
    "staff_otp_reset": "staff accounts (admin)",
    **{
        f"agencies:{n}": "directory of agencies, staff and areas"
        for n in (
            "agency_list",
            "agency_create",
            "agency_detail",
            "agency_edit",
            "agency_set_active",
            "agency_import",
            "agency_import_template",
            "admin_home",
            "area_list",
            "area_create",
            "area_edit",
            "staff_list",
            "staff_create",
            "staff_import",
            "staff_import_template",
            "staff_detail",
            "staff_edit",
            "staff_deactivate",
            "staff_activate",
            "staff_password_setup",
            "membership_add",
            "membership_end",
            "membership_transfer",
        )
    },
    **{
        n: "directory of agencies, staff and areas"
        for n in (
            "agency-list",
            "agency-detail",
            "agency-set-active",
            "area-list",
            "area-detail",
            "staff-list",
            "staff-detail",
            "staff-set-active",
            "membership-list",
            "membership-detail",
            "membership-end",
            "membership-transfer",
        )
    },
    # the audit log: who did what, by record label (admin and privacy officer only)
    "audit:event_list": "audit log (no record content; its own tests)",
    "audit:event_export": "audit log (no record content; its own tests)",
    # forms that start a new record (no existing record is shown)
    "cases:person_create": "empty form",
    "cases:household_create": "empty form",
    "cases:consultation_create": "empty form",
    "cases:referral_create": "empty form",
    "cases:concern_slip_create": "empty form (residents' 気づきシート)",
    "cases:case_create": "empty form (households the user may see: person rules)",
    "outreach:target_create": "empty form",
    "outreach:import": "upload form (its own tests)",
    "outreach:field": "offline page shell (data comes from the API)",
    "outreach:field_sw": "service worker script",
    "community:concern_submit": "empty form",
    # meeting bodies, dates and calendars: directory-like (agenda titles are filtered per item)
    **{
        f"meetings:{n}": "bodies, dates, members and pledges — no case content"
        for n in (
            "index",
            "meeting_list",
            "meeting_export",
            "calendar",
            "calendar_ics",
            "calendar_feed_settings",
            "calendar_feed",
            "body_list",
            "body_create",
            "body_detail",
            "body_edit",
            "member_add",
            "meeting_create",
            "meetings_generate",
            "member_remove",
            "pledge_add",
            "pledge_document",
            "agenda_reorder",
            "agenda_fix",
            "agenda_reopen",
            "meeting_cancel",
            "attendance",
            "meeting_held",
            "minutes_update",
            "minutes_approve",
            "addendum_add",
            "agenda_pdf",
            "request_create",
        )
    },
    **{
        n: "bodies, dates, members and pledges — no case content"
        for n in (
            "meetingbody-list",
            "meetingbody-detail",
            "meetingmember-list",
            "meetingmember-detail",
            "meetingpledge-list",
            "meeting-list",
            "meeting-approve-minutes",
            "meeting-attendance",
            "meeting-fix-agenda",
            "meeting-held",
            "meeting-minutes",
        )
    },
    # community work: places, anonymous tallies, volunteers' own records, issues of an area
    **{
        f"community:{n}": "地域づくり: places, anonymous tallies, volunteers, area issues"
        for n in (
            "index",
            "place_list",
            "place_create",
            "place_detail",
            "place_edit",
            "session_list",
            "session_tally",
            "concern_link",
            "session_edit",
            "session_delete",
            "session_print",
            "volunteer_list",
            "volunteer_create",
            "volunteer_detail",
            "volunteer_edit",
            "volunteer_training",
            "volunteer_activity",
            "program_list",
            "program_create",
            "program_detail",
            "program_edit",
            "program_session_create",
            "issue_list",
            "issue_create",
            "issue_detail",
            "issue_action_create",
            "issue_action_done",
            "issue_link_resource",
            "issue_status",
            "agreement_list",
            "agreement_create",
            "agreement_edit",
            "area_view",
        )
    },
    **{
        n: "地域づくり: places, anonymous tallies, volunteers, area issues"
        for n in (
            "community-area-figures",
            "resource-list",
            "resource-detail",
            "community-session-list",
            "community-session-detail",
            "community-issue-list",
            "community-issue-detail",
            "community-program-list",
            "community-program-detail",
            "community-agreement-list",
            "community-agreement-detail",
            "volunteer-list",
            "volunteer-detail",
        )
    },
    # participation: the resource catalogue and gaps (no person)
    "participation:index": "the worker's own queue (counts and links)",
    "participation:catalogue": "resource catalogue",
    "participation:resource": "resource catalogue",
    "participation:gap_list": "resource gaps (no person)",
    "participation:gap": "resource gaps (no person)",
    "participation:gap_raise": "resource gaps (no person)",
    "participation:gap_link": "resource gaps (no person)",
    "participation-resource-list": "resource catalogue",
    "resource-gap-list": "resource gaps (no person)",
    "resource-gap-detail": "resource gaps (no person)",
    "resource-gap-raise-issue": "resource gaps (no person)",
    # outreach counts and the CSW workload (numbers per worker)
    "outreach:workload": "counts per worker",
    "api-outreach-counts": "counts",
    # notifications: the user's own inbox (links to records that are checked on opening)
    "notifications:inbox": "own inbox",
    "notifications:mark_all_read": "own inbox",
    "notifications:open": "own inbox (the target page is checked itself)",
    "notifications:mark_read": "own inbox",
    "notifications:preferences": "own settings",
    "notifications:rule_settings": "reminder thresholds (admin)",
    "notifications:rule_setting_edit": "reminder thresholds (admin)",
    "notifications:overdue": "deadlines of the supervisor's own agency (its own tests)",
    "notification-list": "own inbox",
    "notification-read-all": "own inbox",
    "notification-detail": "own inbox",
    "notification-read": "own inbox",
    # reports: counts with small-cell suppression (drill-down is filtered by the case rules)
    **{
        f"reports:{n}": "reports (counts; out of scope of issue 9)"
        for n in (
            "index",
            "download",
            "definitions",
            "figure_detail",
            "targets",
            "target_delete",
            "profile",
            "job_create",
            "job_detail",
            "job_download",
            "narrative",
        )
    },
    "api-report-annual": "reports (counts)",
    "api-report-targets": "reports (counts)",
    "agencies:staff_picker": "directory: care-role staff of one agency (cases/tests/test_pickers.py)",
    "agencies:agency_picker": "directory of agencies (cases/tests/test_pickers.py)",
    "agencies:receiver_picker": "directory of agencies (cases/tests/test_pickers.py)",
    # 異動: the worker's holdings as case numbers, dates and place names, for the supervisor or
    # the admin — no 主訴, task text or person (cases/tests/test_transfer.py)
    "cases:transfer": "staff transfer: numbers and dates only (cases/tests/test_transfer.py)",
    "staff-transfer-detail": "staff transfer: numbers and dates only (cases/tests/test_transfer.py)",
    "staff-transfer-complete": "staff transfer (cases/tests/test_transfer.py)",
    # retention: the admin's queue of record numbers due for anonymisation, no content
    "retention:index": "retention queue: record numbers and dates (retention/tests)",
    "retention:approve": "retention queue (retention/tests)",
    "retention:rule_edit": "retention periods, configuration",
    "anonymisation-list": "retention queue: record numbers and dates (retention/tests)",
    "anonymisation-detail": "retention queue: record numbers and dates (retention/tests)",
    "anonymisation-approve": "retention queue (retention/tests)",
    # break-the-glass: opening is a form; the review queue is the supervisors' (access tests)
    "access:emergency_open": "a form (access/tests/test_emergency.py)",
    "access:emergency_list": "review queue of supervisors (access/tests/test_emergency.py)",
}


# --- the personal routes ----------------------------------------------------------------------


@dataclass
class Row:
    """One personal route. `args(w)` gives the URL kwargs; `ok` the actors that get 200 (GET)
    or may act (POST); `refused` the status of the others; `marker(w)` what a list shows."""

    args: object = None
    ok: frozenset = frozenset({"owner"})
    refused: int = 404
    marker: object = None
    query: str = ""
    post: bool = False  # a write: only the refusals are asserted
    owner: str = "owner"
    statuses: dict = field(default_factory=dict)  # per-actor exceptions (documented inline)


OWN = frozenset({"owner"})
CASE_READERS = frozenset({"owner", "team", "role"})  # the case page and the persons listed
SHEET_READERS = frozenset({"owner", "team"})  # sheets: the team with consent (sections)
# A 支援会議 role sees the case (basic data) but not its sheets: it knows the case, so it is
# told "not allowed" (403) rather than "not found".
ROLE_SEES_CASE = {"role": 403}
# Who may change a person's or household's record: not a 支援会議 role, which sees it (403).
RECORD_KEEPERS = frozenset({"owner", "team"})
ROLE_READS_ONLY = {"role": 403}


def _case(w):
    return {"case_id": w.case.public_id}


def _num(w, key):
    return lambda w: {"case_id": w.case.public_id, "number": 1}


PERSONAL: dict[str, Row] = {
    # persons, households, consents
    "cases:person_search": Row(
        query="?q=", ok=CASE_READERS, marker=lambda w: str(w.principal.public_id)
    ),
    "cases:person_detail": Row(lambda w: {"public_id": w.principal.public_id}, CASE_READERS),
    # least access (cases.policy.persons.RECORD_KEEPING_BASES): the record is corrected by its
    # agency and by those working with the person on consent; a 支援会議 role only reads it
    "cases:person_edit": Row(
        lambda w: {"public_id": w.principal.public_id}, RECORD_KEEPERS, statuses=ROLE_READS_ONLY
    ),
    "cases:person_merge": Row(
        lambda w: {"public_id": w.principal.public_id}, statuses={"team": 403, "role": 403}
    ),
    "cases:consent_create": Row(lambda w: {"public_id": w.principal.public_id}, CASE_READERS),
    "cases:household_detail": Row(lambda w: {"public_id": w.household.public_id}, CASE_READERS),
    "cases:household_edit": Row(
        lambda w: {"public_id": w.household.public_id}, RECORD_KEEPERS, statuses=ROLE_READS_ONLY
    ),
    "cases:household_member_add": Row(
        lambda w: {"public_id": w.household.public_id}, RECORD_KEEPERS, statuses=ROLE_READS_ONLY
    ),
    "cases:household_member_leave": Row(
        lambda w: {"public_id": w.household.public_id, "person_id": w.mother.public_id},
        RECORD_KEEPERS,
        post=True,
        statuses=ROLE_READS_ONLY,
    ),
    # cases' rule: anybody who works with the person records a withdrawal (the person may tell
    # any of them), and sees the consent that opens the record to them
    "cases:consent_withdraw": Row(
        lambda w: {"public_id": w.consent.public_id}, CASE_READERS, post=True
    ),
    "cases:consent_document": Row(lambda w: {"public_id": w.consent.public_id}, CASE_READERS),
    "cases:consent_attach": Row(
        lambda w: {"public_id": w.consent.public_id}, CASE_READERS, post=True
    ),
    "access:person_record": Row(lambda w: {"public_id": w.principal.public_id}),
    "access:person_record_pdf": Row(lambda w: {"public_id": w.principal.public_id}),
    # consultations, referrals, concern slips
    # search-as-you-type pickers answer what the person search answers
    "cases:person_picker": Row(
        query="?q={name}", ok=CASE_READERS, marker=lambda w: str(w.principal.public_id)
    ),
    "cases:household_picker": Row(
        query="?q={address}", ok=CASE_READERS, marker=lambda w: str(w.household.public_id)
    ),
    "cases:consent_picker": Row(
        query="?person={person}", ok=CASE_READERS, marker=lambda w: str(w.consent.public_id)
    ),
    # the case picker answers what the case list answers (by number, and by the 本人's name
    # only to those who may see the 本人)
    "cases:case_picker": Row(
        query="?q={number}", ok=CASE_READERS, marker=lambda w: str(w.case.public_id)
    ),
    # 前の支援: closed cases only (the world's case is open: nobody is offered it)
    "cases:closed_case_picker": Row(
        query="?q={number}", ok=frozenset(), marker=lambda w: str(w.case.public_id)
    ),
    "cases:consultation_list": Row(ok=OWN, marker=lambda w: str(w.consultation.public_id)),
    "cases:consultation_export": Row(ok=OWN, marker=lambda w: w.consultation.summary),
    "cases:consultation_detail": Row(lambda w: {"public_id": w.consultation.public_id}),
    "cases:consultation_update": Row(lambda w: {"public_id": w.consultation.public_id}),
    "cases:consultation_pdf": Row(lambda w: {"public_id": w.consultation.public_id}),
    "cases:referral_inbox": Row(ok=frozenset({"team"}), marker=lambda w: w.referral.number),
    "cases:referral_inbox_export": Row(ok=frozenset({"team"}), marker=lambda w: w.referral.number),
    "cases:referral_sent": Row(ok=OWN, marker=lambda w: w.referral.number),
    "cases:referral_sent_export": Row(ok=OWN, marker=lambda w: w.referral.number),
    # the receiving agency (the team's 参加支援 agency) reads the sheet it is answering
    "cases:referral_detail": Row(
        lambda w: {"public_id": w.referral.public_id}, frozenset({"owner", "team"})
    ),
    "cases:referral_update": Row(lambda w: {"public_id": w.draft.public_id}),
    "cases:referral_pdf": Row(
        lambda w: {"public_id": w.referral.public_id}, frozenset({"owner", "team"})
    ),
    "cases:referral_action": Row(
        lambda w: {"public_id": w.referral.public_id, "action": "return"},
        frozenset({"owner", "team"}),
        post=True,
    ),
    "cases:concern_slip_mine": Row(ok=frozenset(), marker=lambda w: w.slip.noticed),
    "cases:concern_slip_received": Row(ok=OWN, marker=lambda w: str(w.slip.public_id)),
    "cases:concern_slip_detail": Row(lambda w: {"public_id": w.slip.public_id}),
    # support cases and their sheets, notes and attachments
    "cases:case_list": Row(ok=CASE_READERS, marker=lambda w: w.case.number),
    "cases:case_export": Row(ok=CASE_READERS, marker=lambda w: w.case.number),
    "cases:handover": Row(ok=frozenset(), marker=lambda w: w.case.number),
    "cases:case_detail": Row(_case, CASE_READERS),
    # who sees the case but may not change it is told so (403): no secret is given away
    "cases:case_edit": Row(_case, statuses={"team": 403, "role": 403}),
    "cases:case_team": Row(_case, post=True),
    "cases:case_transition": Row(
        lambda w: {"case_id": w.case.public_id, "action": "reassess"}, post=True
    ),
    "cases:assessment_new": Row(_case, SHEET_READERS, post=True),
    "cases:assessment_compare": Row(_case, SHEET_READERS, statuses=ROLE_SEES_CASE),
    "cases:assessment_detail": Row(_num(None, "a"), SHEET_READERS, statuses=ROLE_SEES_CASE),
    "cases:assessment_edit": Row(
        lambda w: {"case_id": w.case.public_id, "number": 2}, SHEET_READERS, statuses=ROLE_SEES_CASE
    ),
    "cases:assessment_pdf": Row(_num(None, "a"), SHEET_READERS, statuses=ROLE_SEES_CASE),
    "cases:plan_new": Row(_case, SHEET_READERS, post=True),
    "cases:plan_detail": Row(_num(None, "p"), SHEET_READERS, statuses=ROLE_SEES_CASE),
    # the plan is approved: its editors are sent back to it (302)
    "cases:plan_edit": Row(_num(None, "p"), statuses={"owner": 302, "team": 302, "role": 403}),
    "cases:plan_submit": Row(_num(None, "p"), post=True),
    "cases:plan_return": Row(_num(None, "p"), post=True),
    "cases:plan_pdf": Row(_num(None, "p"), SHEET_READERS, statuses=ROLE_SEES_CASE),
    "cases:monitoring": Row(_case, SHEET_READERS, statuses=ROLE_SEES_CASE),
    "cases:evaluation_new": Row(_case, SHEET_READERS, post=True),
    "cases:evaluation_detail": Row(_num(None, "e"), SHEET_READERS, statuses=ROLE_SEES_CASE),
    "cases:evaluation_edit": Row(_num(None, "e"), SHEET_READERS, statuses=ROLE_SEES_CASE),
    "cases:evaluation_ready": Row(_num(None, "e"), post=True),
    "cases:evaluation_pdf": Row(_num(None, "e"), SHEET_READERS, statuses=ROLE_SEES_CASE),
    # the notes page lists the notes the user may open: none for a 支援会議 role
    "cases:case_notes": Row(_case, SHEET_READERS, marker=lambda w: w.note.content),
    "cases:notes_pdf": Row(_case, SHEET_READERS, statuses={"role": 200}),
    "cases:note_detail": Row(
        lambda w: {"case_id": w.case.public_id, "note_id": w.note.public_id}, SHEET_READERS
    ),
    "cases:attachment_download": Row(
        lambda w: {"case_id": w.case.public_id, "attachment_id": w.attachment.public_id},
        SHEET_READERS,
    ),
    "access:emergency_review": Row(
        lambda w: {"public_id": w.emergency.public_id}, owner="reviewer"
    ),
    # meetings: the papers of an item (its meeting's pledged members and the case team)
    # a 支援会議 opens to its pledged members (others: 403 — a meeting's date is no secret);
    # the admin sees the meeting's shell, not the item's title
    "meetings:meeting_detail": Row(
        lambda w: {"public_id": w.meeting.public_id},
        OWN,
        owner="convenor",
        marker=lambda w: w.item.title,
    ),
    "meetings:meeting_queue": Row(
        lambda w: {"public_id": w.meeting.public_id}, owner="convenor", refused=403
    ),
    "meetings:item_add": Row(lambda w: {"public_id": w.meeting.public_id}, post=True),
    # the requester or the body's secretariat (meetings/tests/test_agenda.py: three users)
    "meetings:request_withdraw": Row(
        lambda w: {"public_id": w.meeting.public_id, "request_id": uuid.uuid4()}, post=True
    ),
    "meetings:papers_pdf": Row(
        lambda w: {"public_id": w.meeting.public_id}, owner="convenor", refused=403
    ),
    "meetings:minutes_pdf": Row(
        lambda w: {"public_id": w.meeting.public_id}, owner="convenor", refused=403
    ),
    "meetings:case_submit": Row(_case, CASE_READERS, post=True),
    "meetings:item_detail": Row(lambda w: {"public_id": w.item.public_id}, owner="convenor"),
    "meetings:paper_edit": Row(lambda w: {"public_id": w.item.public_id}, owner="convenor"),
    "meetings:paper_regenerate": Row(lambda w: {"public_id": w.item.public_id}, post=True),
    "meetings:paper_pdf": Row(lambda w: {"public_id": w.item.public_id}, owner="convenor"),
    "meetings:item_decide": Row(lambda w: {"public_id": w.item.public_id}, owner="convenor"),
    "meetings:item_remove": Row(lambda w: {"public_id": w.item.public_id}, post=True),
    "meetings:item_answer": Row(lambda w: {"public_id": w.item.public_id}, post=True),
    "meetings:my_roles": Row(ok=frozenset({"role"}), marker=lambda w: w.role_task),
    "meetings:role_open": Row(
        lambda w: {"public_id": w.role.public_id},
        owner="convenor",
        statuses={"owner": 302, "role": 302},  # sent on to the item / the case it works on
    ),
    "meetings:role_complete": Row(
        lambda w: {"public_id": w.role.public_id}, frozenset({"role"}), post=True
    ),
    # outreach targets: the outreach agency and the visit's assignee
    "outreach:index": Row(
        ok=frozenset({"owner"}), owner="outreach", marker=lambda w: w.target.number
    ),
    "outreach:visit_plan": Row(ok=frozenset(), owner="outreach", marker=lambda w: w.target.number),
    "outreach:visit_cancel": Row(lambda w: {"visit_id": uuid.uuid4()}, post=True),
    "outreach:from_slip": Row(lambda w: {"slip_id": w.slip.public_id}, post=True),
    "outreach:target_detail": Row(lambda w: {"target_id": w.target.public_id}, owner="outreach"),
    "outreach:target_edit": Row(lambda w: {"target_id": w.target.public_id}, owner="outreach"),
    "outreach:target_assign": Row(lambda w: {"target_id": w.target.public_id}, post=True),
    "outreach:target_stage": Row(lambda w: {"target_id": w.target.public_id}, post=True),
    "outreach:contact_create": Row(lambda w: {"target_id": w.target.public_id}, owner="outreach"),
    "outreach:visit_create": Row(lambda w: {"target_id": w.target.public_id}, owner="outreach"),
    "outreach:plan_create": Row(lambda w: {"target_id": w.target.public_id}, owner="outreach"),
    "outreach:agenda_request": Row(lambda w: {"target_id": w.target.public_id}, owner="outreach"),
    "outreach:register_person": Row(lambda w: {"target_id": w.target.public_id}, owner="outreach"),
    "outreach:link_case": Row(lambda w: {"target_id": w.target.public_id}, post=True),
    "outreach:target_print": Row(lambda w: {"target_id": w.target.public_id}, owner="outreach"),
    # participation: the 参加支援 agency on the team
    "participation:case": Row(_case, frozenset({"owner", "team"}), statuses=ROLE_SEES_CASE),
    "participation:plan_pdf": Row(_case, frozenset({"owner", "team"}), statuses=ROLE_SEES_CASE),
    "participation:assessment_new": Row(_case, frozenset({"owner", "team"}), post=True),
    "participation:assessment_detail": Row(
        lambda w: {"public_id": w.p_assessment.public_id}, frozenset({"owner", "team"})
    ),
    "participation:assessment_edit": Row(
        lambda w: {"public_id": w.p_assessment.public_id}, frozenset({"owner", "team"})
    ),
    "participation:assessment_pdf": Row(
        lambda w: {"public_id": w.p_assessment.public_id}, frozenset({"owner", "team"})
    ),
    "participation:match": Row(
        lambda w: {"public_id": w.p_assessment.public_id}, frozenset({"owner", "team"})
    ),
    "participation:propose": Row(
        lambda w: {"public_id": w.p_assessment.public_id}, frozenset({"owner", "team"}), post=True
    ),
    "participation:gap_new": Row(
        lambda w: {"public_id": w.p_assessment.public_id}, frozenset({"owner", "team"}), post=True
    ),
    "participation:placement": Row(lambda w: {"public_id": uuid.uuid4()}, ok=frozenset()),
    "participation:placement_move": Row(lambda w: {"public_id": uuid.uuid4()}, post=True),
    "participation:placement_activity": Row(lambda w: {"public_id": uuid.uuid4()}, post=True),
    "participation:placement_follow_up": Row(lambda w: {"public_id": uuid.uuid4()}, post=True),
    "participation:placement_pdf": Row(lambda w: {"public_id": uuid.uuid4()}, ok=frozenset()),
}

# The API: the same records through the router.
API = "/api/v1/"


def _api(path):
    return lambda w: path(w)


PERSONAL_API: dict[str, Row] = {
    "person-list": Row(ok=CASE_READERS, marker=lambda w: str(w.principal.public_id)),
    "person-duplicates": Row(
        query="?family_name=x&given_name=y", ok=frozenset(), marker=lambda w: "never"
    ),
    "person-detail": Row(lambda w: {"public_id": w.principal.public_id}, CASE_READERS),
    "person-merge": Row(lambda w: {"public_id": w.principal.public_id}, post=True),
    "household-list": Row(ok=CASE_READERS, marker=lambda w: str(w.household.public_id)),
    "household-detail": Row(lambda w: {"public_id": w.household.public_id}, CASE_READERS),
    "household-leave": Row(lambda w: {"public_id": w.household.public_id}, CASE_READERS, post=True),
    "household-members": Row(
        lambda w: {"public_id": w.household.public_id}, CASE_READERS, post=True
    ),
    "consent-list": Row(ok=CASE_READERS, marker=lambda w: str(w.consent.public_id)),
    "consent-detail": Row(lambda w: {"public_id": w.consent.public_id}, CASE_READERS),
    "consent-withdraw": Row(lambda w: {"public_id": w.consent.public_id}, CASE_READERS, post=True),
    "consultation-list": Row(ok=OWN, marker=lambda w: str(w.consultation.public_id)),
    "consultation-detail": Row(lambda w: {"public_id": w.consultation.public_id}),
    "referral-list": Row(ok=frozenset({"owner", "team"}), marker=lambda w: w.referral.number),
    "referral-detail": Row(
        lambda w: {"public_id": w.referral.public_id}, frozenset({"owner", "team"})
    ),
    **{
        f"referral-{a}": Row(
            lambda w: {"public_id": w.referral.public_id}, frozenset({"owner", "team"}), post=True
        )
        for a in (
            "accept",
            "accept-own",
            "answer-info",
            "assign",
            "convert",
            "open",
            "request-info",
            "return",
            "send",
            "withdraw",
        )
    },
    "concern-slip-list": Row(ok=OWN, marker=lambda w: str(w.slip.public_id)),
    "concern-slip-detail": Row(lambda w: {"public_id": w.slip.public_id}),
    "concern-slip-link": Row(lambda w: {"public_id": w.slip.public_id}, post=True),
    "concern-slip-set-status": Row(lambda w: {"public_id": w.slip.public_id}, post=True),
    "concern-slip-to-consultation": Row(lambda w: {"public_id": w.slip.public_id}, post=True),
    "support-case-list": Row(ok=CASE_READERS, marker=lambda w: w.case.number),
    # the admin role is refused every case before any lookup (403 whether it exists or not)
    "support-case-detail": Row(
        lambda w: {"public_id": w.case.public_id}, CASE_READERS, statuses={"admin": 403}
    ),
    # those who see the case get the validation answer (400): nothing they do not know
    "support-case-team": Row(
        lambda w: {"public_id": w.case.public_id}, post=True, statuses={"team": 400, "role": 400}
    ),
    "support-case-transition": Row(
        lambda w: {"public_id": w.case.public_id}, post=True, statuses={"team": 400, "role": 400}
    ),
    "support-case-transitions": Row(
        lambda w: {"public_id": w.case.public_id}, CASE_READERS, statuses={"admin": 403}
    ),
    "assessment-list": Row(
        query="?case={case}", ok=SHEET_READERS, marker=lambda w: str(w.assessment.public_id)
    ),
    "assessment-detail": Row(
        lambda w: {"public_id": w.assessment.public_id}, SHEET_READERS, statuses=ROLE_SEES_CASE
    ),
    "plan-list": Row(
        query="?case={case}", ok=SHEET_READERS, marker=lambda w: str(w.plan.public_id)
    ),
    "plan-detail": Row(
        lambda w: {"public_id": w.plan.public_id}, SHEET_READERS, statuses=ROLE_SEES_CASE
    ),
    "plan-submit": Row(lambda w: {"public_id": w.plan.public_id}, post=True),
    "monitoring-list": Row(
        query="?case={case}", ok=SHEET_READERS, marker=lambda w: str(w.monitoring.public_id)
    ),
    "evaluation-list": Row(
        query="?case={case}", ok=SHEET_READERS, marker=lambda w: str(w.evaluation.public_id)
    ),
    "evaluation-detail": Row(
        lambda w: {"public_id": w.evaluation.public_id}, SHEET_READERS, statuses=ROLE_SEES_CASE
    ),
    "evaluation-ready": Row(lambda w: {"public_id": w.evaluation.public_id}, post=True),
    "activity-note-list": Row(
        query="?case={case}", ok=SHEET_READERS, marker=lambda w: str(w.note.public_id)
    ),
    "activity-note-detail": Row(lambda w: {"public_id": w.note.public_id}, SHEET_READERS),
    "meeting-detail": Row(
        lambda w: {"public_id": w.meeting.public_id},
        OWN,
        owner="convenor",
        refused=403,
    ),
    "agendaitem-list": Row(
        query="?meeting={meeting}",
        ok=frozenset({"owner"}),
        owner="convenor",
        marker=lambda w: str(w.item.public_id),
    ),
    "agendaitem-detail": Row(lambda w: {"public_id": w.item.public_id}, owner="convenor"),
    "agendaitem-decision": Row(lambda w: {"public_id": w.item.public_id}, post=True),
    "agendaitem-answer": Row(lambda w: {"public_id": w.item.public_id}, post=True),
    "agendaitem-answers": Row(lambda w: {"public_id": w.item.public_id}, owner="convenor"),
    "meetingdecision-list": Row(
        query="?meeting={meeting}",
        ok=frozenset({"owner"}),
        owner="convenor",
        marker=lambda w: str(w.decision.public_id),
    ),
    "meetingdecision-detail": Row(lambda w: {"public_id": w.decision.public_id}, owner="convenor"),
    "meetingrole-list": Row(ok=frozenset({"role"}), marker=lambda w: str(w.role.public_id)),
    "meetingrole-detail": Row(
        lambda w: {"public_id": w.role.public_id}, frozenset({"owner", "role"}), owner="convenor"
    ),
    "meetingrole-complete": Row(
        lambda w: {"public_id": w.role.public_id}, frozenset({"role"}), post=True
    ),
    "outreach-target-list": Row(
        ok=frozenset({"owner"}), owner="outreach", marker=lambda w: w.target.number
    ),
    "outreach-target-detail": Row(lambda w: {"public_id": w.target.public_id}, owner="outreach"),
    "outreach-target-contacts": Row(lambda w: {"public_id": w.target.public_id}, owner="outreach"),
    "outreach-target-transition": Row(lambda w: {"public_id": w.target.public_id}, post=True),
    "outreach-target-transitions": Row(
        lambda w: {"public_id": w.target.public_id}, owner="outreach"
    ),
    "outreach-visit-list": Row(
        ok=frozenset(), owner="outreach", marker=lambda w: str(w.target.public_id)
    ),
    "participation-assessment-list": Row(
        query="?case={case}",
        ok=frozenset({"owner", "team"}),
        marker=lambda w: str(w.p_assessment.public_id),
    ),
    "participation-assessment-detail": Row(
        lambda w: {"public_id": w.p_assessment.public_id},
        frozenset({"owner", "team"}),
        statuses=ROLE_SEES_CASE,
    ),
    "participation-match-detail": Row(lambda w: {"public_id": uuid.uuid4()}, ok=frozenset()),
    "placement-list": Row(query="?case={case}", ok=frozenset(), marker=lambda w: "never"),
    "placement-detail": Row(lambda w: {"public_id": uuid.uuid4()}, ok=frozenset()),
    "placement-activity": Row(lambda w: {"public_id": uuid.uuid4()}, post=True),
    "placement-follow-ups": Row(lambda w: {"public_id": uuid.uuid4()}, post=True),
    "placement-move": Row(lambda w: {"public_id": uuid.uuid4()}, post=True),
}
PERSONAL.update(PERSONAL_API)


def test_every_route_is_classified():
    """A route added without saying whether it shows a personal record fails here."""
    found = set(routes())
    unclassified = sorted(found - set(PERSONAL) - set(NOT_PERSONAL))
    assert unclassified == [], (
        "classify these routes in tests/test_permission_matrix.py (PERSONAL with the expected "
        f"answer per actor, or NOT_PERSONAL with the reason): {unclassified}"
    )
    stale = sorted((set(PERSONAL) | set(NOT_PERSONAL)) - found)
    assert stale == [], f"routes that no longer exist: {stale}"
    assert not set(PERSONAL) & set(NOT_PERSONAL)


def test_the_walk_covers_the_router():
    from rest_framework.routers import SimpleRouter

    from config import urls

    names = set(routes())
    for module in ("cases.api_urls", "meetings.api_urls", "outreach.api", "participation.api"):
        mod = __import__(module, fromlist=["router"])
        router = getattr(mod, "router", None)
        if not isinstance(router, SimpleRouter):
            continue
        for _prefix, _viewset, basename in router.registry:
            assert any(n.startswith(f"{basename}-") for n in names), basename
    assert urls.api_v1


# --- the world -------------------------------------------------------------------------------


class World:
    pass


def _build():
    from access.services import grants_end, ref
    from agencies.choices import OperatorType, Role
    from agencies.tests.factories import AgencyFactory, staff
    from cases.models import TeamRole
    from cases.services import intake
    from cases.services import persons as person_services
    from cases.services import support as s
    from cases.tests.factories import (
        ConcernSlipFactory,
        ConsentFactory,
        ConsultationFactory,
        case_with_approved_plan,
        multiagency_agency,
    )
    from meetings import services as ms
    from meetings.choices import AgendaKind, BodyKind, DecisionKind
    from meetings.tests.conftest import hold, make_body, schedule, seat
    from outreach.tests.factories import make_target, outreach_agency
    from participation import services as ps
    from participation.tests.factories import participation_agency

    w = World()
    today = timezone.localdate()
    city = multiagency_agency(operator_type=OperatorType.MUNICIPAL, name="みどり市 福祉相談課")
    owner = staff(city, Role.COORDINATOR)
    convenor = staff(city, Role.SUPERVISOR)
    sanka = participation_agency(name="参加支援センター")
    team = staff(sanka, Role.PARTICIPATION_WORKER)
    shakyo = AgencyFactory(name="市社協")
    role_user = staff(shakyo, Role.CSW)
    jiritsu = AgencyFactory(name="自立相談支援機関")
    former = staff(jiritsu, Role.CASEWORKER)
    named = AgencyFactory(name="同意書にだけある機関")
    consent_user = staff(named, Role.CASEWORKER)
    outsider = staff(AgencyFactory(name="無関係の機関"), Role.CASEWORKER)
    admin = staff(city, Role.ADMIN)

    case, plan = case_with_approved_plan(coordinator=owner, agency=city, partner_agencies=[sanka])
    s.team_add(case=case, actor=owner, agency=sanka, user=team, role=TeamRole.PARTICIPATION)
    kaigo = AgencyFactory(name="居宅介護支援事業所")
    expired = staff(kaigo, Role.CASEWORKER)
    left = s.team_add(case=case, actor=owner, agency=kaigo, joined_on=today - dt.timedelta(days=30))
    w.consent = ConsentFactory(
        person=case.principal,
        agencies=[city, sanka, named, kaigo],
        explained_by=owner,
        given_on=today - dt.timedelta(days=60),
    )
    from access.models import AccessGrant

    s.team_leave(member=left, actor=owner, left_on=today - dt.timedelta(days=1))
    ran_out = AccessGrant.objects.filter(agency=kaigo, case=case)
    assert ran_out.exists() and not ran_out.active().exists()
    person_services.consent_attach_document(
        actor=owner, consent=w.consent, document=SimpleUploadedFile("同意書.pdf", PDF)
    )
    w.monitoring = s.monitoring_record(
        item=plan.items.first(), actor=owner, progress="on_track", note="照合用の進捗"
    )
    s.evaluation_create(case=case, actor=owner)
    s.assessment_create(case=case, actor=owner)  # a second version to compare
    w.note = s.note_create(
        case=case,
        actor=owner,
        kind="visit",
        content="訪問の記録",
        files=[SimpleUploadedFile("記録.pdf", PDF)],
    )
    w.attachment = w.note.attachments.get()
    w.case = case
    case.refresh_from_db()
    w.principal = case.principal
    w.household = case.household
    w.mother = [p for p in case.persons.all() if p.pk != case.principal_id][0]
    w.plan = plan
    w.assessment = case.assessments.order_by("number").first()
    w.evaluation = case.evaluations.get()

    w.consultation = ConsultationFactory(
        agency=city, staff=owner, person=case.principal, summary="長男の就労の相談・照合用"
    )
    w.slip = ConcernSlipFactory(
        submitted_by=staff(AgencyFactory(), Role.RESIDENT), to_agency=city, noticed="照合用の気づき"
    )
    data = {
        "to_agency": sanka,
        "variant": "with_consent",
        "person": case.principal,
        "household": case.household,
        "consent": w.consent,
        "triggers": ["complex"],
        "person_says": "働きたい",
        "urgency": "normal",
    }
    w.referral = intake.referral_send(
        actor=owner, referral=intake.referral_create(actor=owner, from_agency=city, **data)
    )
    w.draft = intake.referral_create(actor=owner, from_agency=city, **data)

    # A 支援会議 yesterday gives roles to the 社協 CSW and to 自立相談 (whose role then ends).
    w.body = make_body(convenor, city, BodyKind.SHIEN_KAIGI, "支援会議(全体)")
    seat(w.body, convenor, convenor)
    w.meeting = schedule(w.body, convenor, days=-1)
    w.item = ms.agenda_item_add(
        meeting=w.meeting,
        actor=convenor,
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title="R8 8050世帯の役割分担",
        case=case,
    )
    hold(w.meeting, convenor)
    w.role_task = "月1回の訪問(照合用)"
    w.decision = ms.item_record_decision(
        item=w.item,
        actor=convenor,
        kind=DecisionKind.SHARED,
        roles=[
            {
                "owner_agency": shakyo,
                "owner_user": role_user,
                "task": w.role_task,
                "due_on": today + dt.timedelta(days=30),
            },
            {"owner_agency": jiritsu, "task": "就労相談", "due_on": today + dt.timedelta(days=30)},
        ],
    )
    roles = {r.owner_agency_id: r for r in w.decision.roles.all()}
    w.role = roles[shakyo.pk]
    grants_end(source_ref=ref(roles[jiritsu.pk]), actor=convenor, reason="役割の終了")

    # Outreach: a target of another 社協 with its own CSW.
    outreach = outreach_agency(name="北部社協")
    outreach_csw = staff(outreach, Role.CSW)
    w.target = make_target(outreach_csw, outreach)

    # 参加支援: the team's worker writes the person's assessment.
    w.p_assessment = ps.assessment_create(case=case, person=case.principal, actor=team)

    # Break-the-glass by a city caseworker, reviewed by the city's supervisor.
    from access.emergency import emergency_access_open

    opener = staff(AgencyFactory(), Role.CASEWORKER)
    w.emergency = emergency_access_open(
        actor=opener, case=case, reason="本人が自宅で倒れているとの通報があり、安否確認のため"
    )
    reviewer = staff(w.emergency.agency, Role.SUPERVISOR)

    w.users = {
        "owner": owner,
        "convenor": convenor,
        "outreach": outreach_csw,
        "reviewer": reviewer,
        "team": team,
        "role": role_user,
        "consent": consent_user,
        "former": former,
        "expired": expired,
        "outsider": outsider,
        "admin": admin,
    }
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end (each
    test's own transaction is a savepoint within it)."""
    with django_db_blocker.unblock():
        from access.services import registry_ensure

        registry_ensure()
        with transaction.atomic():
            built = _build()
            yield built
            transaction.set_rollback(True)


# --- the matrix ---------------------------------------------------------------------------------


def _login(client, user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from meetings.tests.conftest import DEVICE_ID_SESSION_KEY

    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="matrix", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _url(w, name, row) -> str:
    kwargs = row.args(w) if row.args else None
    if name in PERSONAL_API:
        url = reverse(name, kwargs={k: str(v) for k, v in (kwargs or {}).items()} or None)
    else:
        url = reverse(name, kwargs=kwargs)
    query = row.query.format(
        case=w.case.public_id,
        meeting=w.meeting.public_id,
        person=w.principal.public_id,
        name=w.principal.family_name + w.principal.given_name,
        address=w.household.address,
        number=w.case.number,
    )
    return url + query


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


def _actor_user(w, row, actor):
    return w.users[row.owner] if actor == "owner" else w.users[actor]


@pytest.mark.parametrize("name", sorted(PERSONAL))
def test_matrix(client, db, world, name):
    row = PERSONAL[name]
    url = _url(world, name, row)
    wrong = []
    for actor in ACTORS:
        user = _actor_user(world, row, actor)
        _login(client, user)
        if row.post:
            if actor in row.ok or actor == "owner":
                continue  # the permitted write is its app's own test
            status = client.post(url).status_code
            expected = row.statuses.get(actor)
            if (expected is not None and status != expected) or (
                expected is None and status not in (403, 404)
            ):
                wrong.append((actor, "POST", status))
            continue
        response = client.get(url)
        status = response.status_code
        if row.marker is not None:
            # A list: everyone may open it; the record appears only to those in `ok`.
            if status != 200:
                if actor in row.ok or status not in (403, 404):
                    wrong.append((actor, status))
                continue
            shown = row.marker(world) in _body(response)
            if shown != (actor in row.ok):
                wrong.append((actor, "listed" if shown else "missing"))
            continue
        expected = row.statuses.get(actor, 200 if actor in row.ok else row.refused)
        if status != expected:
            wrong.append((actor, status, f"expected {expected}"))
    assert wrong == [], (name, url, wrong)
