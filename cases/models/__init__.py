"""Models of the cases app, one module per area of the flow (persons → intake → support)."""

from .consent import Consent  # noqa: F401
from .intake import *  # noqa: F401,F403
from .persons import Household, HouseholdMember, Person  # noqa: F401
from .support import CaseTeamMember, SupportCase  # noqa: F401
