"""One timeline per case, merged from providers.

Any app adds entries with a provider:

    from cases.timeline import TimelineEntry, timeline_provider

    @timeline_provider
    def meeting_entries(case, user):
        return [TimelineEntry(at=..., kind="meeting", title=..., url=...)]

A provider receives the case and the viewing user, returns only what that user may see, and costs
a fixed number of queries (the case page guards its total). `timeline_for` merges and sorts the
entries newest first; entries at the same moment keep the order kinds happen in a case's life.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import jpdates
from agencies.compiled import KEY, SECOND_KEY, CompiledOnce


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    actor: str = ""
    agency: str = ""
    tone: str = ""
    all_day: bool = False  # a date without a time (sheets, monitoring): shown without 00:00

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


KIND_LABELS = {
    "consultation": gettext_lazy("相談受付"),
    "referral": gettext_lazy("つなぐシート"),
    "transition": gettext_lazy("状態の変更"),
    "assessment": gettext_lazy("アセスメント"),
    "plan": gettext_lazy("プラン"),
    "monitoring": gettext_lazy("モニタリング"),
    "evaluation": gettext_lazy("評価"),
    "note": gettext_lazy("支援経過"),
    "team": gettext_lazy("支援チーム"),
    "handover": gettext_lazy("引継ぎ"),
    "meeting": gettext_lazy("会議"),
}
# Tie-break for entries at the same moment: the order things happen in a case.
KIND_ORDER = {k: n for n, k in enumerate(KIND_LABELS)}

Provider = Callable[..., Iterable[TimelineEntry]]
_PROVIDERS: list[Provider] = []


def timeline_provider(fn: Provider) -> Provider:
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)
    return fn


def providers() -> list[Provider]:
    return list(_PROVIDERS)


def as_moment(value) -> dt.datetime:
    """Dates sort as the start of their day (local time)."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def _day(value, **kwargs) -> TimelineEntry:
    return TimelineEntry(at=as_moment(value), all_day=True, **kwargs)


class Timeline(list):
    """The merged entries, newest first. `truncated` says older notes were left out (the page
    links to the paged 支援経過記録 for them)."""

    truncated: bool = False


def timeline_for(case, user) -> Timeline:
    entries = Timeline()
    for provider in _PROVIDERS:
        entries.extend(provider(case, user) or [])
    entries.sort(key=lambda e: (e.at, KIND_ORDER.get(e.kind, 99)), reverse=True)
    notes = [e for e in entries if e.kind == "note"]
    if len(notes) >= TIMELINE_NOTES:
        # Older notes were not loaded: stop where they start, so that nothing older shows as if
        # no note had been written in between.
        cutoff = notes[-1].at
        entries[:] = [e for e in entries if e.at >= cutoff]
        entries.truncated = True
    return entries


def loaded(case, related: str, queryset):
    """The case's `related` rows as the page already loaded them into the case's prefetch cache
    (cases.selectors.support.case_page), else `queryset`: the case page reads its sheets and its
    team once."""
    if related in getattr(case, "_prefetched_objects_cache", {}):
        return getattr(case, related).all()
    return queryset


def _name(user) -> str:
    return (user.display_name or user.username) if user else ""


def _agency(agency) -> str:
    return (agency.short_name or agency.name) if agency else ""


# --- providers of the cases app ------------------------------------------------------------------


@timeline_provider
def _transitions(case, user):
    for t in _TRANSITIONS.instances(case.pk):
        detail = t.reason_text
        if t.decided_on:
            detail = _("決定日 %(d)s ・ %(via)s ・ %(reason)s") % {
                "d": jpdates.format_date(t.decided_on),
                "via": t.get_via_display(),
                "reason": detail,
            }
        yield TimelineEntry(
            at=t.at,
            kind="transition",
            title=f"{t.get_from_status_display()} → {t.get_to_status_display()}",
            detail=detail,
            actor=_name(t.actor),
        )


