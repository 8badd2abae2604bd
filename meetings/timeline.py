"""Meeting entries on the case timeline (cases.timeline): each agenda item about the case, with
its decision and the roles agreed (役割分担: added to the plan, open, or done), for users who may
open that item (the same policy as the paper)."""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from agencies import jpdates
from agencies.compiled import KEY, CompiledOnce
from agencies.policy import check

from .choices import MeetingStatus
from .models import AgendaItem


def _agency(agency) -> str:
    return agency.short_name or agency.name


def _role_detail(role) -> str:
    parts = [_("担当: %(agency)s") % {"agency": _agency(role.owner_agency)}]
    if role.owner_user_id:
        parts[0] += f" {role.owner_user.display_name}"
    if role.due_on:
        parts.append(_("期限 %(d)s") % {"d": jpdates.format_date(role.due_on)})
    if role.plan_item_id:
        parts.append(_("プラン第%(n)s版の項目として管理") % {"n": role.plan_item.plan.number})
    elif role.done_on:
        parts.append(_("完了 %(d)s") % {"d": jpdates.format_date(role.done_on)})
    else:
        parts.append(_("未完了"))
    return "・".join(parts)


# Compiled once per process (agencies.compiled): every view of a case page asks it.
_ITEMS = CompiledOnce(
    lambda pk: (
        AgendaItem.objects.filter(case_id=pk)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting", "meeting__body", "meeting__body__convenor", "decision", "case")
        .order_by("meeting__starts_at")
    ),
    KEY,
)


def meeting_entries(case, user):
    from cases.timeline import TimelineEntry, as_moment

    items = _ITEMS.instances(case.pk)
    # RelatedObjectDoesNotExist is an AttributeError: an item without a decision gives None.
    decisions = [d for d in (getattr(item, "decision", None) for item in items) if d]
    if decisions:
        prefetch_related_objects(
            decisions,
            "roles__owner_agency",
            "roles__owner_user",
            "roles__done_by",
            "roles__plan_item__plan",
        )
    entries = []
    for item in items:
        if not check(user, "agendaitem.view", item):
            continue
        decision = getattr(item, "decision", None)  # RelatedObjectDoesNotExist is an AttributeError
        title = _("%(body)s: %(title)s") % {"body": item.meeting.body.name, "title": item.title}
        detail = decision.get_kind_display() if decision else item.meeting.get_status_display()
        url = item.get_absolute_url()
        convenor = _agency(item.meeting.body.convenor)
        entries.append(
            TimelineEntry(
                at=item.meeting.starts_at,
                kind="meeting",
                title=title,
                detail=str(detail),
                url=url,
                agency=convenor,
                tone="ok" if decision else "",
            )
        )
        if decision is None:
            continue
        for role in decision.roles.all():
            entries.append(
                TimelineEntry(
                    at=as_moment(decision.decided_on),
                    all_day=True,
                    kind="meeting",
                    title=_("役割分担: %(task)s") % {"task": role.task},
                    detail=_role_detail(role),
                    url=f"{url}#role-{role.public_id}",
                    agency=_agency(role.owner_agency),
                    tone="ok" if (role.plan_item_id or role.done_on) else "warn",
                )
            )
            if role.done_on and not role.plan_item_id:
                entries.append(
                    TimelineEntry(
                        at=as_moment(role.done_on),
                        all_day=True,
                        kind="meeting",
                        title=_("役割分担の完了: %(task)s") % {"task": role.task},
                        url=f"{url}#role-{role.public_id}",
                        agency=_agency(role.owner_agency),
                        actor=role.done_by.display_name if role.done_by_id else "",
                        tone="ok",
                    )
                )
    return entries


def register_timeline() -> None:
    try:
        from cases.timeline import timeline_provider
    except ImportError:
        return
    timeline_provider(meeting_entries)
