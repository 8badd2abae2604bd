"""Dashboard panels: next meetings, agenda submission deadlines, pledges missing."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.dashboard import Panel, PanelItem, panel
from agencies.jpdates import format_monthday, format_time
from agencies.policy import is_professional

from . import policy, selectors


@panel(order=300)
def next_meetings(user) -> Panel | None:
    if not is_professional(user):
        return None
    meetings = selectors.upcoming_meetings(user, limit=5)
    return Panel(
        key="meetings-next",
        title=_("次の会議"),
        empty_text=_("予定されている会議はありません。"),
        items=[
            PanelItem(
                label=f"{format_monthday(m.starts_at)} {format_time(m.starts_at)} {m.body.name}",
                url=reverse("meetings:meeting_detail", args=[m.public_id]),
                badge=m.get_status_display(),
                tone="" if m.status != "planned" else "warn",
            )
            for m in meetings
        ],
        more_url=reverse("meetings:calendar"),
        more_label=_("会議カレンダー"),
    )


@panel(order=310)
def agenda_deadlines(user) -> Panel | None:
    if not policy.managed_agency_ids(user):
        return None
    today = timezone.localdate()
    items = []
    for m in selectors.deadlines_ahead(user):
        days = (m.submission_deadline - today).days
        items.append(
            PanelItem(
                label=_("%(body)s %(date)s開催")
                % {"body": m.body.name, "date": format_monthday(m.date)},
                url=reverse("meetings:meeting_detail", args=[m.public_id]),
                meta=_("議題の提出期限 %(d)s") % {"d": format_monthday(m.submission_deadline)},
                badge=_("あと%(n)s日") % {"n": days} if days else _("本日"),
                tone="danger" if days <= 2 else "warn",
            )
        )
    return Panel(
        key="meetings-deadlines",
        title=_("議題の提出期限"),
        empty_text=_("3週間以内に議題の提出期限を迎える会議はありません。"),
        items=items,
    )


@panel(order=320)
def pledges_missing(user) -> Panel | None:
    missing = selectors.pledges_missing(user)
    if not missing and not policy.managed_agency_ids(user):
        return None
    return Panel(
        key="meetings-pledges",
        title=_("守秘義務の誓約が未登録"),
        empty_text=_("誓約の登録が必要な構成員はいません。"),
        items=[
            PanelItem(
                label=f"{m.body.name}: {m.display_name}",
                url=reverse("meetings:body_detail", args=[m.body.public_id]) + "#members",
                badge=_("誓約未登録"),
                tone="danger" if m.user_id == user.pk else "warn",
            )
            for m in missing
        ],
        count=len(missing) or None,
    )


@panel(order=305)
def my_roles(user) -> Panel | None:
    """会議で割り当てられた役割: open tasks the user (or their agency) took on at a meeting."""
    if not is_professional(user):
        return None
    rows, count = selectors.open_roles_head(user)
    today = timezone.localdate()
    base = reverse("meetings:my_roles")
    items = []
    for r in rows:
        meeting = r.decision.item.meeting
        subject = r.decision.item.case.number if r.decision.item.case_id else meeting.body.name
        overdue = r.due_on is not None and r.due_on < today
        items.append(
            PanelItem(
                label=f"{subject}: {r.task}",
                url=f"{base}#role-{r.public_id}",
                meta=_("%(body)s %(date)s の決定・担当 %(agency)s")
                % {
                    "body": meeting.body.name,
                    "date": format_monthday(meeting.date),
                    "agency": r.owner_agency.short_name or r.owner_agency.name,
                },
                badge=_("期限 %(d)s") % {"d": format_monthday(r.due_on)}
                if r.due_on
                else _("期限なし"),
                tone="danger" if overdue else ("warn" if r.due_on else ""),
            )
        )
    return Panel(
        key="meetings-roles",
        title=_("会議で割り当てられた役割"),
        empty_text=_(
            "未完了の役割はありません。会議の決定で役割を割り当てられるとここに表示されます。"
        ),
        items=items,
        count=count or None,
        more_url=base,
        more_label=_("役割の一覧と完了の記録"),
    )
