"""The pages the scale benchmark measures, each with its floor (hand-written SQL returning the rows
the page shows), and the runner shared by `benchmarks/pages_benchmark.py` and the CI test.

A page is measured through Django's test client as a logged-in demo user (two-factor marked as
verified in the session, as after a real login). Each run's queries are captured; every SELECT is
EXPLAINed once and a sequential scan on a table of more than `BIG_TABLE` rows is reported.
"""

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext

BIG_TABLE = 10_000


@dataclass
class Page:
    name: str
    user: str
    url: Callable[[dict], str] | str
    floor: Callable[[dict], tuple[str, list | dict]] | None = None


def _one(sql: str, params=()) -> object:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    return row[0] if row else None


def _user_ctx(username: str) -> dict:
    from agencies.models import User

    user = User.objects.get(username=username)
    return {"user": user, "agencies": sorted(user.agency_ids()) or [0]}


# --- what the pages look at (chosen from the data, the busiest record a user may open) -------


def _busiest_case_where(ctx: dict, *, on_agenda: bool) -> str:
    """The case with most notes among those the user may open (asked through the app itself),
    with or without items on a meeting's agenda — a case page shows more sections with them
    (decisions, roles, the meeting's access to its persons), so each kind is compared with its
    own kind between scales."""
    from django.db.models import Count

    from cases.selectors.support import cases_visible_to

    tabled = cases_visible_to(ctx["user"]).filter(agenda_items__isnull=False).values("pk")
    cases = cases_visible_to(ctx["user"])
    cases = cases.filter(pk__in=tabled) if on_agenda else cases.exclude(pk__in=tabled)
    case = cases.annotate(n=Count("notes")).order_by("-n").values_list("public_id", flat=True)
    return f"/cases/support/{case.first()}/"


def _busiest_case(ctx: dict) -> str:
    return _busiest_case_where(ctx, on_agenda=False)


def _busiest_case_on_agenda(ctx: dict) -> str:
    return _busiest_case_where(ctx, on_agenda=True)


def _busiest_person(ctx: dict) -> str:
    """The person with most consultations at the user's agency that the user may open."""
    from agencies import policy
    from cases.models import Person

    candidates = (
        Person.objects.filter(consultations__agency_id__in=ctx["agencies"])
        .annotate(n=models.Count("consultations"))
        .order_by("-n")[:50]
    )
    for person in candidates:
        if policy.can(ctx["user"], "person.view", person):
            return f"/cases/persons/{person.public_id}/"
    return "/cases/persons/"


def _busiest_meeting(ctx: dict) -> str:
    value = _one(
        """SELECT m.public_id FROM meetings_meeting m
           ORDER BY (SELECT count(*) FROM meetings_agendaitem i WHERE i.meeting_id = m.id) DESC
           LIMIT 1"""
    )
    return f"/meetings/m/{value}/"


# --- floors ---------------------------------------------------------------------------------


# Cases the user may open (cases.policy.support, written out): the cases a grant in force opens
# to the user's agencies, and those the user coordinates for one of them.
_VISIBLE_CASES = """SELECT g.case_id FROM access_accessgrant g
     WHERE g.agency_id = ANY(%(agencies)s) AND g.case_id IS NOT NULL AND g.person_id IS NULL
       AND g.ended_at IS NULL AND g.valid_from <= now()
       AND (g.valid_until IS NULL OR g.valid_until > now())
       AND (g.user_id IS NULL OR g.user_id = %(user)s)
  UNION SELECT c.id FROM cases_supportcase c WHERE c.coordinator_id = %(user)s
     AND coalesce(c.coordinating_agency_id, c.lead_agency_id) = ANY(%(agencies)s)"""


def _floor_case_list(ctx: dict) -> tuple[str, dict]:
    # The page's 30 open cases the user may open with their lead agency, coordinator and team
    # size, the count its pager prints, and the coordinators its filter offers (until session
    # 26: 25 cases visible through team rows, without the filter's names).
    return (
        f"""WITH v AS ({_VISIBLE_CASES}),
           c AS (SELECT c.id, c.public_id, c.number, c.summary, c.status, c.opened_on,
                        c.next_monitoring_on, c.lead_agency_id, c.coordinator_id
                 FROM cases_supportcase c JOIN v ON v.case_id = c.id
                 WHERE c.status NOT IN ('closed', 'handed_back'))
           SELECT (SELECT json_agg(x) FROM (
                     SELECT c.public_id, c.number, c.summary, c.status, c.opened_on,
                            c.next_monitoring_on, a.name, a.short_name, u.display_name,
                            (SELECT count(*) FROM cases_caseteammember t WHERE t.case_id = c.id
                               AND t.joined_on <= current_date
                               AND (t.left_on IS NULL OR t.left_on >= current_date))
                     FROM c JOIN agencies_agency a ON a.id = c.lead_agency_id
                     LEFT JOIN agencies_user u ON u.id = c.coordinator_id
                     ORDER BY c.opened_on DESC, c.id DESC LIMIT %(rows)s) x),
                  (SELECT count(*) FROM c),
                  (SELECT array_agg(u.display_name ORDER BY u.kana, u.id) FROM agencies_user u
                   WHERE u.is_active AND u.id IN (
                     SELECT m.user_id FROM agencies_membership m
                     JOIN agencies_agency a ON a.id = m.agency_id
                     WHERE m.role = 'coordinator' AND m.start_date <= current_date
                       AND (m.end_date IS NULL OR m.end_date >= current_date)
                       AND (a.programmes @> '["multiagency"]' OR a.id = ANY(%(agencies)s))))""",  # noqa: S608 - the module's own fragments
        {"agencies": ctx["agencies"], "user": ctx["user"].pk, "rows": 30},
    )


def _floor_api_cases(ctx: dict) -> tuple[str, dict]:
    # The API's 50 open cases the user may open (REST_FRAMEWORK PAGE_SIZE) and their count
    # (until session 26: 25 cases visible through team rows).
    return (
        f"""WITH v AS ({_VISIBLE_CASES}),
           c AS (SELECT c.* FROM cases_supportcase c JOIN v ON v.case_id = c.id
                 WHERE c.status NOT IN ('closed', 'handed_back'))
           SELECT c.*, a.name, (SELECT count(*) FROM c) FROM c
           JOIN agencies_agency a ON a.id = c.lead_agency_id
           ORDER BY c.opened_on DESC, c.id DESC LIMIT 50""",  # noqa: S608 - the module's own fragments
        {"agencies": ctx["agencies"], "user": ctx["user"].pk},
    )


