"""Dashboard panels: each app registers what needs the user's attention.

A provider takes the user and returns a Panel or None (nothing for this role). Panels always
render; an empty one says what will appear there.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from .remembered import remembered

# A list panel shows its first rows and says how many there are (`paging.head_and_count`).
PANEL_ROWS = 5


@dataclass
class PanelItem:
    label: str
    url: str = ""
    meta: str = ""
    badge: str = ""
    tone: str = ""  # "", "warn", "danger"


@dataclass
class Panel:
    key: str
    title: str
    empty_text: str
    items: list[PanelItem] = field(default_factory=list)
    count: int | None = None
    more_url: str = ""
    more_label: str = ""
    # Optional HTML below the items (a chart with its table alternative), rendered by a template.
    body: str = ""


Provider = Callable[..., Panel | None]
_PROVIDERS: list[tuple[int, Provider]] = []


def panel(order: int) -> Callable[[Provider], Provider]:
    def register(fn: Provider) -> Provider:
        _PROVIDERS.append((order, fn))
        _PROVIDERS.sort(key=lambda p: p[0])
        return fn

    return register


def panels_for(user) -> list[Panel]:
    result = []
    for _order, provider in _PROVIDERS:
        p = provider(user)
        if p is not None:
            result.append(p)
    return result


def citywide(key: str, compute: Callable[[], Panel]) -> Panel:
    """A panel of city-wide counts, the same for every user allowed to see it (check that
    first): computed at most every settings.DASHBOARD_CACHE_SECONDS (they aggregate a fiscal
    year of the whole city: 0.3 s at city scale). With Redis down the panel is computed."""
    return remembered(f"dashboard:{key}", compute, settings.DASHBOARD_CACHE_SECONDS)
