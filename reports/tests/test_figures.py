"""Every figure of the fixture city: the registry's value equals the known answer, and an
independent raw SQL query (written from the rule's words, not from the ORM code) agrees."""

from decimal import Decimal

import pytest
from django.db import connection

from reports import figures
from reports.figures import Period
from reports.tests.city import AS_OF, EXPECTED, FY
from reports.tests.raw_programmes import BREAKDOWNS, RAW_PROGRAMMES

# Period bounds in UTC as stored (Japan has no summer time: local midnight = 15:00 UTC before).
START_UTC = "2026-03-31 15:00:00"
END_UTC = "2027-02-28 15:00:00"  # first instant after 2027-02-28 JST
START, END = "2026-04-01", "2027-02-28"
EFFECTIVE = "COALESCE(t.decided_on, date(t.at, '+9 hours'))"


def one(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def in_period(col):
    return f"{col} >= '{START_UTC}' AND {col} < '{END_UTC}'"


RAW = {
    "consultation.contacts": f"SELECT count(*) FROM cases_consultation c WHERE {in_period('c.received_at')}",
    "consultation.new.persons": f"""SELECT count(DISTINCT c.person_id) FROM cases_consultation c
        WHERE {in_period("c.received_at")} AND c.person_id IS NOT NULL""",
    "consultation.new.households": f"""SELECT count(DISTINCT hh) FROM (
        SELECT COALESCE(c.household_id, (
            SELECT min(m.household_id) FROM cases_householdmember m
            WHERE m.person_id = c.person_id
              AND (m.joined_on IS NULL OR m.joined_on <= date(c.received_at, '+9 hours'))
              AND (m.left_on IS NULL OR m.left_on > date(c.received_at, '+9 hours')))) AS hh
        FROM cases_consultation c WHERE {in_period("c.received_at")}) WHERE hh IS NOT NULL""",
    "consultation.issues": f"""SELECT count(*) FROM cases_consultationissue i
        JOIN cases_consultation c ON c.id = i.consultation_id WHERE {in_period("c.received_at")}""",
    "consultation.from_community": f"""SELECT count(*) FROM cases_consultation c
        WHERE {in_period("c.received_at")} AND c.route IN ('ibasho', 'minsei', 'resident')""",
    "consultation.to_multiagency": f"""SELECT count(*) FROM cases_consultation c
        WHERE {in_period("c.received_at")} AND c.outcome = 'multiagency'""",
    "concern_slip.received": f"SELECT count(*) FROM cases_concernslip s WHERE {in_period('s.submitted_at')}",
    "referral.received": f"SELECT count(*) FROM cases_referral r WHERE {in_period('r.sent_at')}",
    "case.accepted": f"SELECT count(*) FROM cases_supportcase WHERE opened_on BETWEEN '{START}' AND '{END}'",
    "case.accepted.households": f"""SELECT count(DISTINCT household_id) FROM cases_supportcase
        WHERE opened_on BETWEEN '{START}' AND '{END}'""",
    "case.accepted.persons": f"""SELECT count(DISTINCT p.person_id) FROM cases_supportcase_persons p
        JOIN cases_supportcase c ON c.id = p.supportcase_id
        WHERE c.opened_on BETWEEN '{START}' AND '{END}'""",
    "case.closed": f"""SELECT count(*) FROM cases_casetransition t
        WHERE t.to_status = 'closed' AND {EFFECTIVE} BETWEEN '{START}' AND '{END}'""",
    "case.reopened": f"""SELECT count(*) FROM cases_casetransition t
        WHERE t.from_status IN ('closed', 'handed_back') AND {EFFECTIVE} BETWEEN '{START}' AND '{END}'""",
    "case.handed_back": f"""SELECT count(*) FROM cases_casetransition t
        WHERE t.to_status = 'handed_back' AND {EFFECTIVE} BETWEEN '{START}' AND '{END}'""",
    "plan.approved": f"""SELECT count(*) FROM cases_plan WHERE approved_at IS NOT NULL
        AND programme = 'multiagency' AND meeting_on BETWEEN '{START}' AND '{END}'""",
    "meeting.held": f"""SELECT count(*) FROM meetings_meeting m WHERE {in_period("m.starts_at")}
        AND m.status IN ('held', 'minutes_approved')""",
    "meeting.cases_discussed": f"""SELECT count(*) FROM meetings_agendaitem a
        JOIN meetings_meeting m ON m.id = a.meeting_id WHERE {in_period("m.starts_at")}
        AND m.status IN ('held', 'minutes_approved')
        AND (a.case_id IS NOT NULL OR a.household_id IS NOT NULL)""",
}


def status_on_sql(day):
    """Each case's status at the end of `day`, from the transitions (受付 when none)."""
    return f"""SELECT c.id, COALESCE((SELECT t.to_status FROM cases_casetransition t
        WHERE t.case_id = c.id AND {EFFECTIVE} <= '{day}'
        ORDER BY {EFFECTIVE} DESC, t.at DESC, t.id DESC LIMIT 1), 'received') AS st
        FROM cases_supportcase c WHERE c.opened_on <= '{day}'"""


PLACES_OPEN = f"""FROM community_resource r WHERE r.is_place
    AND (r.start_date <= '{END}' OR (r.start_date IS NULL AND r.status <> 'preparing'))
    AND (r.end_date IS NULL OR r.end_date >= '{END}')
    AND NOT (r.status = 'closed' AND r.end_date IS NULL)"""

RAW |= {
    "community.places": f"SELECT count(*) {PLACES_OPEN}",
    "community.places.new": f"""SELECT count(*) FROM community_resource
        WHERE is_place AND start_date BETWEEN '{START}' AND '{END}'""",
    "community.resources.new": f"""SELECT count(*) FROM community_resource
        WHERE start_date BETWEEN '{START}' AND '{END}'""",
}

RAW |= RAW_PROGRAMMES

RAW |= {
    "case.open": f"SELECT count(*) FROM ({status_on_sql(END)}) WHERE st NOT IN ('closed', 'handed_back')",
    "case.carried_over": f"SELECT count(*) FROM ({status_on_sql('2026-03-31')}) WHERE st NOT IN ('closed', 'handed_back')",
}


def raw_turnaround():
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT avg(julianday(date(answered_at, '+9 hours')) - julianday(date(sent_at, '+9 hours')))
            FROM cases_referral WHERE {in_period("answered_at")} AND sent_at IS NOT NULL
            AND status IN ('accepted', 'returned')"""
        )
        return round(cur.fetchone()[0], 1)


def raw_hand_back_days():
    return round(
        one(
            f"""SELECT avg(julianday({EFFECTIVE}) - julianday(c.opened_on))
            FROM cases_casetransition t JOIN cases_supportcase c ON c.id = t.case_id
            WHERE t.to_status = 'handed_back' AND {EFFECTIVE} BETWEEN '{START}' AND '{END}'"""
        ),
        1,
    )


def raw_breakdown(code):
    """Breakdown figures by their dimension, in SQL."""
    parent, dim, key = code.rsplit(".", 2)
    if parent == "consultation.contacts":
        return one(
            f"SELECT count(*) FROM cases_consultation c WHERE {in_period('c.received_at')} AND c.route = %s",
            [key],
        )
    if parent == "consultation.issues":
        return one(
            f"""SELECT count(*) FROM cases_consultationissue i JOIN cases_consultation c
            ON c.id = i.consultation_id WHERE {in_period("c.received_at")} AND i.category = %s""",
            [key],
        )
    if parent == "referral.received" and dim == "route":
        return one(
            f"SELECT count(*) FROM cases_referral r WHERE {in_period('r.sent_at')} AND r.route = %s",
            ["" if key == "none" else key],
        )
    if parent == "referral.received" and dim == "outcome":
        statuses = {
            "accepted": ("accepted",),
            "returned": ("returned",),
            "withdrawn": ("withdrawn",),
            "pending": ("sent", "opened", "info_requested"),
        }[key]
        marks = ",".join("%s" for _ in statuses)
        return one(
            f"""SELECT count(*) FROM cases_referral r WHERE {in_period("r.sent_at")} AND (
                SELECT e.to_status FROM cases_referralevent e WHERE e.referral_id = r.id
                AND e.at < '{END_UTC}' ORDER BY e.at DESC, e.id DESC LIMIT 1) IN ({marks})""",
            list(statuses),
        )
    if parent == "case.closed":
        reason_filter = (
            "c.status = 'closed' AND c.closure_reason = %s"
            if key != "reopened"
            else "c.status <> 'closed' AND %s = %s"
        )
        params = [key] if key != "reopened" else [1, 1]
        return one(
            f"""SELECT count(*) FROM cases_casetransition t JOIN cases_supportcase c ON c.id = t.case_id
            WHERE t.to_status = 'closed' AND {EFFECTIVE} BETWEEN '{START}' AND '{END}' AND {reason_filter}""",
            params,
        )
    if parent == "meeting.held":
        return one(
            f"""SELECT count(*) FROM meetings_meeting m JOIN meetings_meetingbody b ON b.id = m.body_id
            WHERE {in_period("m.starts_at")} AND m.status IN ('held', 'minutes_approved') AND b.kind = %s""",
            [key],
        )
    if parent == "community.places":
        return one(f"SELECT count(*) {PLACES_OPEN} AND r.kind = %s", [key])
    if (parent, dim) in BREAKDOWNS:
        sql = BREAKDOWNS[parent, dim]
        return one(sql(key)) if callable(sql) else one(sql, [key])
    raise AssertionError(f"no SQL for {code}")


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


@pytest.mark.skipif(connection.vendor != "sqlite", reason="raw SQL written for SQLite")
def test_every_figure_has_the_known_answer_and_sql_agrees(city_db):
    period = Period.of(FY, AS_OF)
    checked = []
    for figure in figures.all_figures():
        value = _plain(figure.value(period))
        expected = EXPECTED.get(
            figure.code, 0 if figure.is_count or figure.summed or figure.group else None
        )
        assert value == expected, figure.code
        if figure.code in RAW:
            assert one(RAW[figure.code]) == value, f"SQL disagrees: {figure.code}"
        elif figure.group:
            assert raw_breakdown(figure.code) == value, f"SQL disagrees: {figure.code}"
        elif figure.code == "referral.turnaround.days":
            assert raw_turnaround() == value
        elif figure.code == "case.handed_back.days":
            assert raw_hand_back_days() == value
        elif figure.code == "case.handed_back.share":
            ended = one(RAW["case.closed"]) + one(RAW["case.handed_back"])
            assert round(one(RAW["case.handed_back"]) * 100 / ended, 1) == value
        else:
            raise AssertionError(f"no independent SQL for {figure.code}")
        checked.append(figure.code)
    assert set(EXPECTED) <= set(checked)


def test_breakdowns_add_up_to_their_parent(city_db):
    period = Period.of(FY, AS_OF)
    for parent in (
        "consultation.contacts",
        "referral.received",
        "meeting.held",
        "case.closed",
        "community.places",
        "outreach.targets.new",
        "outreach.contacts",
        "outreach.stage_changes",
        "outreach.closed",
        "participation.ended",
        "participation.follow_ups",
        "community.programs",
        "community.issues.raised",
    ):
        groups = {}
        for f in figures.breakdown_of(parent):
            groups.setdefault(str(f.group_label), 0)
            groups[str(f.group_label)] += f.value(period)
        total = figures.get(parent).value(period)
        assert all(v == total for v in groups.values()), parent


def test_previous_year_keeps_the_closure_that_was_later_reopened(city_db):
    """FY2025 as of its last day: c0 was closed on 2026-02-15 and is counted, although it was
    re-opened in FY2026."""
    period = Period.of(2025, None)
    assert figures.get("case.closed").value(period) == 1
    assert figures.get("case.closed.reason.reopened").value(period) == 1
    assert figures.get("case.open").value(period) == 1  # c00
    assert figures.get("consultation.contacts").value(period) == 1