def _shien_kaigi_bodies(ctx: dict) -> dict:
    """The user's pledged seats on bodies that open persons without consent, as two arrays of
    the same length (body, look-back days) for the floors' hand-written visibility."""
    from meetings.access import _bases

    bases = _bases(ctx["user"])
    return {"bodies": list(bases) or [0], "days": [days for days, _s in bases.values()] or [0]}


# Persons the user may see (cases.policy.persons.person_visibility_q, written out): the agency's
# own records, the grants in force for the user's agencies, the persons on the agenda of a
# 支援会議 the user has pledged for, within its basis's look-back.
_VISIBLE_PERSON = """(p.registered_by_agency_id = ANY(%(agencies)s)
  OR p.id IN (SELECT g.person_id FROM access_accessgrant g
              WHERE g.agency_id = ANY(%(agencies)s) AND g.person_id IS NOT NULL
                AND g.ended_at IS NULL AND g.valid_from <= now()
                AND (g.valid_until IS NULL OR g.valid_until > now())
                AND (g.user_id IS NULL OR g.user_id = %(user)s))
  OR p.id IN (SELECT ip.person_id FROM meetings_agendaitem_persons ip
              JOIN meetings_agendaitem i ON i.id = ip.agendaitem_id
              JOIN meetings_meeting m ON m.id = i.meeting_id
              JOIN unnest(%(bodies)s::bigint[], %(days)s::int[]) b(body_id, days)
                ON b.body_id = m.body_id AND m.starts_at >= now() - b.days * interval '1 day'
              WHERE m.status <> 'cancelled'))"""


def _floor_person_search(q: str) -> Callable[[dict], tuple[str, list | dict]]:
    from cases.normalize import normalize_kana, normalize_name
    from cases.selectors.persons import _IDEOGRAPH, ELSEWHERE_SCAN

    def match(column: str, value: str) -> str:
        # The same index for each length as cases.selectors.persons._text_match.
        like = f"p.{column} LIKE '%%' || %({column})s || '%%'"
        if len(value) == 2:
            return f"(bigrams(p.{column}::text) @> ARRAY[%({column})s] AND {like})"
        return like

    def floor(ctx: dict) -> tuple[str, list | dict]:
        name, kana = normalize_name(q), normalize_kana(q)
        if connection.vendor != "postgresql":
            return ("SELECT id FROM cases_person WHERE name_search LIKE %s LIMIT 25", [f"%{name}%"])
        cond = match("name_search", name)
        if kana and not _IDEOGRAPH.search(kana):
            cond = f"({cond} OR {match('kana_search', kana)})"
        # The page's 50 rows with their registering agency, and the names of the agencies that
        # hold the matches the user may not see, among the first ELSEWHERE_SCAN (until session
        # 26: the matches without the visibility, 25 rows).
        return (
            f"""WITH m AS (
                  SELECT p.id, p.public_id, p.family_name, p.given_name, p.family_name_kana,
                         p.given_name_kana, p.birth_date, p.kana_search, p.name_search,
                         p.registered_by_agency_id, {_VISIBLE_PERSON} AS visible
                  FROM cases_person p WHERE p.merged_into_id IS NULL AND {cond})
               SELECT (SELECT json_agg(t) FROM (
                         SELECT m.public_id, m.family_name, m.given_name, m.family_name_kana,
                                m.given_name_kana, m.birth_date, a.name FROM m
                         JOIN agencies_agency a ON a.id = m.registered_by_agency_id
                         WHERE m.visible ORDER BY coalesce(m.kana_search, ''), m.name_search, m.id
                         LIMIT 50) t),
                      (SELECT array_agg(DISTINCT a.name) FROM (
                         SELECT m.registered_by_agency_id FROM m WHERE NOT m.visible
                         LIMIT %(scan)s) o JOIN agencies_agency a ON a.id = o.registered_by_agency_id)
                 """,  # noqa: S608 - the module's own fragments
            {
                "name_search": name,
                "kana_search": kana,
                "scan": ELSEWHERE_SCAN,
                "agencies": ctx["agencies"],
                "user": ctx["user"].pk,
                **_shien_kaigi_bodies(ctx),
            },
        )

    return floor


def _floor_consultations(ctx: dict) -> tuple[str, list]:
    # The page's 50 rows (cases.views.intake.PAGE_SIZE) with their issue categories, and the
    # count it prints (until session 25: 25 rows, no categories).
    return (
        """SELECT c.id, c.received_at, c.summary, a.name,
                  ARRAY(SELECT i.category FROM cases_consultationissue i
                        WHERE i.consultation_id = c.id ORDER BY i.id),
                  (SELECT count(*) FROM cases_consultation WHERE agency_id = ANY(%s))
           FROM cases_consultation c JOIN agencies_agency a ON a.id = c.agency_id
           WHERE c.agency_id = ANY(%s) ORDER BY c.received_at DESC, c.id DESC LIMIT 50""",
        [ctx["agencies"], ctx["agencies"]],
    )


def _floor_inbox(ctx: dict) -> tuple[str, list]:
    # The page's 50 rows with the sending agency's name, and the counts of its six tabs (until
    # session 25: the rows alone; until session 28: four of the tabs).
    return (
        """SELECT r.id, r.number, r.status, r.sent_at, a.name, k.*
           FROM cases_referral r JOIN agencies_agency a ON a.id = r.from_agency_id,
                (SELECT count(*) FILTER (WHERE status = 'sent') AS new,
                        count(*) FILTER (WHERE status IN ('sent', 'opened')
                                         AND answer_due_on < CURRENT_DATE) AS overdue,
                        count(*) FILTER (WHERE assignee_id = %s AND status NOT IN
                                         ('accepted', 'returned', 'withdrawn')) AS mine,
                        count(*) FILTER (WHERE status = 'info_requested') AS info_requested,
                        count(*) FILTER (WHERE status IN ('sent', 'opened', 'info_requested'))
                          AS open,
                        count(*) AS every
                 FROM cases_referral WHERE to_agency_id = ANY(%s) AND status <> 'draft') k
           WHERE r.to_agency_id = ANY(%s) AND r.status IN ('sent', 'opened', 'info_requested')
           ORDER BY r.sent_at DESC LIMIT 50""",
        [ctx["user"].pk, ctx["agencies"], ctx["agencies"]],
    )


