"""Dashboard panels with charts, per role (agencies.dashboard `@panel`): counts only.

- 相談支援包括化推進員 (coordinator): my caseload by status and by age, overdue items, referral
  turnaround at my agencies;
- 係長 (supervisor): monthly consultations and referrals this fiscal year, referrals by route,
  hand-back share, meetings held;
- admin: this year's figures against their targets.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import jpdates
from agencies.choices import Role
from agencies.dashboard import Panel, PanelItem, citywide, panel
from agencies.policy import can, is_admin

from . import figures
from .charts import bar_chart
from .figures.registry import figure_cache, mean_local_days


def _period() -> figures.Period:
    return figures.Period.of(jpdates.fiscal_year(timezone.localdate()))


def _figure_url(code: str, period: figures.Period) -> str:
    return (
        f"{reverse('reports:figure_detail', args=[code])}"
        f"?fy={period.fiscal_year}&as_of={period.end:%Y-%m-%d}"
    )


AGE_BUCKETS = (
    (90, gettext_lazy("3か月未満")),
    (180, gettext_lazy("3〜6か月")),
    (365, gettext_lazy("6か月〜1年")),
)


@panel(order=150)
def coordinator_caseload(user) -> Panel | None:
    if not user.has_role(Role.COORDINATOR):
        return None
    from cases.models import Referral, SupportCase

    today = timezone.localdate()
    mine = SupportCase.objects.filter(coordinator=user).open()
    rows = list(mine.values_list("status", "opened_on", "next_monitoring_on"))
    labels = dict(SupportCase.Status.choices)
    by_status = Counter(status for status, _opened, _next in rows)
    status_rows = [
        (str(labels[s]), by_status[s]) for s in SupportCase.Status.values if by_status[s]
    ]
    ages = Counter()
    for _status, opened, _next in rows:
        days = (today - opened).days
        label = next((lbl for limit, lbl in AGE_BUCKETS if days < limit), _("1年以上"))
        ages[str(label)] += 1
    age_rows = [(str(lbl), ages[str(lbl)]) for _l, lbl in AGE_BUCKETS] + [
        (_("1年以上"), ages[_("1年以上")])
    ]
    agencies = {m.agency_id for m in user.current_memberships()}
    overdue_referrals = Referral.objects.overdue(today).filter(to_agency_id__in=agencies).count()
    # From the rows already read: the same cases, no second query.
    overdue_monitoring = sum(1 for *_rest, next_on in rows if next_on and next_on < today)
    period = _period()
    answered = Referral.objects.filter(
        to_agency_id__in=agencies,
        sent_at__isnull=False,
        answered_at__gte=period.start_at,
        answered_at__lt=period.end_before,
    )
    turnaround = mean_local_days(answered, "sent_at", "answered_at")
    items = [
        PanelItem(
            _("回答期限を過ぎたつなぐシート"),
            reverse("cases:referral_inbox") + "?tab=overdue",
            badge=str(overdue_referrals),
            tone="danger" if overdue_referrals else "",
        ),
        PanelItem(
            _("モニタリング予定日を過ぎた担当ケース"),
            reverse("cases:case_list"),
            badge=str(overdue_monitoring),
            tone="warn" if overdue_monitoring else "",
        ),
        PanelItem(
            _("つなぐシートの回答までの平均日数(今年度)"),
            badge=_("%(days)s日") % {"days": turnaround} if turnaround is not None else "—",
        ),
    ]
    body = ""
    if rows:
        body = bar_chart(
            _("担当ケース(状態別)"), status_rows, unit=_("件"), key="caseload-status"
        ) + bar_chart(_("担当ケース(受付からの期間)"), age_rows, unit=_("件"), key="caseload-age")
    return Panel(
        key="caseload",
        title=_("担当ケースの状況"),
        empty_text=_("担当しているケースはありません。"),
        items=items,
        count=len(rows),
        body=mark_safe(body),  # noqa: S308 - rendered by a template with autoescape
    )


def _monthly(qs, field: str, period: figures.Period) -> list[tuple[str, int]]:
    counts = {
        local_month: n
        for local_month, n in qs.annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    }
    counts = {(m.date() if isinstance(m, dt.datetime) else m): n for m, n in counts.items()}
    rows, month = [], period.start
    while month <= period.end:
        rows.append((_("%(m)s月") % {"m": month.month}, counts.get(month, 0)))
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return rows


@panel(order=160)
def supervisor_overview(user) -> Panel | None:
    if not user.has_role(Role.SUPERVISOR) or not can(user, "report.view"):
        return None
    period = _period()
    return citywide(f"supervisor:{period.fiscal_year}:{timezone.localdate()}", _supervisor_panel)


def _supervisor_panel() -> Panel:
    from .figures.consultation import consultations
    from .figures.multiagency import referrals_sent

    period = _period()
    route_rows = [
        (str(f.label), f.value(period))
        for f in figures.breakdown_of("referral.received")
        if f.code.startswith("referral.received.route.")
    ]
    route_rows = [r for r in route_rows if r[1]]
    share = figures.get("case.handed_back.share").value(period)
    held = figures.get("meeting.held").value(period)
    body = (
        bar_chart(
            _("月別の相談受付(延べ件数)"),
            _monthly(consultations(period), "received_at", period),
            unit=_("件"),
            key="monthly-consultations",
            columns=(_("月"), _("件数")),
        )
        + bar_chart(
            _("月別のつなぐシート"),
            _monthly(referrals_sent(period), "sent_at", period),
            unit=_("件"),
            key="monthly-referrals",
            columns=(_("月"), _("件数")),
        )
        + bar_chart(
            _("つなぐシートの相談経路"),
            route_rows or [(_("なし"), 0)],
            unit=_("件"),
            key="referral-routes",
        )
    )
    return Panel(
        key="supervisor_figures",
        title=_("%(fy)sの実績(全市)") % {"fy": period.label},
        empty_text="",
        items=[
            PanelItem(
                _("つなぎもどしの割合"),
                _figure_url("case.handed_back.share", period),
                badge=f"{share}%" if share is not None else "—",
            ),
            PanelItem(
                _("会議の開催"),
                _figure_url("meeting.held", period),
                badge=_("%(n)s回") % {"n": held},
            ),
        ],
        more_url=reverse("reports:index"),
        more_label=_("実績報告を開く"),
        body=mark_safe(body),  # noqa: S308 - rendered by a template with autoescape
    )


@panel(order=890)
def admin_targets(user) -> Panel | None:
    if not is_admin(user):
        return None
    from .models import Target

    period = _period()
    targets = list(
        Target.objects.filter(fiscal_year=period.fiscal_year, kind=Target.Kind.QUANTITATIVE)
    )
    rows, refs = [], []
    with figure_cache():  # figures sharing one aggregate query read it once
        for t in targets:
            figure = figures.get(t.figure_code)
            if figure is None:
                continue
            value = figure.value(period)
            rows.append((str(figure.label), float(value) if value is not None else None))
            refs.append(float(t.value))
    body = ""
    if rows:
        body = bar_chart(
            _("今年度の実績と目標(赤線が目標)"),
            rows,
            references=refs,
            key="targets",
            columns=(_("指標"), _("実績")),
        )
    return Panel(
        key="targets",
        title=_("%(fy)sの成果目標と実績") % {"fy": period.label},
        empty_text=_("今年度の量的目標はまだ登録されていません。"),
        count=len(rows),
        more_url=reverse("reports:targets"),
        more_label=_("成果目標を登録する"),
        body=mark_safe(body),  # noqa: S308 - rendered by a template with autoescape
    )
