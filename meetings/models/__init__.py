"""Models of the meetings app: bodies and pledges, meetings and their agenda, decisions."""

from .bodies import BodyMember, ConfidentialityPledge, MeetingBody  # noqa: F401
from .feeds import CalendarFeedToken  # noqa: F401
from .meeting import (  # noqa: F401
    AgendaItem,
    AgendaRequest,
    Attendance,
    Decision,
    Meeting,
    MinutesAddendum,
    RoleAssignment,
)
from .written import WrittenAnswer  # noqa: F401, E402