# Each section of the case page as the rows it prints (until session 26: the timeline's 20
# notes alone, against a page of fifteen sections and 30 notes). One statement, one sub-select a
# section; the policy's own reads (grants, seats) are the page's, not the floor's.
_CASE_PAGE = """
WITH c AS (
  SELECT c.id, c.household_id, c.number, c.status, c.opened_on, c.summary, c.programmes,
         c.next_monitoring_on, c.followup_on, p.family_name, p.given_name, p.birth_date,
         la.name AS lead_agency, ca.name AS coordinating_agency, u.display_name AS coordinator
  FROM cases_supportcase c LEFT JOIN cases_person p ON p.id = c.principal_id
  JOIN agencies_agency la ON la.id = c.lead_agency_id
  LEFT JOIN agencies_agency ca ON ca.id = c.coordinating_agency_id
  LEFT JOIN agencies_user u ON u.id = c.coordinator_id
  WHERE c.public_id = %(case)s)
SELECT c.*,
 (SELECT json_agg(t) FROM (SELECT m.role, m.duties, m.joined_on, m.left_on, a.name, w.display_name
    FROM cases_caseteammember m JOIN agencies_agency a ON a.id = m.agency_id
    LEFT JOIN agencies_user w ON w.id = m.user_id
    WHERE m.case_id = c.id ORDER BY m.joined_on, m.id) t) AS team,
 (SELECT json_agg(t) FROM (SELECT s.public_id, s.number, s.assessed_on, s.risk_level,
    s.superseded_at, w.display_name, a.name FROM cases_assessment s
    JOIN agencies_user w ON w.id = s.author_id JOIN agencies_agency a ON a.id = s.agency_id
    WHERE s.case_id = c.id ORDER BY s.number DESC) t) AS assessments,
 (SELECT json_agg(t) FROM (SELECT s.public_id, s.programme, s.number, s.status, s.period_start,
    s.period_end, s.next_monitoring_on, s.approved_at, w.display_name, a.name, v.display_name
    FROM cases_plan s JOIN agencies_user w ON w.id = s.author_id
    JOIN agencies_agency a ON a.id = s.agency_id LEFT JOIN agencies_user v ON v.id = s.approved_by_id
    WHERE s.case_id = c.id ORDER BY s.number DESC) t) AS plans,
 (SELECT json_agg(t) FROM (SELECT s.public_id, s.number, s.status, s.evaluated_on, s.decision,
    p.number AS plan_number, w.display_name, a.name, b.name AS lead_after
    FROM cases_evaluation s JOIN cases_plan p ON p.id = s.plan_id
    JOIN agencies_user w ON w.id = s.author_id JOIN agencies_agency a ON a.id = s.agency_id
    LEFT JOIN agencies_agency b ON b.id = s.lead_agency_after_id
    WHERE s.case_id = c.id ORDER BY s.number DESC) t) AS evaluations,
 (SELECT json_agg(t) FROM (SELECT h.started_on, h.ended_on, h.reason_code, h.reason_params,
    a.name, w.display_name FROM cases_leadagencyhistory h JOIN agencies_agency a ON a.id = h.agency_id
    LEFT JOIN agencies_user w ON w.id = h.set_by_id
    WHERE h.case_id = c.id ORDER BY h.started_on, h.id) t) AS lead_history,
 (SELECT json_agg(t) FROM (SELECT m.relation, m.is_key_person, m.lives_together, m.left_on,
    p.public_id, p.family_name, p.given_name, p.birth_date, p.deceased_on
    FROM cases_householdmember m JOIN cases_person p ON p.id = m.person_id
    WHERE m.household_id = c.household_id ORDER BY m.is_key_person DESC, m.id) t) AS household,
 (SELECT json_agg(t) FROM (SELECT s.number, s.public_id FROM cases_supportcase s
    WHERE s.previous_case_id = c.id ORDER BY s.opened_on DESC, s.id DESC) t) AS next_cases,
 (SELECT json_agg(t) FROM (SELECT s.from_status, s.to_status, s.at, s.reason_code, s.reason_params,
    w.display_name FROM cases_casetransition s JOIN agencies_user w ON w.id = s.actor_id
    WHERE s.case_id = c.id ORDER BY s.at, s.id) t) AS transitions,
 (SELECT json_agg(t) FROM (SELECT m.monitored_on, m.progress, m.note, i.goal, p.number,
    w.display_name FROM cases_monitoring m JOIN cases_planitem i ON i.id = m.item_id
    JOIN cases_plan p ON p.id = i.plan_id JOIN agencies_user w ON w.id = m.author_id
    WHERE p.case_id = c.id
    ORDER BY p.number DESC, i."order", i.id, m.monitored_on DESC, m.id DESC) t) AS monitoring,
 (SELECT json_agg(t) FROM (SELECT n.occurred_at, n.kind, n.with_whom, n.content, n.public_id,
    n.visibility, a.name, w.display_name FROM cases_activitynote n
    JOIN agencies_agency a ON a.id = n.agency_id JOIN agencies_user w ON w.id = n.author_id
    WHERE n.case_id = c.id AND (n.visibility = 'team' OR n.agency_id = ANY(%(agencies)s)
                                OR n.author_id = %(user)s)
    ORDER BY n.occurred_at DESC, n.id DESC LIMIT 30) t) AS notes,
 (SELECT json_agg(t) FROM (SELECT h.effective_on, h.as_coordinator, h.at, f.display_name,
    o.display_name FROM cases_casehandover h JOIN agencies_user f ON f.id = h.from_user_id
    JOIN agencies_user o ON o.id = h.to_user_id WHERE h.case_id = c.id ORDER BY h.at DESC) t)
    AS handovers,
 (SELECT json_agg(t) FROM (SELECT r.public_id, r.number, r.status, r.sent_at, r.answered_at,
    r.outcome, f.name, o.name FROM cases_referral r JOIN agencies_agency f ON f.id = r.from_agency_id
    JOIN agencies_agency o ON o.id = r.to_agency_id
    WHERE (r.case_id = c.id OR r.household_id = c.household_id) AND r.status <> 'draft'
    ORDER BY r.created_at DESC, r.id DESC) t) AS referrals,
 (SELECT json_agg(t) FROM (SELECT s.public_id, s.received_at, s.route, s.summary, a.name
    FROM cases_consultation s JOIN agencies_agency a ON a.id = s.agency_id
    WHERE s.household_id = c.household_id ORDER BY s.received_at DESC, s.id DESC) t)
    AS consultations,
 (SELECT json_agg(t) FROM (SELECT i.public_id, i.title, i.kind, m.starts_at, m.status, b.name,
    a.name, d.kind, d.text FROM meetings_agendaitem i JOIN meetings_meeting m ON m.id = i.meeting_id
    JOIN meetings_meetingbody b ON b.id = m.body_id JOIN agencies_agency a ON a.id = b.convenor_id
    LEFT JOIN meetings_decision d ON d.item_id = i.id
    WHERE i.case_id = c.id AND m.status <> 'cancelled' ORDER BY m.starts_at) t) AS meetings,
 (SELECT json_agg(t) FROM (SELECT s.public_id, s.title, s.status, s.raised_on, a.name
    FROM community_communityissue s LEFT JOIN agencies_agency a ON a.id = s.owner_agency_id
    WHERE s.source_case_id = c.id OR s.raised_from_id IN (
      SELECT i.id FROM meetings_agendaitem i WHERE i.case_id = c.id)
    ORDER BY s.raised_on DESC, s.id DESC) t) AS community_issues
FROM c"""