@timeline_provider
def _sheets(case, user):
    from cases.models import Assessment, Evaluation, Plan

    base = reverse("cases:case_detail", args=[case.public_id])
    for a in loaded(
        case, "assessments", Assessment.objects.filter(case=case).select_related("author", "agency")
    ):
        yield _day(
            a.assessed_on,
            kind="assessment",
            title=_("アセスメントシート 第%(n)s版") % {"n": a.number},
            url=f"{base}assessments/{a.number}/",
            actor=_name(a.author),
            agency=_agency(a.agency),
        )
    for p in loaded(
        case, "plans", Plan.objects.filter(case=case).select_related("author", "agency")
    ):
        yield _day(
            p.drafted_on,
            kind="plan",
            title=_("プランシート 第%(n)s版(%(programme)s)作成")
            % {"n": p.number, "programme": p.get_programme_display()},
            url=f"{base}plans/{p.number}/",
            actor=_name(p.author),
            agency=_agency(p.agency),
        )
        if p.submitted_at:
            yield TimelineEntry(
                at=p.submitted_at,
                kind="plan",
                title=_("プラン第%(n)s版を会議に提出") % {"n": p.number},
                url=f"{base}plans/{p.number}/",
            )
        if p.approved_at:
            yield TimelineEntry(
                at=p.approved_at,
                kind="plan",
                tone="ok",
                title=_("プラン第%(n)s版 承認(会議日 %(d)s)")
                % {"n": p.number, "d": jpdates.format_date(p.meeting_on)},
                detail=p.decision_note,
                url=f"{base}plans/{p.number}/",
            )
    for e in loaded(
        case, "evaluations", Evaluation.objects.filter(case=case).select_related("author", "agency")
    ):
        yield _day(
            e.evaluated_on,
            kind="evaluation",
            title=_("評価シート 第%(n)s回") % {"n": e.number},
            url=f"{base}evaluations/{e.number}/",
            actor=_name(e.author),
            agency=_agency(e.agency),
        )
        if e.decided_at:
            yield TimelineEntry(
                at=e.decided_at,
                kind="evaluation",
                tone="ok",
                title=_("評価第%(n)s回の決定: %(d)s")
                % {"n": e.number, "d": e.get_decision_display()},
                url=f"{base}evaluations/{e.number}/",
            )


@timeline_provider
def _monitoring(case, user):
    """One entry per monitoring date (a round usually covers every plan item)."""
    from collections import Counter

    base = reverse("cases:case_detail", args=[case.public_id])
    rounds: dict = {}
    for m in _MONITORINGS.instances(case.pk):
        rounds.setdefault(m.monitored_on, []).append(m)
    for day, entries in rounds.items():
        counts = Counter(m.get_progress_display() for m in entries)
        summary = "・".join(f"{label}{n}" for label, n in counts.most_common())
        title = (
            _("モニタリング: %(goal)s — %(progress)s")
            % {"goal": entries[0].item.goal[:40], "progress": entries[0].get_progress_display()}
            if len(entries) == 1
            else _("モニタリング %(n)s項目(%(summary)s)") % {"n": len(entries), "summary": summary}
        )
        yield _day(
            day,
            kind="monitoring",
            title=title,
            detail="\n".join(f"{m.item.goal[:30]}: {m.note}" for m in entries if m.note)[:300],
            url=f"{base}monitoring/",
            actor="、".join(sorted({_name(m.author) for m in entries})),
        )


# A case may carry hundreds of notes: the timeline shows the newest ones and links to the paged
# 支援経過記録 for the rest (the case page then costs the same for 10 notes or 1,000).
TIMELINE_NOTES = 30
# What a note's entry shows: 30 rows of whole notes, authors and agencies (52 columns, the
# agencies' programmes decoded from JSON each) cost more than the rest of the entries.
NOTE_ENTRY = (
    "occurred_at",
    "kind",
    "with_whom",
    "content",
    "public_id",
    "visibility",
    "author__display_name",
    "author__username",
    "agency__name",
    "agency__short_name",
)


@timeline_provider
def _notes(case, user):
    from cases.models import ActivityNote
    from cases.policy.support import case_access, note_visibility_filter

    base = reverse("cases:case_detail", args=[case.public_id])
    visible = note_visibility_filter(user)
    if not case_access(user, case).can_view_sheets:
        visible &= ~Q(visibility="team")  # a basis limited to basic data (支援会議 role)
    for n in (
        ActivityNote.objects.filter(case=case)
        .filter(visible)
        .select_related("author", "agency")
        .only(*NOTE_ENTRY)
        .order_by("-occurred_at", "-pk")[:TIMELINE_NOTES]
    ):
        yield TimelineEntry(
            at=n.occurred_at,
            kind="note",
            title=f"{n.get_kind_display()}" + (f"({n.with_whom})" if n.with_whom else ""),
            detail=n.content[:200],
            url=f"{base}notes/{n.public_id}/",
            actor=_name(n.author),
            agency=_agency(n.agency),
            tone="warn" if n.visibility == ActivityNote.Visibility.AGENCY else "",
        )


