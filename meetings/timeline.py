"""Meeting entries on the case timeline (cases.timeline): each agenda item about the case, with
its decision, for users who may open that item (the same policy as the paper)."""

from django.utils.translation import gettext as _

from agencies.policy import check

from .choices import MeetingStatus
from .models import AgendaItem


def meeting_entries(case, user):
    from cases.timeline import TimelineEntry

    items = (
        AgendaItem.objects.filter(case=case)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting", "meeting__body", "meeting__body__convenor", "decision", "case")
        .order_by("meeting__starts_at")
    )
    entries = []
    for item in items:
        if not check(user, "agendaitem.view", item):
            continue
        decision = getattr(item, "decision", None)  # RelatedObjectDoesNotExist is an AttributeError
        title = _("%(body)s: %(title)s") % {"body": item.meeting.body.name, "title": item.title}
        detail = decision.get_kind_display() if decision else item.meeting.get_status_display()
        entries.append(
            TimelineEntry(
                at=item.meeting.starts_at,
                kind="meeting",
                title=title,
                detail=str(detail),
                url=item.get_absolute_url(),
                agency=item.meeting.body.convenor.short_name or item.meeting.body.convenor.name,
                tone="ok" if decision else "",
            )
        )
    return entries


def register_timeline() -> None:
    try:
        from cases.timeline import timeline_provider
    except ImportError:
        return
    timeline_provider(meeting_entries)
