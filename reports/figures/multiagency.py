"""Figures of 多機関協働事業: referrals (つなぐシート), support cases and plans (meetings: meetings.py).

A case's dates: accepted = `opened_on`; a status change counts on the meeting's date when one is
recorded (`decided_on`), else on the day it was recorded (日本時間). The status on a date is the
one set by the last change on or before it, so an earlier year's report still shows what was
true then after a case is re-opened.
"""

import datetime as dt

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from agencies.choices import Programme
from cases.choices import ClosureReason, Route
from cases.models import (
    CaseTransition,
    Household,
    Person,
    Plan,
    Referral,
    ReferralEvent,
    SupportCase,
)

from .registry import (
    ALL,
    Basis,
    Figure,
    Period,
    Unit,
    aggregate,
    cached,
    count_by,
    interp,
    joined,
    mean_days,
    mean_local_days,
    register,
    share,
)

P = Programme.MULTIAGENCY.value
S = SupportCase.Status
ENDED = (S.CLOSED, S.HANDED_BACK)

_CASE_DATES = _(
    "状態の変更は、会議の決定日が記録されていればその日、なければ記録した日(日本時間)で年度と基準日を判定します。"
)
_REOPEN = _(
    "終結後に再開したケースは新しいケースとして数えず、再開件数に数えます(年度をまたいだ再開も同じです)。"
)


# --- referrals ------------------------------------------------------------------------------


def referrals_sent(period: Period):
    """Sheets sent in the period (drafts never count)."""
    return Referral.objects.filter(sent_at__gte=period.start_at, sent_at__lt=period.end_before)


def referral_status_on(period: Period):
    """Each referral's status at the end of the period, from its event history."""
    last = (
        ReferralEvent.objects.filter(referral=OuterRef("pk"), at__lt=period.end_before)
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )
    return Subquery(last)


REFERRAL_OUTCOMES = (
    ("accepted", _("受理"), (Referral.Status.ACCEPTED,)),
    ("returned", _("差し戻し"), (Referral.Status.RETURNED,)),
    ("withdrawn", _("取り下げ"), (Referral.Status.WITHDRAWN,)),
    ("pending", _("回答待ち"), Referral.IN_FLIGHT),
)

_REFERRAL_FY = _(
    "送付日時(日本時間)が年度内・基準日までのつなぐシートを1枚ずつ数えます(下書きは含めません)。"
    "同じ世帯について複数のシートが送られればそれぞれ数えます。"
)


def _referrals_by_route(period: Period) -> dict:
    return count_by(referrals_sent(period), "route")


