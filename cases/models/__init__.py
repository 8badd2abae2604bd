"""Models of the cases app, one module per area of the flow (persons → intake → support)."""

from .consent import Consent  # noqa: F401
from .intake import *  # noqa: F401,F403
from .notes import ActivityNote, NoteAttachment  # noqa: F401
from .persons import Household, HouseholdMember, Person  # noqa: F401
from .sheets import (  # noqa: F401
    Assessment,
    AssessmentIssue,
    AssessmentRelation,
    Evaluation,
    EvaluationItem,
    Monitoring,
    Plan,
    PlanItem,
)
from .support import (  # noqa: F401
    CaseHandover,
    CaseNumberSequence,
    CaseTeamMember,
    CaseTransition,
    LeadAgencyHistory,
    SupportCase,
    TeamRole,
)
from .transfer import WorkHandover  # noqa: F401, E402