def _floor_case_page(ctx: dict) -> tuple[str, dict]:
    return (
        _CASE_PAGE,
        {"case": _url_id(ctx), "agencies": ctx["agencies"], "user": ctx["user"].pk},
    )


def _floor_audit(ctx: dict) -> tuple[str, list]:
    # The page's 50 rows and the count it prints, capped as the page caps it
    # (agencies.paging.CappedPaginator: 「10,000件以上」; until session 25: the rows alone).
    return (
        """SELECT e.*, (SELECT count(*) FROM (SELECT 1 FROM audit_auditevent LIMIT 10001) s)
           FROM audit_auditevent e ORDER BY e.at DESC, e.id DESC LIMIT 50""",
        [],
    )


def _floor_notifications(ctx: dict) -> tuple[str, list]:
    # What the inbox shows by default: the 30 newest unread, unresolved notifications and their
    # number (until session 25: the newest 25 of all, read or not).
    return (
        """SELECT n.*, (SELECT count(*) FROM notifications_notification
                        WHERE recipient_id = %s AND read_at IS NULL AND resolved_at IS NULL)
           FROM notifications_notification n
           WHERE n.recipient_id = %s AND n.read_at IS NULL AND n.resolved_at IS NULL
           ORDER BY n.created_at DESC, n.id DESC LIMIT 30""",
        [ctx["user"].pk, ctx["user"].pk],
    )


def _search(q: str = "", **extra) -> str:
    return "/cases/persons/?" + urlencode({"q": q, **extra})


PAGES = [
    Page("dashboard (coordinator suishin1)", "suishin1", "/"),
    Page("dashboard (caseworker houkatsu-n1)", "houkatsu-n1", "/"),
    Page("dashboard (supervisor kakaricho)", "kakaricho", "/"),
    Page("dashboard (admin)", "admin", "/"),
    Page(
        "person search 2-char kanji 佐藤",
        "houkatsu-n1",
        _search("佐藤"),
        _floor_person_search("佐藤"),
    ),
    Page(
        "person search 4-char name 山田太郎",
        "houkatsu-n1",
        _search("山田太郎"),
        _floor_person_search("山田太郎"),
    ),
    Page(
        "person search kana たかはし",
        "houkatsu-n1",
        _search("たかはし"),
        _floor_person_search("たかはし"),
    ),
    Page("person search phone", "houkatsu-n1", _search(phone="090-123")),
    Page("person search birth date", "houkatsu-n1", _search(birth_date="1950-04-01")),
    Page("person page (busiest)", "houkatsu-n1", _busiest_person),
    Page("consultation list", "houkatsu-n1", "/cases/consultations/", _floor_consultations),
    Page("referral inbox (coordinator)", "suishin1", "/cases/referrals/inbox/", _floor_inbox),
    Page("case list (coordinator)", "suishin1", "/cases/support/", _floor_case_list),
    Page("case list (caseworker)", "houkatsu-n1", "/cases/support/", _floor_case_list),
    Page("case page (busiest)", "suishin1", _busiest_case, _floor_case_page),
    Page(
        "case page (on a meeting's agenda)", "suishin1", _busiest_case_on_agenda, _floor_case_page
    ),
    Page("meeting page (busiest)", "kakaricho", _busiest_meeting),
    Page("audit log", "admin", "/audit/", _floor_audit),
    Page("notification inbox", "suishin1", "/notifications/", _floor_notifications),
    Page("API support-cases", "suishin1", "/api/v1/support-cases/", _floor_api_cases),
    Page(
        "API persons ?q=佐藤",
        "houkatsu-n1",
        "/api/v1/persons/?q=佐藤",
        _floor_person_search("佐藤"),
    ),
    Page("API consultations", "houkatsu-n1", "/api/v1/consultations/", _floor_consultations),
    # Households are visible through their members' grants: a scan of every household until
    # session 21 (40 ms for the coordinator's count).
    Page("API households (coordinator)", "suishin1", "/api/v1/households/"),
    Page("API consents (caseworker)", "houkatsu-n1", "/api/v1/consents/"),
]

# --- the programmes: アウトリーチ, 参加支援, 地域づくり -------------------------------------------


def _busiest_target(ctx: dict) -> str:
    """The outreach target with most contacts among those the user may open."""
    from outreach.selectors import targets_visible_to

    target = (
        targets_visible_to(ctx["user"])
        .annotate(n=models.Count("contacts"))
        .order_by("-n", "pk")
        .values_list("public_id", flat=True)
        .first()
    )
    return f"/outreach/{target}/" if target else "/outreach/"


