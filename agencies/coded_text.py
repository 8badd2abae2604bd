"""Texts stored as a code and parameters, rendered in the reader's language.

A system-generated text (a notification, the reason of a status change) is stored as a code of a
registry of translatable templates and its parameters, not as text in the acting user's language,
so each reader sees it in their own. Each app keeps its own registry (notifications.messages,
cases.reasons); the filling-in is shared here.

Parameters are plain JSON; three kinds are rendered at read time too:
  * a list: joined with the reader's list separator (case numbers);
  * {"choice": "app_label.model.field", "value": v}: the choice's label in the reader's language
    (a status, an outcome, a decision);
  * a date, stored as "2026-11-26": in the product's one date style (令和8年11月26日,
    agencies.jpdates), with the reader's 西暦 setting.
Any other value (a number, text a user typed) is shown as stored.
"""

import datetime as dt
import logging
import re
from collections.abc import Mapping

from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

from agencies import jpdates
from agencies.display import choice_label

logger = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def choice(field: str, value: str) -> dict:
    """A parameter shown as the label of a model field's choice ("cases.concernslip.status")."""
    return {"choice": field, "value": str(value)}  # a TextChoices member as its plain value


def _value(value):
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return jpdates.format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list):
        # Translators: separator between items of a list inside a notification (case numbers).
        return pgettext("list separator", "、").join(str(v) for v in value)
    if isinstance(value, Mapping) and "choice" in value:
        app_label, model_name, field_name = value["choice"].split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        return str(choice_label(field, value["value"]))
    return value


def fill(registry: Mapping, code: str, params: Mapping | None = None) -> str | None:
    """The registry's template for `code` in the active language, filled in; None when the code
    is unknown or the parameters do not fit (the caller shows its stored text instead)."""
    template = registry.get(code)
    if template is None:
        return None
    try:
        return str(template) % {k: _value(v) for k, v in (params or {}).items()}
    except (KeyError, ValueError, TypeError, LookupError):
        logger.warning("coded text %s could not be rendered", code)
        return None


def in_primary_language(render):
    """`render()` in the primary language (Japanese), whatever the request's: the text stored
    beside a code as its snapshot and fallback, the same for every reader (so no reader's 西暦
    setting either)."""
    token = jpdates.SHOW_SEIREKI.set(False)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return render()
    finally:
        jpdates.SHOW_SEIREKI.reset(token)
