"""The audit viewer: admins only, read-only (no edit or delete exists anywhere in the app)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from agencies.paging import CappedPaginator
from agencies.policy import Basis, require
from agencies.tabular import csv_response

from .filters import AuditEventFilter
from .labels import action_label, field_label, field_labels
from .models import AuditEvent
from .services import record

PAGE_SIZE = 50
EXPORT_HEADER = [
    gettext_lazy("日時"),
    gettext_lazy("実行者"),
    gettext_lazy("操作コード"),
    gettext_lazy("操作"),
    gettext_lazy("種別"),
    gettext_lazy("対象の種類"),
    gettext_lazy("対象ID"),
    gettext_lazy("対象"),
    gettext_lazy("根拠"),
    gettext_lazy("変更項目コード"),
    gettext_lazy("変更項目"),
    gettext_lazy("表示した記録"),
    gettext_lazy("IPアドレス"),
    gettext_lazy("ユーザーエージェント"),
]


@login_required
@require_GET
def event_list(request):
    require(request.user, "audit.view")
    filterset = AuditEventFilter(request.GET or None, queryset=AuditEvent.objects.all())
    page = CappedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.action_label = action_label(event.action)
        event.change_labels = field_labels(event.object_type, event.changes)
        event.basis_label = Basis.label(event.basis) if event.basis else ""
    params = request.GET.copy()
    params.pop("page", None)
    export_query = params.urlencode()
    return render(
        request,
        "audit/event_list.html",
        {
            "page_obj": page,
            "filter": filterset,
            "export_query": export_query,
            "nav_active": "admin",
        },
    )


@login_required
@require_GET
def event_export(request):
    """The filtered log as CSV (streamed). The export itself is audited before it starts."""
    decision = require(request.user, "audit.export")
    filterset = AuditEventFilter(request.GET or None, queryset=AuditEvent.objects.all())
    events = filterset.qs
    record(
        actor=request.user,
        action="audit.export",
        basis=decision.basis,
        object_type="audit.auditevent",
        changes=filterset.used_filters(),
    )
    kinds = dict(AuditEvent.Kind.choices)
    rows = (
        [
            e.at,
            e.actor_label,
            e.action,
            action_label(e.action),
            str(kinds.get(e.kind, e.kind)),
            e.object_type,
            e.object_id,
            e.object_repr,
            Basis.label(e.basis) if e.basis else "",
            " ".join(e.changes or []),
            " ".join(field_label(e.object_type, name) for name in e.changes or []),
            " ".join(e.subjects or []),
            e.ip or "",
            e.user_agent,
        ]
        for e in events.iterator(chunk_size=2000)
    )
    filename = f"監査ログ_{timezone.localtime():%Y%m%d_%H%M}.csv"
    return csv_response(filename, [str(h) for h in EXPORT_HEADER], rows, streaming=True)