def _busiest_place() -> str | None:
    value = _one(
        """SELECT r.public_id FROM community_resource r
           WHERE r.is_place ORDER BY (SELECT count(*) FROM community_session s
             WHERE s.resource_id = r.id) DESC, r.id LIMIT 1"""
    )
    return str(value) if value else None


def _place_page(ctx: dict) -> str:
    return f"/community/places/{_busiest_place()}/"


def _session_list(ctx: dict) -> str:
    return f"/community/places/{_busiest_place()}/sessions/"


def _busiest_placement(ctx: dict) -> str:
    """The placement with most follow-up among the cases the user may open."""
    from cases.selectors.support import cases_visible_to
    from participation.models import Placement

    value = (
        Placement.objects.filter(case__in=cases_visible_to(ctx["user"]))
        .annotate(n=models.Count("follow_ups"))
        .order_by("-n", "pk")
        .values_list("public_id", flat=True)
        .first()
    )
    return f"/participation/placements/{value}/" if value else "/participation/"


def _match_page(ctx: dict) -> str:
    """The matching of a current assessment the user may open (its cost is the catalogue's)."""
    from cases.selectors.support import cases_visible_to
    from participation.models import ParticipationAssessment

    value = (
        ParticipationAssessment.objects.current()
        .filter(case__in=cases_visible_to(ctx["user"]))
        .order_by("-pk")
        .values_list("public_id", flat=True)
        .first()
    )
    return f"/participation/assessments/{value}/match/" if value else "/participation/"


def _url_id(ctx: dict, back: int = 1) -> str:
    """The public id in the page's URL (`back` path segments from the end)."""
    return ctx["url"].rstrip("/").split("/")[-back]


# Targets the user may open (outreach.policy.visible_q, written out): the agency's, the lead
# worker's and assignees', the owners' of a target's newest plan, and those a 支援会議 the user
# has pledged for had on its agenda within its basis's look-back.
_VISIBLE_TARGETS = """SELECT t.id FROM outreach_outreachtarget t
     WHERE t.agency_id = ANY(%(agencies)s) OR t.lead_worker_id = %(user)s
  UNION SELECT a.outreachtarget_id FROM outreach_outreachtarget_assignees a
     WHERE a.user_id = %(user)s
  UNION SELECT p.target_id FROM outreach_outreachplan p
     JOIN outreach_outreachplan_owners o ON o.outreachplan_id = p.id AND o.user_id = %(user)s
     WHERE p.id = (SELECT n.id FROM outreach_outreachplan n WHERE n.target_id = p.target_id
                   ORDER BY n.decided_on DESC, n.id DESC LIMIT 1)
  UNION SELECT l.target_id FROM outreach_agendalink l
     JOIN meetings_agendaitem i ON i.request_id = l.request_id
     JOIN meetings_meeting m ON m.id = i.meeting_id
     JOIN meetings_meetingbody y ON y.id = m.body_id AND y.kind = 'shien_kaigi'
     JOIN unnest(%(bodies)s::bigint[], %(days)s::int[]) b(body_id, days)
       ON b.body_id = m.body_id AND m.starts_at >= now() - b.days * interval '1 day'
     WHERE m.status <> 'cancelled'"""


def _floor_outreach_list(ctx: dict) -> tuple[str, dict]:
    # The 30 open targets the page lists first, with the count its pager prints, among the
    # targets the user may open (until session 26: the user's agencies' targets only).
    return (
        f"""WITH v AS ({_VISIBLE_TARGETS})
           SELECT t.id, t.number, t.approx_name, t.stage, t.last_contact_at, a.name, w.display_name,
                  (SELECT count(*) FROM outreach_outreachcontact c WHERE c.target_id = t.id),
                  (SELECT count(*) FROM outreach_outreachtarget o JOIN v ON v.id = o.id
                    WHERE o.stage <> 'closed')
           FROM outreach_outreachtarget t JOIN v ON v.id = t.id
           JOIN agencies_agency a ON a.id = t.agency_id
           LEFT JOIN agencies_user w ON w.id = t.lead_worker_id
           WHERE t.stage <> 'closed'
           ORDER BY CASE t.urgency WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 ELSE 2 END,
                    t.last_contact_at ASC NULLS FIRST, t.created_at DESC, t.id DESC LIMIT 30""",  # noqa: S608 - the module's own fragments
        {"agencies": ctx["agencies"], "user": ctx["user"].pk, **_shien_kaigi_bodies(ctx)},
    )


def _floor_outreach_target(ctx: dict) -> tuple[str, dict]:
    """The target page: the target with its agency, area and workers, its stage history, its
    plans with their owners, its planned visits and every contact with the staff who went
    (until session 26: the contacts alone)."""
    return (
        """WITH t AS (
             SELECT t.id, t.number, t.approx_name, t.approx_kana, t.approx_address, t.approx_age,
                    t.worry, t.urgency, t.stage, t.next_try_on, t.last_contact_at, a.name AS agency,
                    r.name AS area, w.display_name AS lead_worker
             FROM outreach_outreachtarget t JOIN agencies_agency a ON a.id = t.agency_id
             LEFT JOIN agencies_area r ON r.id = t.area_id
             LEFT JOIN agencies_user w ON w.id = t.lead_worker_id
             WHERE t.public_id = %(target)s)
           SELECT t.*,
            (SELECT array_agg(u.display_name ORDER BY u.kana) FROM outreach_outreachtarget_assignees s
               JOIN agencies_user u ON u.id = s.user_id WHERE s.outreachtarget_id = t.id) AS assignees,
            (SELECT json_agg(x) FROM (SELECT s.from_stage, s.to_stage, s.on, s.reason, u.display_name
               FROM outreach_stagetransition s LEFT JOIN agencies_user u ON u.id = s.actor_id
               WHERE s.target_id = t.id ORDER BY s.at, s.id) x) AS stages,
            (SELECT json_agg(x) FROM (SELECT p.public_id, p.decided_on, p.approach, p.next_review_on,
               (SELECT array_agg(u.display_name) FROM outreach_outreachplan_owners o
                  JOIN agencies_user u ON u.id = o.user_id WHERE o.outreachplan_id = p.id)
               FROM outreach_outreachplan p WHERE p.target_id = t.id
               ORDER BY p.decided_on DESC, p.id DESC) x) AS plans,
            (SELECT json_agg(x) FROM (SELECT v.planned_on, v.planned_time, v.kind, v.purpose
               FROM outreach_plannedvisit v WHERE v.target_id = t.id AND NOT v.cancelled
               ORDER BY v.planned_on, v.id) x) AS visits,
            (SELECT json_agg(x) FROM (SELECT c.kind, c.occurred_at, c.outcome, c.content,
               c.next_step, u.display_name, (SELECT array_agg(s.display_name)
                 FROM outreach_outreachcontact_staff cs JOIN agencies_user s ON s.id = cs.user_id
                 WHERE cs.outreachcontact_id = c.id)
               FROM outreach_outreachcontact c JOIN agencies_user u ON u.id = c.author_id
               WHERE c.target_id = t.id ORDER BY c.occurred_at DESC, c.id DESC) x) AS contacts
           FROM t""",
        {"target": _url_id(ctx)},
    )


