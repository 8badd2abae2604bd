"""Community work (地域づくり): the shared resource catalogue (社会資源 / 拠点・居場所), and the
community programme's places, sessions, volunteers, platforms, agreements and community issues."""

from .agreements import Agreement, AgreementQuerySet
from .issues import CommunityIssue, CommunityIssueQuerySet, IssueAction
from .maps import AreaShape, MapFrame
from .programs import Program, ProgramSession
from .resources import Resource, ResourceQuerySet
from .sessions import PlaceConcern, Session, SessionQuerySet
from .volunteers import Volunteer, VolunteerActivity, VolunteerTraining

__all__ = [
    "Agreement",
    "AgreementQuerySet",
    "AreaShape",
    "CommunityIssue",
    "CommunityIssueQuerySet",
    "IssueAction",
    "MapFrame",
    "PlaceConcern",
    "Program",
    "ProgramSession",
    "Resource",
    "ResourceQuerySet",
    "Session",
    "SessionQuerySet",
    "Volunteer",
    "VolunteerActivity",
    "VolunteerTraining",
]
