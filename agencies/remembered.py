"""Values kept in the shared cache for a while: figures and answers that may lag a few minutes
behind the data, and that are too costly to compute on every page."""

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

_log = logging.getLogger(__name__)


def remembered(key: str, compute: Callable[[], Any], seconds: int) -> Any:
    """compute(), kept under `key` for `seconds` (0: always computed). The cache is a help, never
    a dependency: with Redis down the value is computed. `compute` must not return None (it would
    be computed every time)."""
    if not seconds:
        return compute()
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - an unreachable cache must not take the page down
        _log.warning("cache unavailable; computing %s", key.split(":", 1)[0])
        return compute()
    if cached is not None:
        return cached
    result = compute()
    try:
        cache.set(key, result, seconds)
    except Exception:  # noqa: BLE001
        _log.warning("cache unavailable; not storing %s", key.split(":", 1)[0])
    return result