def _floor_place_list(ctx: dict) -> tuple[str, list]:
    from community.selectors import current_fy_range

    start, end = current_fy_range()
    return (
        """SELECT r.id, r.name, r.kind, a.name, f.n, f.people, f.last,
                  (SELECT count(*) FROM community_resource WHERE is_place)
           FROM community_resource r LEFT JOIN agencies_area a ON a.id = r.area_id
           LEFT JOIN LATERAL (SELECT count(*) n, sum(participants) people, max(held_on) last
             FROM community_session s WHERE s.resource_id = r.id
             AND s.held_on BETWEEN %s AND %s) f ON true
           WHERE r.is_place ORDER BY a.sort_order, r.kana, r.id LIMIT 50""",
        [start, end],
    )


def _floor_place_page(ctx: dict) -> tuple[str, list]:
    from community.selectors import current_fy_range

    start, end = current_fy_range()
    return (
        """SELECT s.*, f.* FROM (
             SELECT s.* FROM community_session s JOIN community_resource r ON r.id = s.resource_id
             WHERE r.public_id = %s ORDER BY s.held_on DESC, s.id DESC LIMIT 12) s
           CROSS JOIN (SELECT count(*), sum(s.participants), sum(s.volunteers)
             FROM community_session s JOIN community_resource r ON r.id = s.resource_id
             WHERE r.public_id = %s AND s.held_on BETWEEN %s AND %s) f""",
        [_url_id(ctx), _url_id(ctx), start, end],
    )


def _floor_sessions(ctx: dict) -> tuple[str, list]:
    return (
        """SELECT s.*, (SELECT count(*) FROM community_session WHERE resource_id = r.id)
           FROM community_session s JOIN community_resource r ON r.id = s.resource_id
           WHERE r.public_id = %s ORDER BY s.held_on DESC, s.id DESC LIMIT 50""",
        [_url_id(ctx, 2)],
    )


def _floor_caseload(ctx: dict) -> tuple[str, dict]:
    # The 参加支援 caseload: the open cases of the programme the user may open (50 a page) with
    # their lead agency and coordinator, each case's current assessments with the person's name,
    # its placements with the place's name, and the outcomes of the ended placements by person
    # (until session 26: the case rows alone, visible through team rows, 200 of them), and the
    # count its pager prints (until session 28: not read).
    return (
        f"""WITH v AS ({_VISIBLE_CASES}),
           m AS (SELECT c.id, c.opened_on FROM cases_supportcase c JOIN v ON v.case_id = c.id
                 WHERE c.status NOT IN ('closed', 'handed_back')
                   AND (c.programmes @> '["participation"]'
                        OR EXISTS (SELECT 1 FROM participation_participationassessment s
                                   WHERE s.case_id = c.id))),
           c AS (SELECT c.id, c.public_id, c.number, c.opened_on, c.status, a.name AS lead_agency,
                        u.display_name AS coordinator
                 FROM (SELECT id FROM m ORDER BY opened_on DESC, id DESC LIMIT 50) k
                 JOIN cases_supportcase c ON c.id = k.id
                 JOIN agencies_agency a ON a.id = c.lead_agency_id
                 LEFT JOIN agencies_user u ON u.id = c.coordinator_id
                 ORDER BY c.opened_on DESC, c.id DESC)
           SELECT (SELECT json_agg(c) FROM c), (SELECT count(*) FROM m),
            (SELECT json_agg(x) FROM (SELECT s.public_id, s.case_id, s.number, s.assessed_on,
               p.family_name, p.given_name FROM participation_participationassessment s
               JOIN c ON c.id = s.case_id JOIN cases_person p ON p.id = s.person_id
               WHERE s.superseded_at IS NULL) x),
            (SELECT json_agg(x) FROM (SELECT l.public_id, l.case_id, l.status, r.name
               FROM participation_placement l JOIN c ON c.id = l.case_id
               JOIN community_resource r ON r.id = l.resource_id ORDER BY l.created_at DESC) x),
            (SELECT json_agg(x) FROM (SELECT l.outcome, count(DISTINCT l.person_id)
               FROM participation_placement l JOIN v ON v.case_id = l.case_id
               WHERE l.status = 'ended' GROUP BY l.outcome ORDER BY l.outcome) x)""",  # noqa: S608 - the module's own fragments
        {"agencies": ctx["agencies"], "user": ctx["user"].pk},
    )


# What the matching reads of every resource a worker may propose (the ranking scores them all).
_CATALOGUE = """SELECT r.id, r.public_id, r.name, r.kind, r.latitude, r.longitude, r.area_id,
       r.capacity, r.min_age, r.max_age, r.cost_yen, r.interest_tags, r.accepts_helpers,
       r.host_experience, p.*,
       (SELECT count(*) FROM participation_placement pl
         WHERE pl.resource_id = r.id AND pl.status IN ('trial', 'active'))
    FROM community_resource r LEFT JOIN participation_resourceprofile p ON p.resource_id = r.id
    WHERE r.status IN ('active', 'preparing')"""


