"""Scenario data for the access tests (API and browser alike): the 8050 household whose case a
支援会議 (社会福祉法106条の6) gave roles to the 包括, the 自立相談支援機関 and the 社協 CSW."""

import datetime as dt

from django.utils import timezone

from agencies.choices import AgencyKind, Role
from agencies.tests.factories import AgencyFactory, staff
from cases.tests.factories import open_case
from meetings import services
from meetings.choices import AgendaKind, BodyKind, DecisionKind
from meetings.tests.conftest import hold, make_body, schedule, seat

# The son in his fifties, withdrawn (本人), and his mother in her eighties, living together.
MEMBERS_8050 = [("self", "男", 1972, True), ("parent", "女", 1944, True)]


def shien_kaigi_8050(
    *, supervisor, coordinator, city, kind=DecisionKind.SHARED, text="", members=None
):
    """An 8050 case at the 多機関協働 body `city`, on the agenda of a 支援会議 held yesterday
    whose decision (`kind`) gives roles with due dates: the 包括 (agency), the 自立相談支援機関
    (agency) and the 社協 CSW (named owner). `members` as for open_case (its default household
    when None; MEMBERS_8050 for a mother in her eighties).

    Returns a dict: case, roles (by owner agency id), agencies (包括, 自立相談, 社協), workers (by
    agency), body, decision."""
    today = timezone.localdate()
    houkatsu = AgencyFactory(name="北部地域包括支援センター", kind=AgencyKind.HOUKATSU)
    jiritsu = AgencyFactory(name="自立相談支援機関", kind=AgencyKind.KONKYU)
    shakyo = AgencyFactory(name="市社会福祉協議会", kind=AgencyKind.SHAKYO)
    people = {
        houkatsu: staff(houkatsu, Role.CASEWORKER),
        jiritsu: staff(jiritsu, Role.CASEWORKER),
        shakyo: staff(shakyo, Role.CSW),
    }
    body = make_body(supervisor, city, BodyKind.SHIEN_KAIGI, "支援会議(北部)")
    seat(body, supervisor, supervisor)
    case = open_case(coordinator=coordinator, agency=city, members=members)
    meeting = schedule(body, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting,
        actor=supervisor,
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title="8050 世帯",
        case=case,
    )
    hold(meeting, supervisor)
    decision = services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=kind,
        text=text,
        roles=[
            {"owner_agency": houkatsu, "task": "母の介護認定", "due_on": today},
            {
                "owner_agency": jiritsu,
                "task": "就労相談",
                "due_on": today + dt.timedelta(days=60),
            },
            {
                "owner_agency": shakyo,
                "owner_user": people[shakyo],
                "task": "月1回の訪問",
                "due_on": today + dt.timedelta(days=10),
            },
        ],
    )
    return {
        "case": case,
        "roles": {r.owner_agency_id: r for r in decision.roles.all()},
        "agencies": (houkatsu, jiritsu, shakyo),
        "workers": people,
        "body": body,
        "decision": decision,
    }
