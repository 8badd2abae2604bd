"""`get_FOO_display()` without re-hashing every label on every call.

Django builds `dict(make_hashable(field.flatchoices))` on each call: every lazy label of the
field is hashed, which translates it — a list of 50 consultations with four choice columns spent
a fifth of its time there (200 calls, ~30 translations each). The value → label table of a field
with fixed choices is built once and kept on the field; the labels stay lazy, so the reader's
language still decides at render time. Fields with callable choices keep Django's behaviour.
"""

from django.db.models import Model
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_TABLE = "_tsunagu_display_labels"


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


def choice_label(field, value):
    """The label of `value` among `field`'s choices in the active language; the value itself
    when it is not one of them (what get_FOO_display answers)."""
    table = _labels(field)
    if table is None:
        table = {make_hashable(v): label for v, label in field.flatchoices}
    return force_str(table.get(make_hashable(value), value), strings_only=True)


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