def _floor_match(ctx: dict) -> tuple[str, list]:
    return (_CATALOGUE, [])


def _floor_catalogue(ctx: dict) -> tuple[str, list]:
    # The page's 50 rows and the count its pager prints (until session 25: the rows alone).
    return (
        """SELECT r.id, r.public_id, r.name, r.kind, r.latitude, r.longitude, r.area_id,
       r.capacity, r.min_age, r.max_age, r.cost_yen, r.interest_tags, r.accepts_helpers,
       r.host_experience, p.*,
       (SELECT count(*) FROM participation_placement pl
         WHERE pl.resource_id = r.id AND pl.status IN ('trial', 'active')),
       (SELECT count(*) FROM community_resource WHERE status IN ('active', 'preparing'))
    FROM community_resource r LEFT JOIN participation_resourceprofile p ON p.resource_id = r.id
    WHERE r.status IN ('active', 'preparing') ORDER BY r.kana, r.name, r.id LIMIT 50""",
        [],
    )


def _floor_placement(ctx: dict) -> tuple[str, dict]:
    # What the placement page prints: the placement with its case, person, place, agency and
    # worker, its transitions, the 60 newest activity days and their totals, every follow-up,
    # and the place's occupancy (until session 26: the follow-ups and days alone).
    return (
        """WITH p AS (
             SELECT p.id, p.resource_id, p.role, p.status, p.proposed_on, p.started_on,
                    p.ended_on, p.outcome, p.activity, p.match_score, c.number, c.public_id,
                    e.family_name, e.given_name, r.name AS place, r.capacity, ar.name AS area,
                    a.name AS agency, w.display_name AS worker, s.number AS assessment
             FROM participation_placement p JOIN cases_supportcase c ON c.id = p.case_id
             JOIN cases_person e ON e.id = p.person_id
             JOIN community_resource r ON r.id = p.resource_id
             LEFT JOIN agencies_area ar ON ar.id = r.area_id
             JOIN agencies_agency a ON a.id = p.agency_id
             LEFT JOIN agencies_user w ON w.id = p.worker_id
             LEFT JOIN participation_participationassessment s ON s.id = p.assessment_id
             WHERE p.public_id = %(placement)s)
           SELECT p.*,
            (SELECT json_agg(t) FROM (SELECT t.from_status, t.to_status, t.on, t.note,
               u.display_name FROM participation_placementtransition t
               LEFT JOIN agencies_user u ON u.id = t.by_id
               WHERE t.placement_id = p.id ORDER BY t.at, t.id) t) AS transitions,
            (SELECT json_agg(t) FROM (SELECT d.on, d.hours, d.source, d.note, u.display_name
               FROM participation_activityday d LEFT JOIN agencies_user u ON u.id = d.recorded_by_id
               WHERE d.placement_id = p.id ORDER BY d.on DESC LIMIT 60) t) AS days,
            (SELECT json_build_array(count(*), sum(d.hours)) FROM participation_activityday d
               WHERE d.placement_id = p.id) AS totals,
            (SELECT json_agg(t) FROM (SELECT f.target, f.kind, f.on, f.minutes, f.content,
               u.display_name FROM participation_followup f
               LEFT JOIN agencies_user u ON u.id = f.staff_id
               WHERE f.placement_id = p.id ORDER BY f.on DESC, f.id DESC) t) AS follow_ups,
            (SELECT count(*) FROM participation_placement o WHERE o.resource_id = p.resource_id
               AND o.status IN ('active', 'trial')) AS occupied
           FROM p""",
        {"placement": _url_id(ctx)},
    )


PROGRAMME_PAGES = [
    Page("outreach target list (csw)", "csw-north", "/outreach/", _floor_outreach_list),
    Page("outreach target page (busiest)", "csw-north", _busiest_target, _floor_outreach_target),
    Page("API outreach targets", "csw-north", "/api/v1/outreach/targets/", _floor_outreach_list),
    Page("community place list", "csw-north", "/community/places/", _floor_place_list),
    Page("community place page (busiest)", "csw-north", _place_page, _floor_place_page),
    Page("community sessions (busiest place)", "csw-north", _session_list, _floor_sessions),
    Page("participation caseload", "sanka1", "/participation/", _floor_caseload),
    Page("participation matching", "sanka1", _match_page, _floor_match),
    Page("participation catalogue", "sanka1", "/participation/resources/", _floor_catalogue),
    Page("participation placement (busiest)", "sanka1", _busiest_placement, _floor_placement),
]

# --- search-as-you-type pickers (agencies/combobox.py): each answer within 100 ms p95 ----------


def _pick(kind: str, q: str = "", **extra) -> str:
    return f"/cases/pick/{kind}/?" + urlencode({"q": q, **extra})


def _consents_of_busiest(ctx: dict) -> str:
    """The consent picker for the visible person with most consents."""
    from cases.models import Person
    from cases.policy.persons import person_visibility_q

    person = (
        Person.objects.filter(person_visibility_q(ctx["user"]))
        .annotate(n=models.Count("consents"))
        .order_by("-n", "pk")
        .first()
    )
    return _pick("consents", person=str(person.public_id) if person else "")


def _staff_of_own_agency(ctx: dict) -> str:
    return "/agencies/pick/staff/?" + urlencode({"agency": ctx["agencies"][0], "q": ""})


def _household_of_a_visible_case(ctx: dict) -> str:
    """The support-case form's 本人 (members of the household) for a household with a case."""
    from cases.selectors.support import cases_visible_to

    case = cases_visible_to(ctx["user"]).select_related("household").order_by("pk").first()
    return case.household.public_id if case else ""


def _members_of_household(ctx: dict) -> str:
    return _pick("persons", household=str(_household_of_a_visible_case(ctx)))


def _closed_cases_of_household(ctx: dict) -> str:
    return _pick("cases/closed", household=str(_household_of_a_visible_case(ctx)))


def _case_by_number(ctx: dict) -> str:
    from cases.selectors.support import cases_visible_to

    case = cases_visible_to(ctx["user"]).order_by("-pk").first()
    return _pick("cases", case.number if case else "R8-0001")


def _agencies(q: str, purpose: str = "agencies") -> str:
    return f"/agencies/pick/{purpose}/?" + urlencode({"q": q})


