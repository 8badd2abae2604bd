"""Figure definitions by programme (each module registers its figures on import)."""

from . import (  # noqa: F401
    community,
    community_activity,
    consultation,
    meetings,
    multiagency,
    outreach,
    participation,
)
from .registry import Basis, Figure, Period, Unit, all_figures, breakdown_of, get, top_level  # noqa: F401