register(
    Figure(
        code="referral.received",
        label=_("つなぐシート(多機関協働への連絡)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_REFERRAL_FY,
        records=referrals_sent,
        grouped=_referrals_by_route,
        group_key=ALL,
        record_kind="referral",
        order=300,
    )
)


def _referrals_by_outcome(period: Period) -> dict:
    by_status = count_by(
        referrals_sent(period).annotate(status_then=referral_status_on(period)), "status_then"
    )
    return {
        code: sum(by_status.get(s, 0) for s in statuses) for code, _l, statuses in REFERRAL_OUTCOMES
    }


for n, (code, label) in enumerate([*Route.choices, ("", _("経路の記録なし"))]):
    register(
        Figure(
            code=f"referral.received.route.{code or 'none'}",
            label=label,
            programme=P,
            basis=Basis.CUMULATIVE,
            unit=Unit.ITEMS,
            rule=interp(_("相談経路が「%(route)s」のつなぐシートの件数です。"), route=label),
            records=lambda period, code=code: referrals_sent(period).filter(route=code),
            grouped=_referrals_by_route,
            group_key=code,
            record_kind="referral",
            group="referral.received",
            group_label=_("相談経路"),
            order=301 + n,
        )
    )

for n, (code, label, statuses) in enumerate(REFERRAL_OUTCOMES):
    register(
        Figure(
            code=f"referral.received.outcome.{code}",
            label=label,
            programme=P,
            basis=Basis.CUMULATIVE,
            unit=Unit.ITEMS,
            rule=interp(
                _(
                    "年度内に送付されたつなぐシートのうち、基準日の時点で「%(outcome)s」のもの(経過の記録から判定)。"
                ),
                outcome=label,
            ),
            records=lambda period, statuses=statuses: (
                referrals_sent(period)
                .annotate(status_then=referral_status_on(period))
                .filter(status_then__in=statuses)
            ),
            grouped=_referrals_by_outcome,
            group_key=code,
            record_kind="referral",
            group="referral.received",
            group_label=_("回答"),
            order=330 + n,
        )
    )


def referrals_answered(period: Period):
    return Referral.objects.filter(
        sent_at__isnull=False,
        answered_at__gte=period.start_at,
        answered_at__lt=period.end_before,
        status__in=(Referral.Status.ACCEPTED, Referral.Status.RETURNED),
    )


register(
    Figure(
        code="referral.turnaround.days",
        label=_("つなぐシートの回答までの日数"),
        programme=P,
        basis=Basis.AVERAGE,
        unit=Unit.DAYS,
        rule=_(
            "年度内・基準日までに受理または差し戻しの回答をしたつなぐシートについて、送付日から回答日までの暦日数の平均です"
            "(同じ日の回答は0日)。追加情報の依頼中の日数も含みます。"
        ),
        records=referrals_answered,
        compute=lambda qs, period: mean_local_days(qs, "sent_at", "answered_at"),
        record_kind="referral",
        order=340,
    )
)


# --- support cases -------------------------------------------------------------------------


def cases_accepted(period: Period):
    return SupportCase.objects.filter(opened_on__gte=period.start, opened_on__lte=period.end)


def transitions(period: Period, *, to=None, from_=None):
    qs = CaseTransition.objects.annotate(
        effective_on=Coalesce("decided_on", TruncDate("at"))
    ).filter(effective_on__gte=period.start, effective_on__lte=period.end)
    if to:
        qs = qs.filter(to_status__in=to)
    if from_:
        qs = qs.filter(from_status__in=from_)
    return qs


def status_on(day):
    """Subquery: a case's status at the end of `day` (受付 when nothing changed yet)."""
    last = (
        CaseTransition.objects.annotate(effective_on=Coalesce("decided_on", TruncDate("at")))
        .filter(case=OuterRef("pk"), effective_on__lte=day)
        .order_by("-effective_on", "-at", "-pk")
        .values("to_status")[:1]
    )
    return Coalesce(Subquery(last), Value(S.RECEIVED.value))


def cases_open_on(day):
    return (
        SupportCase.objects.filter(opened_on__lte=day)
        .annotate(status_then=status_on(day))
        .exclude(status_then__in=ENDED)
    )


def _accepted(period: Period) -> dict:
    return aggregate(
        cases_accepted(period), cases=Count("pk"), households=Count("household", distinct=True)
    )


register(
    Figure(
        code="case.accepted",
        label=_("多機関協働で受け付けたケース"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _(
                "受付日が年度内・基準日までの支援ケースを1件ずつ数えます。主担当機関の交代や職員の異動ではケースは変わりません。"
            ),
            _REOPEN,
        ),
        records=cases_accepted,
        grouped=_accepted,
        group_key="cases",
        record_kind="case",
        order=400,
    )
)

register(
    Figure(
        code="case.accepted.households",
        label=_("受け付けたケースの世帯"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.HOUSEHOLDS,
        rule=_("年度内に受け付けたケースの世帯を、ケースの数にかかわらず1世帯として数えます。"),
        records=lambda period: Household.objects.filter(
            pk__in=cases_accepted(period).values("household_id")
        ),
        grouped=_accepted,
        group_key="households",
        record_kind="household",
        counts_persons=True,
        order=401,
    )
)

register(
    Figure(
        code="case.accepted.persons",
        label=_("受け付けたケースの対象者"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=_(
            "年度内に受け付けたケースの「対象となる世帯員」(本人を含む)を1人として数えます。名寄せで統合された記録は統合先の1人です。"
        ),
        records=lambda period: Person.objects.filter(
            pk__in=cases_accepted(period).filter(persons__isnull=False).values("persons")
        ),
        record_kind="person",
        counts_persons=True,
        order=402,
    )
)


register(
    Figure(
        code="case.carried_over",
        label=_("前年度からの継続ケース"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.ITEMS,
        rule=joined(
            _(
                "年度の初日の前日(3月31日)の時点で終結・つなぎもどしになっていなかったケースの数です。"
            ),
            _CASE_DATES,
        ),
        records=lambda period: cases_open_on(period.start - dt.timedelta(days=1)),
        record_kind="case",
        order=410,
    )
)

register(
    Figure(
        code="case.open",
        label=_("基準日に支援中のケース"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.ITEMS,
        rule=joined(
            _(
                "基準日(年度末より前なら基準日、以降なら年度末)の時点で終結・つなぎもどしになっていないケースの数です。"
            ),
            _CASE_DATES,
        ),
        records=lambda period: cases_open_on(period.end),
        record_kind="case",
        order=420,
    )
)


def cases_with(period: Period, *, to=None, from_=None):
    return SupportCase.objects.filter(
        pk__in=transitions(period, to=to, from_=from_).values("case_id")
    )


def _case_events(period: Period) -> dict:
    """Every count of status changes in the period from one GROUP BY query: closed, re-opened,
    handed back, ended (closed + handed back), and closures by the case's closure reason now
    (("reason", code); ("reason", "") for a closure re-opened since)."""
    counts: dict = {}

    def add(key, n):
        counts[key] = counts.get(key, 0) + n

    rows = (
        transitions(period)
        .order_by()
        .values_list("to_status", "from_status", "case__status", "case__closure_reason")
        .annotate(n=Count("pk"))
        .values_list("to_status", "from_status", "case__status", "case__closure_reason", "n")
    )
    for to_status, from_status, case_status, reason, n in rows:
        if to_status in ENDED:
            add("ended", n)
        if to_status == S.CLOSED:
            add("closed", n)
            if case_status != S.CLOSED:
                add(("reason", ""), n)
            elif reason:
                add(("reason", reason), n)
        if to_status == S.HANDED_BACK:
            add("handed_back", n)
        if from_status in ENDED:
            add("reopened", n)
    return counts


def _transition_count(key):
    return lambda qs, period: cached(_case_events, period).get(key, 0)


register(
    Figure(
        code="case.closed",
        label=_("終結したケース"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _(
                "年度内・基準日までに「終結」になった回数を数えます(つなぎもどしは別に数えます)。"
                "死亡・転出による終結も含みます。終結して再開し、同じ年度にまた終結したケースは2件です。"
            ),
            _CASE_DATES,
        ),
        records=lambda period: cases_with(period, to=(S.CLOSED,)),
        compute=_transition_count("closed"),
        record_kind="case",
        order=430,
    )
)


def closures_by_reason(period: Period, reason: str):
    """Closure events in the period whose case still carries `reason` ("" = re-opened since)."""
    qs = transitions(period, to=(S.CLOSED,))
    if reason:
        return qs.filter(case__status=S.CLOSED, case__closure_reason=reason)
    return qs.exclude(case__status=S.CLOSED)


for n, (code, label) in enumerate([*ClosureReason.choices, ("", _("その後再開したもの"))]):
    register(
        Figure(
            code=f"case.closed.reason.{code or 'reopened'}",
            label=label,
            programme=P,
            basis=Basis.CUMULATIVE,
            unit=Unit.ITEMS,
            rule=(
                interp(_("終結理由が「%(reason)s」の終結の件数です。"), reason=label)
                if code
                else _(
                    "年度内に終結し、その後に再開したケースの終結の件数です(理由は再開で消えるため)。"
                )
            ),
            records=lambda period, code=code: SupportCase.objects.filter(
                pk__in=closures_by_reason(period, code).values("case_id")
            ),
            compute=_transition_count(("reason", code)),
            record_kind="case",
            group="case.closed",
            group_label=_("終結理由"),
            order=431 + n,
        )
    )

register(
    Figure(
        code="case.reopened",
        label=_("再開したケース"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _("終結またはつなぎもどしの後に、年度内・基準日までに再開した回数です。"), _CASE_DATES
        ),
        records=lambda period: cases_with(period, from_=ENDED),
        compute=_transition_count("reopened"),
        record_kind="case",
        order=450,
    )
)

register(
    Figure(
        code="case.handed_back",
        label=_("つなぎもどし"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _("会議の決定により主担当機関へつなぎもどした回数です。"),
            _CASE_DATES,
        ),
        records=lambda period: cases_with(period, to=(S.HANDED_BACK,)),
        compute=_transition_count("handed_back"),
        record_kind="case",
        order=460,
    )
)

register(
    Figure(
        code="case.handed_back.share",
        label=_("つなぎもどしの割合"),
        programme=P,
        basis=Basis.SHARE,
        unit=Unit.PERCENT,
        rule=_(
            "年度内・基準日までに支援を終えた回数(終結+つなぎもどし)のうち、つなぎもどしの割合です(小数第1位で四捨五入)。"
        ),
        records=lambda period: cases_with(period, to=ENDED),
        compute=lambda qs, period: share(
            cached(_case_events, period).get("handed_back", 0),
            cached(_case_events, period).get("ended", 0),
        ),
        record_kind="case",
        order=461,
    )
)


def _hand_back_days(qs, period: Period):
    rows = transitions(period, to=(S.HANDED_BACK,)).values_list("case__opened_on", "effective_on")
    return mean_days(rows)


register(
    Figure(
        code="case.handed_back.days",
        label=_("受付からつなぎもどしまでの日数"),
        programme=P,
        basis=Basis.AVERAGE,
        unit=Unit.DAYS,
        rule=joined(
            _(
                "年度内のつなぎもどしについて、ケースの受付日からつなぎもどしの日までの暦日数の平均です。"
            ),
            _CASE_DATES,
        ),
        records=lambda period: cases_with(period, to=(S.HANDED_BACK,)),
        compute=_hand_back_days,
        record_kind="case",
        order=462,
    )
)

register(
    Figure(
        code="plan.approved",
        label=_("承認されたプラン"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_(
            "会議日が年度内・基準日までのプランの承認を数えます(再プランで新しい版が承認されればそれも1件)。"
        ),
        records=lambda period: Plan.objects.filter(
            approved_at__isnull=False,
            meeting_on__gte=period.start,
            meeting_on__lte=period.end,
            programme=P,
        ),
        record_kind="plan",
        order=470,
    )
)