PICKER_PAGES = [
    Page("picker persons 2-char kanji 佐藤", "houkatsu-n1", _pick("persons", "佐藤")),
    Page("picker persons 1-char 佐", "houkatsu-n1", _pick("persons", "佐")),
    Page("picker persons hiragana さとう", "houkatsu-n1", _pick("persons", "さとう")),
    Page("picker persons katakana サトウ", "houkatsu-n1", _pick("persons", "サトウ")),
    Page("picker persons half-width ｻﾄｳ", "houkatsu-n1", _pick("persons", "ｻﾄｳ")),
    Page("picker persons 1-char kana た (hint)", "houkatsu-n1", _pick("persons", "た")),
    Page("picker persons 1-char kana+year た 1950", "houkatsu-n1", _pick("persons", "た 1950")),
    # A year with a visible 佐藤 at both scales (the 50 of an 8050 household): 1950 found one at
    # 0.1 and none at 1, and an empty answer skips a query — the counts could not be compared.
    Page("picker persons name+year 佐藤 1974", "houkatsu-n1", _pick("persons", "佐藤 1974")),
    Page("picker persons year only 昭和25", "houkatsu-n1", _pick("persons", "昭和25")),
    Page("picker persons 佐藤 (coordinator)", "suishin1", _pick("persons", "佐藤")),
    Page("picker persons たな (coordinator)", "suishin1", _pick("persons", "たな")),
    Page("picker households 佐藤", "houkatsu-n1", _pick("households", "佐藤")),
    Page("picker households address 町", "houkatsu-n1", _pick("households", "町")),
    Page("picker households 佐藤 (coordinator)", "suishin1", _pick("households", "佐藤")),
    Page("picker consents (busiest person)", "houkatsu-n1", _consents_of_busiest),
    Page("picker staff (own agency)", "suishin1", _staff_of_own_agency),
    Page("picker persons (household members)", "suishin1", _members_of_household),
    Page("picker cases by number (coordinator)", "suishin1", _case_by_number),
    Page("picker cases 佐藤 (coordinator)", "suishin1", _pick("cases", "佐藤")),
    Page("picker cases 0001 (caseworker)", "houkatsu-n1", _pick("cases", "0001")),
    Page("picker closed cases (household)", "suishin1", _closed_cases_of_household),
    Page("picker agencies 包括", "houkatsu-n1", _agencies("包括")),
    Page("picker agencies ほくぶ", "houkatsu-n1", _agencies("ほくぶ")),
    Page("picker receivers 福祉 (つなぐシート)", "houkatsu-n1", _agencies("福祉", "receivers")),
]
PAGES += PICKER_PAGES

# Pages other apps add (outreach, participation, community, reports, pickers) register here.
EXTRA_PAGES: list[Page] = [*PROGRAMME_PAGES]


def client_for(username: str) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _big_tables() -> dict[str, int]:
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' AND reltuples > %s",
            [BIG_TABLE],
        )
        return dict(cur.fetchall())


class _DatabaseTimer:
    """The time spent in the database driver, to the microsecond (the query log's own times are
    rounded to the millisecond: a page of six 0.3 ms queries showed 0 ms)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def _is_count(sql: str) -> bool:
    return sql.lstrip().startswith("SELECT COUNT(*)")


def _seq_scans(sql: str, big: dict[str, int]) -> set[str]:
    if connection.vendor != "postgresql" or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return set()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    found = set()

    def walk(node):
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in big:
            found.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def _time(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def run_pages(*, runs: int = 20, only: str | None = None, pages=None) -> list[dict]:
    big = _big_tables()
    results = []
    clients: dict[str, Client] = {}
    for page in pages or (PAGES + EXTRA_PAGES):
        if only and only not in page.name:
            continue
        client = clients.get(page.user) or clients.setdefault(page.user, client_for(page.user))
        ctx = _user_ctx(page.user)
        url = page.url(ctx) if callable(page.url) else page.url
        ctx["url"] = url
        response = client.get(url)  # warm-up (and the status to report)
        for _ in range(3):  # with the run below, five: the statements are prepared from here on
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        # Copy now: the next request resets the connection's query log.
        queries = list(captured.captured_queries)
        seq = set()
        for q in queries:
            seq |= _seq_scans(q["sql"], big)
        db_runs: list[float] = []

        def get(c=client, u=url, db_runs=db_runs):
            # The page's database time is measured on every timed run and reported as the
            # median, like the page's own time (one run's figure moves by a millisecond).
            timer = _DatabaseTimer()
            with connection.execute_wrapper(timer):
                c.get(u)
            db_runs.append(timer.seconds * 1000)

        floor_ms = None
        if page.floor is None:
            times = _time(get, runs)
        else:
            sql, params = page.floor(ctx)

            def run_floor(sql=sql, params=params):
                with connection.cursor() as cur:
                    cur.execute(sql, params)
                    cur.fetchall()

            for _ in range(5):  # as warm as the page
                run_floor()
            # The page and its floor take turns, so that a slow minute of the machine weighs on
            # both (until session 28: the page's runs, then the floor's).
            times, floor_times = [], []
            for _ in range(runs):
                times += _time(get, 1)
                floor_times += _time(run_floor, 1)
            floor_ms = statistics.median(floor_times)
        db_ms = statistics.median(db_runs)
        p50 = statistics.median(times)
        results.append(
            {
                "name": page.name,
                "url": url if "?" in url or "/" == url else url.split("?")[0],
                "status": response.status_code,
                "p50_ms": round(p50, 1),
                "p95_ms": round(_pct(times, 0.95), 1),
                "floor_ms": round(floor_ms, 2) if floor_ms is not None else None,
                "ratio": round(p50 / floor_ms, 1) if floor_ms else None,
                "db_ms": round(db_ms, 1),
                "db_ratio": round(db_ms / floor_ms, 1) if floor_ms else None,
                "queries": len(queries),
                # COUNTs a page runs only when a list is longer than it shows
                # (agencies.paging.FirstPageCountingPaginator, agencies.paging.head_and_count)
                "counts": sum(_is_count(q["sql"]) for q in queries),
                "seq_scans": sorted(seq),
                "sql": [q["sql"][:300] for q in queries],
            }
        )
    return results
