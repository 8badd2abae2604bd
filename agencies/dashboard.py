"""Dashboard panels: each app registers what needs the user's attention.

A provider takes the user and returns a Panel or None (nothing for this role). Panels always
render; an empty one says what will appear there.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


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
