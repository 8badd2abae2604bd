"""Independent SQLite queries for the outreach, participation and community figures, written from
each figure's rule (not from its ORM code). Used by test_figures."""

START_UTC = "2026-03-31 15:00:00"
END_UTC = "2027-02-28 15:00:00"
START, END = "2026-04-01", "2027-02-28"


def _in(col: str) -> str:
    return f"{col} >= '{START_UTC}' AND {col} < '{END_UTC}'"


def _days(col: str) -> str:
    return f"{col} BETWEEN '{START}' AND '{END}'"


CONTACTS = f"FROM outreach_outreachcontact c WHERE {_in('c.occurred_at')}"
VISITS = f"{CONTACTS} AND c.kind IN ('home_visit', 'accompany')"
CHANGES = f"""FROM outreach_stagetransition t WHERE {_days('t."on"')} AND t.from_stage <> ''"""
ACTIVE = f"""FROM participation_placement p WHERE p.started_on IS NOT NULL
    AND p.started_on <= '{END}' AND (p.ended_on IS NULL OR p.ended_on >= '{START}')"""
ENDED = f"FROM participation_placement p WHERE p.status = 'ended' AND {_days('p.ended_on')}"
SESSIONS = f"FROM community_session s WHERE {_days('s.held_on')}"
AGES = "+".join(
    f"s.age_{b}" for b in ("under10", "10s", "20s", "30s", "40s", "50s", "60s", "70s", "80plus")
)
PROGRAM_SESSIONS = f"FROM community_programsession s WHERE {_days('s.held_on')}"

RAW_PROGRAMMES = {
    # outreach
    "outreach.targets.new": f"SELECT count(*) FROM outreach_outreachtarget t WHERE {_days('t.known_on')}",
    "outreach.targets.contacted": f"SELECT count(DISTINCT c.target_id) {CONTACTS}",
    "outreach.households.contacted": f"""SELECT count(DISTINCT k) FROM (SELECT COALESCE(
        'h' || (SELECT min(m.household_id) FROM cases_householdmember m
                WHERE m.person_id = t.person_id
                AND (m.joined_on IS NULL OR m.joined_on <= '{END}')
                AND (m.left_on IS NULL OR m.left_on > '{END}')),
        't' || t.id) AS k
        FROM outreach_outreachtarget t WHERE t.id IN (SELECT c.target_id {CONTACTS}))""",
    "outreach.contacts": f"SELECT count(*) {CONTACTS}",
    "outreach.visits": f"SELECT count(*) {VISITS}",
    "outreach.visits.staff": f"""SELECT count(*) FROM outreach_outreachcontact_staff st
        WHERE st.outreachcontact_id IN (SELECT c.id {VISITS})""",
    "outreach.targets.visited": f"SELECT count(DISTINCT c.target_id) {VISITS}",
    "outreach.stage_changes": f"SELECT count(*) {CHANGES}",
    "outreach.closed": f"SELECT count(*) {CHANGES} AND t.to_stage = 'closed'",
    "outreach.connected": f"""SELECT count(DISTINCT t.target_id) FROM outreach_stagetransition t
        WHERE {_days('t."on"')} AND (t.to_stage = 'connecting'
        OR (t.to_stage = 'closed' AND t.closure_reason = 'connected'))""",
    "outreach.to_consultation": f"""SELECT count(*) FROM outreach_outreachtarget t
        JOIN cases_consultation c ON c.id = t.consultation_id WHERE {_in("c.received_at")}""",
    "outreach.to_case": f"""SELECT count(*) FROM outreach_outreachtarget t
        JOIN cases_supportcase s ON s.id = t.support_case_id WHERE {_days("s.opened_on")}""",
    # participation
    "participation.assessed": f"""SELECT count(DISTINCT a.person_id)
        FROM participation_participationassessment a WHERE {_days("a.assessed_on")}""",
    "participation.matched": f"""SELECT count(DISTINCT p.person_id) FROM participation_placement p
        WHERE {_days("p.proposed_on")}""",
    "participation.proposals": f"""SELECT count(*) FROM participation_placement p
        WHERE {_days("p.proposed_on")}""",
    "participation.trials": f"""SELECT count(*) FROM participation_placementtransition t
        WHERE t.to_status = 'trial' AND {_days('t."on"')}""",
    "participation.placed": f"SELECT count(DISTINCT p.person_id) {ACTIVE}",
    "participation.placements": f"SELECT count(*) {ACTIVE}",
    "participation.hosts": f"SELECT count(DISTINCT p.resource_id) {ACTIVE}",
    "participation.activity_days": f"""SELECT count(*) FROM participation_activityday d
        WHERE {_days('d."on"')}""",
    "participation.activity_hours": f"""SELECT round(coalesce(sum(d.hours), 0), 1)
        FROM participation_activityday d WHERE {_days('d."on"')}""",
    "participation.ended": f"SELECT count(*) {ENDED}",
    "participation.follow_ups": f"""SELECT count(*) FROM participation_followup f
        WHERE {_days('f."on"')}""",
    "participation.gaps": f"""SELECT count(*) FROM participation_resourcegap g
        WHERE {_days("g.recorded_on")}""",
    # community
    "community.sessions": f"SELECT count(*) {SESSIONS}",
    "community.participants": f"SELECT coalesce(sum({AGES}), 0) {SESSIONS}",
    "community.participants.new": f"SELECT coalesce(sum(s.new_participants), 0) {SESSIONS}",
    "community.sessions.volunteers": f"SELECT coalesce(sum(s.volunteers), 0) {SESSIONS}",
    "community.sessions.volunteer_hours": f"""SELECT round(coalesce(sum(s.volunteer_hours), 0), 1)
        {SESSIONS}""",
    "community.sessions.became_helpers": f"SELECT coalesce(sum(s.became_helpers), 0) {SESSIONS}",
    "community.sessions.consultations": f"SELECT coalesce(sum(s.consultations), 0) {SESSIONS}",
    "community.place_concerns": f"""SELECT count(*) FROM community_placeconcern c
        WHERE {_days("c.noticed_on")}""",
    "community.place_concerns.consulted": f"""SELECT count(*) FROM community_placeconcern c
        WHERE {_days("c.noticed_on")} AND c.consultation_id IS NOT NULL""",
    "community.volunteers.active": f"""SELECT count(DISTINCT a.volunteer_id)
        FROM community_volunteeractivity a WHERE {_days("a.done_on")}""",
    "community.volunteers.hours": f"""SELECT round(coalesce(sum(a.hours), 0), 1)
        FROM community_volunteeractivity a WHERE {_days("a.done_on")}""",
    "community.volunteers.new": f"""SELECT count(*) FROM community_volunteer v
        WHERE {_days("v.registered_on")}""",
    "community.volunteers.from_supported": f"""SELECT count(*) FROM community_volunteer v
        WHERE {_days("v.registered_on")} AND v.was_supported""",
    "community.programs": f"SELECT count(DISTINCT s.program_id) {PROGRAM_SESSIONS}",
    "community.program_sessions": f"SELECT count(*) {PROGRAM_SESSIONS}",
    "community.program_sessions.participants": f"""SELECT coalesce(sum(s.participants), 0)
        {PROGRAM_SESSIONS}""",
    "community.program_sessions.organisations": f"""SELECT coalesce(sum(s.organisations), 0)
        {PROGRAM_SESSIONS}""",
    "community.agreements": f"""SELECT count(*) FROM community_agreement a
        WHERE a.signed_on <= '{END}' AND (a.ends_on IS NULL OR a.ends_on >= '{END}')""",
    "community.agreements.new": f"""SELECT count(*) FROM community_agreement a
        WHERE {_days("a.signed_on")}""",
    "community.issues.raised": f"""SELECT count(*) FROM community_communityissue i
        WHERE {_days("i.raised_on")}""",
}

