"""Notification rules, one module per area; each registers its rules with `registry.register`.

Importing this package loads every area module, so `all_rules()` is complete afterwards.
"""

import importlib
import pkgutil

from .registry import (  # noqa: F401
    Directory,
    Hit,
    RuleContext,
    RuleSpec,
    Setting,
    all_rules,
    available_rules,
    get_rule,
    register,
)

_LOADED = False


def load() -> None:
    global _LOADED
    if _LOADED:
        return
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name != "registry":
            importlib.import_module(f"{__name__}.{info.name}")
    _LOADED = True


load()
