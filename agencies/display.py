"""`get_FOO_display()` without re-hashing every label on every call.

Django builds `dict(make_hashable(field.flatchoices))` on each call: every lazy label of the
field is hashed, which translates it — a list of 50 consultations with four choice columns spent
a fifth of its time there (200 calls, ~30 translations each). The value → label table of a field
with fixed choices is built once and kept on the field, and its labels are translated once per
language (the reader's language still decides: each language has its own table). Fields with
callable choices keep Django's behaviour.
"""

from django.db.models import Model
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_TABLE = "_tsunagu_display_labels"
_TRANSLATED = "_tsunagu_display_translated"


def _labels(field) -> dict | None:
    try:
        return field.__dict__[_TABLE]
    except KeyError:
        pass
    if isinstance(field.choices, CallableChoiceIterator):
        table = None
    else:
        table = {make_hashable(value): label for value, label in field.flatchoices}
    field.__dict__[_TABLE] = table
    return table


_django_display = Model._get_FIELD_display


def _in_language(cache: dict, build) -> dict:
    """`build()` for the active language, kept in `cache` under it."""
    language = get_language()
    labels = cache.get(language)
    if labels is None:
        labels = cache[language] = build()
    return labels


def _translated(field, table: dict) -> dict:
    """`table` with its labels translated into the active language, kept per language: a list
    of fifty rows with five choice columns asked gettext 250 times for a dozen labels."""
    return _in_language(
        field.__dict__.setdefault(_TRANSLATED, {}),
        lambda: {k: force_str(v, strings_only=True) for k, v in table.items()},
    )


def choice_label(field, value):
    """The label of `value` among `field`'s choices in the active language; the value itself
    when it is not one of them (what get_FOO_display answers)."""
    table = _labels(field)
    if table is None:
        table = {make_hashable(v): label for v, label in field.flatchoices}
        return force_str(table.get(make_hashable(value), value), strings_only=True)
    key = make_hashable(value)
    labels = _translated(field, table)
    if key in labels:
        return labels[key]
    return force_str(value, strings_only=True)


def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
    if _labels(field) is None:
        return _django_display(self, field)
    return choice_label(field, getattr(self, field.attname))


def install_fast_choice_display() -> None:
    """Swap Django's `get_FOO_display` for this one on every model that did not define its own
    (Django binds the method when the class is built, so patching `Model` alone is too late)."""
    from functools import partialmethod

    from django.apps import apps

    Model._get_FIELD_display = _get_FIELD_display
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            method = model.__dict__.get(name)
            if isinstance(method, partialmethod) and method.func is _django_display:
                setattr(model, name, partialmethod(_get_FIELD_display, field=field))


_ENUM_LABELS: dict[type, dict[str | None, dict]] = {}


def enum_labels(choices: type) -> dict:
    """value → label of a `Choices` enum in the active language, translated once per language
    (for lists of codes stored in one field: a consultation's categories, a sheet's triggers)."""
    return _in_language(
        _ENUM_LABELS.setdefault(choices, {}),
        lambda: {member.value: str(member.label) for member in choices},
    )


def code_labels(choices: type, codes) -> list[str]:
    """The labels of a list of codes of `choices` (a field holding several), in the active
    language; a code that is not a choice is shown as stored."""
    labels = enum_labels(choices)
    return [labels.get(code, code) for code in codes or ()]
