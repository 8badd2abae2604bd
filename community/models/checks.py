"""Checks shared by the models' clean()."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agencies.jpdates import format_date


def not_before(instance, field: str, earliest, what) -> None:
    """A record belonging to something that starts on a day (a place's 開始日, a volunteer's
    登録日) carries no date before that day: reports would count it in a year the thing did not
    exist yet. `what` names that day for the message. Raises ValidationError at `field`."""
    value = getattr(instance, field)
    if value is not None and earliest is not None and value < earliest:
        _refuse(
            instance,
            field,
            earliest,
            what,
            _("%(label)sは%(what)s(%(date)s)以降の日付にしてください。"),
        )


def not_after(instance, field: str, first, what) -> None:
    """The other side of `not_before`: the day something starts (a place's 開始日, a volunteer's
    登録日) is not moved past its first dated record (`first`, or None without records); `what`
    names that record for the message. Raises ValidationError at `field`."""
    value = getattr(instance, field)
    if value is not None and first is not None and value > first:
        _refuse(
            instance, field, first, what, _("%(label)sは%(what)s(%(date)s)より後にできません。")
        )


def _refuse(instance, field: str, day, what, message) -> None:
    label = instance._meta.get_field(field).verbose_name
    raise ValidationError(
        {field: message % {"label": label, "what": what, "date": format_date(day)}}
    )
