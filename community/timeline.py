"""Community entries on the case timeline (cases.timeline): the community issues a case's
resource gap raised, and the resources (places) they led to — so the case that revealed the gap
shows the new place. Issues and resources hold no personal data; the case page already checked
that the user may see the case."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CommunityIssue


def community_entries(case, user):
    from cases.timeline import TimelineEntry, as_moment

    issues = (
        CommunityIssue.objects.filter(Q(source_case=case) | Q(raised_from__case=case))
        .select_related("owner_agency")
        .prefetch_related("created_resources")
        .distinct()
    )
    entries = []
    for issue in issues:
        entries.append(
            TimelineEntry(
                at=as_moment(issue.raised_on),
                all_day=True,
                kind="community",
                title=_("地域課題として提起: %(title)s") % {"title": issue.title},
                detail=issue.get_status_display(),
                url=issue.get_absolute_url(),
                agency=(issue.owner_agency.short_name or issue.owner_agency.name)
                if issue.owner_agency_id
                else "",
            )
        )
        for resource in issue.created_resources.all():
            entries.append(
                TimelineEntry(
                    at=as_moment(resource.start_date or resource.created_at),
                    all_day=True,
                    kind="community",
                    title=_("地域課題から新しい資源: %(name)s") % {"name": resource.name},
                    detail=resource.get_kind_display(),
                    url=resource.get_absolute_url(),
                    tone="ok",
                )
            )
    return entries


def register_timeline() -> None:
    try:
        from cases.timeline import KIND_LABELS, timeline_provider
    except ImportError:
        return
    KIND_LABELS.setdefault("community", gettext_lazy("地域づくり"))
    timeline_provider(community_entries)