# Breakdowns: (parent, dimension) -> SQL with one %s for the category (or a function of it).
BREAKDOWNS = {
    ("outreach.targets.new", "source"): f"""SELECT count(*) FROM outreach_outreachtarget t
        WHERE {_days("t.known_on")} AND t.source = %s""",
    ("outreach.contacts", "kind"): f"SELECT count(*) {CONTACTS} AND c.kind = %s",
    ("outreach.stage_changes", "to"): f"SELECT count(*) {CHANGES} AND t.to_stage = %s",
    ("outreach.closed", "reason"): f"""SELECT count(*) {CHANGES} AND t.to_stage = 'closed'
        AND t.closure_reason = %s""",
    ("participation.placements", "kind"): f"""SELECT count(*) {ACTIVE}
        AND (SELECT r.kind FROM community_resource r WHERE r.id = p.resource_id) = %s""",
    ("participation.placements", "role"): f"SELECT count(*) {ACTIVE} AND p.role = %s",
    ("participation.ended", "outcome"): f"SELECT count(*) {ENDED} AND p.outcome = %s",
    ("participation.follow_ups", "target"): f"""SELECT count(*) FROM participation_followup f
        WHERE {_days('f."on"')} AND f.target = %s""",
    ("community.participants", "age"): lambda key: (
        f"SELECT coalesce(sum(s.age_{key}), 0) {SESSIONS}"
    ),
    ("community.participants", "attr"): lambda key: (
        f"SELECT coalesce(sum(s.attr_{key}), 0) {SESSIONS}"
    ),
    ("community.programs", "kind"): f"""SELECT count(DISTINCT s.program_id) {PROGRAM_SESSIONS}
        AND (SELECT p.kind FROM community_program p WHERE p.id = s.program_id) = %s""",
    ("community.issues.raised", "source"): f"""SELECT count(*) FROM community_communityissue i
        WHERE {_days("i.raised_on")} AND i.source = %s""",
}
