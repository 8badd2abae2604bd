"""Figure definitions by programme (each module registers its figures on import)."""

from . import community, consultation, multiagency, outreach, participation  # noqa: F401
from .registry import Basis, Figure, Period, Unit, all_figures, breakdown_of, get, top_level  # noqa: F401
