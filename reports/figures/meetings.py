"""Figures of 多機関協働事業's meetings: 重層的支援会議 and 支援会議 held, by kind, and the cases
discussed there."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.choices import Programme
from meetings.choices import BodyKind, MeetingStatus
from meetings.models import AgendaItem, Meeting

from .registry import (
    ALL,
    Basis,
    Figure,
    Period,
    Unit,
    count_by,
    interp,
    register,
    register_breakdown,
)

P = Programme.MULTIAGENCY.value


# --- meetings ----------------------------------------------------------------------------------

HELD = (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED)


def meetings_held(period: Period):
    return Meeting.objects.filter(
        status__in=HELD, starts_at__gte=period.start_at, starts_at__lt=period.end_before
    )


def _meetings_by_kind(period: Period) -> dict:
    return count_by(meetings_held(period), "body__kind")


register(
    Figure(
        code="meeting.held",
        label=_("会議の開催"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.TIMES,
        rule=_(
            "開催日(日本時間)が年度内・基準日までで、開催済み(議事録承認済みを含む)の会議の回数です。中止した会議は含めません。"
        ),
        records=meetings_held,
        grouped=_meetings_by_kind,
        group_key=ALL,
        record_kind="meeting",
        order=500,
    )
)


register_breakdown(
    "meeting.held",
    "kind",
    BodyKind.choices,
    records=meetings_held,
    field="body__kind",
    rule=lambda label: interp(_("会議体が「%(kind)s」の会議の開催回数です。"), kind=label),
    programme=P,
    basis=Basis.CUMULATIVE,
    unit=Unit.TIMES,
    grouped=_meetings_by_kind,
    record_kind="meeting",
    group_label=_("会議の種類"),
    order=501,
)

register(
    Figure(
        code="meeting.cases_discussed",
        label=_("会議で検討したケース"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_(
            "年度内に開催した会議の議題のうち、支援ケースまたは世帯を扱ったものを1件ずつ数えます"
            "(同じケースを2回の会議で扱えば2件)。"
        ),
        records=lambda period: AgendaItem.objects.filter(meeting__in=meetings_held(period)).filter(
            Q(case__isnull=False) | Q(household__isnull=False)
        ),
        record_kind="agenda_item",
        order=510,
    )
)