@timeline_provider
def _team(case, user):
    from cases.models import CaseTeamMember

    for m in loaded(
        case, "team", CaseTeamMember.objects.filter(case=case).select_related("agency", "user")
    ):
        who = _agency(m.agency) + (f"・{_name(m.user)}" if m.user else "")
        yield TimelineEntry(
            at=as_moment(m.joined_on),
            all_day=True,
            kind="team",
            title=_("%(who)s がチームに参加(%(role)s)")
            % {"who": who, "role": m.get_role_display()},
        )
        if m.left_on:
            yield TimelineEntry(
                at=as_moment(m.left_on),
                all_day=True,
                kind="team",
                title=_("%(who)s がチームを離脱") % {"who": who},
                detail=m.left_note,
            )
    for h in _HANDOVERS.instances(case.pk):
        yield TimelineEntry(
            at=h.at,
            kind="handover",
            title=_("%(a)s から %(b)s へ引継ぎ") % {"a": _name(h.from_user), "b": _name(h.to_user)},
            detail=h.note,
        )


# What the entries of a household's sheets and consultations show (a household with a long
# history has dozens of each; whole rows are 81 and 40 columns).
REFERRAL_ENTRY = (
    "number",
    "sent_at",
    "created_at",
    "status",
    "public_id",
    "from_agency__name",
    "from_agency__short_name",
    "to_agency__name",
    "to_agency__short_name",
)
CONSULTATION_ENTRY = (
    "received_at",
    "route",
    "outcome",
    "public_id",
    "agency__name",
    "agency__short_name",
)


# The providers' reads of a case, compiled once per process (agencies.compiled): the case page
# asks every one on each view. The models are imported when first compiled (this module is
# imported by the models' apps).


def _model(name: str):
    from django.apps import apps

    return apps.get_model("cases", name)


_TRANSITIONS = CompiledOnce(
    lambda pk: _model("CaseTransition").objects.filter(case_id=pk).select_related("actor"),
    KEY,
)
_MONITORINGS = CompiledOnce(
    lambda pk: (
        _model("Monitoring").objects.filter(item__plan__case_id=pk).select_related("item", "author")
    ),
    KEY,
)
_HANDOVERS = CompiledOnce(
    lambda pk: (
        _model("CaseHandover").objects.filter(case_id=pk).select_related("from_user", "to_user")
    ),
    KEY,
)
_REFERRALS = CompiledOnce(
    lambda pk, household: (
        _model("Referral")
        .objects.filter(Q(case_id=pk) | Q(household_id=household))
        .exclude(status=_model("Referral").Status.DRAFT)
        .select_related("from_agency", "to_agency")
        .only(*REFERRAL_ENTRY)
    ),
    KEY,
    SECOND_KEY,
)
_CONSULTATIONS = CompiledOnce(
    lambda household: (
        _model("Consultation")
        .objects.filter(household_id=household)
        .select_related("agency")
        .only(*CONSULTATION_ENTRY)
    ),
    KEY,
)


@timeline_provider
def _intake(case, user):
    """Consultations and referrals linked to the case or its household (labels only; their own
    pages apply the intake policy)."""

    for r in _REFERRALS.instances(case.pk, case.household_id):
        yield TimelineEntry(
            at=r.sent_at or r.created_at,
            kind="referral",
            title=_("つなぐシート %(number)s: %(from)s → %(to)s(%(status)s)")
            % {
                "number": r.number,
                "from": _agency(r.from_agency),
                "to": _agency(r.to_agency),
                "status": r.get_status_display(),
            },
            url=_safe_reverse("cases:referral_detail", r.public_id),
        )
    for c in _CONSULTATIONS.instances(case.household_id):
        yield TimelineEntry(
            at=c.received_at,
            kind="consultation",
            title=_("相談受付(%(route)s)— %(outcome)s")
            % {"route": c.get_route_display(), "outcome": c.get_outcome_display()},
            agency=_agency(c.agency),
            url=_safe_reverse("cases:consultation_detail", c.public_id),
        )


def _safe_reverse(name: str, public_id) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=[public_id])
    except NoReverseMatch:
        return ""
