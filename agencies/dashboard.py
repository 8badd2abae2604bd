"""Dashboard panels: each app registers what needs the user's attention.

A provider takes the user and returns a Panel or None (nothing for this role). Panels always
render; an empty one says what will appear there.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

_log = logging.getLogger(__name__)

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
    year of the whole city: 0.3 s at city scale). The cache is a help, never a dependency: with
    Redis down the panel is computed."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute()
    full_key = f"dashboard:{key}"
    try:
        cached = cache.get(full_key)
    except Exception:  # noqa: BLE001 - an unreachable cache must not take the dashboard down
        _log.warning("dashboard cache unavailable; computing %s", key)
        return compute()
    if cached is not None:
        return cached
    result = compute()
    try:
        cache.set(full_key, result, seconds)
    except Exception:  # noqa: BLE001
        _log.warning("dashboard cache unavailable; not storing %s", key)
    return result
