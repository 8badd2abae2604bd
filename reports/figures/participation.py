"""Figures of 参加支援事業: assessments, matching (proposals), placements at hosts, activity days,
follow-up, outcomes and the gaps found (participation.models).

A placement counts by its own dates: proposed (提案日), 参加 from the start date (参加開始日) to the
end date (終了日), ended on the end date with its outcome. Persons are the placement's person, so a
person placed at two hosts is one person and two placements.
"""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from agencies.choices import Programme
from cases.models import Person
from community.choices import ResourceKind
from community.models import Resource
from participation.choices import FollowUpTarget, Outcome, PlacementRole, PlacementStatus
from participation.models import (
    ActivityDay,
    FollowUp,
    ParticipationAssessment,
    Placement,
    PlacementTransition,
    ResourceGap,
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
    register,
    register_breakdown,
)

P = Programme.PARTICIPATION.value

_ACTIVE = _(
    "参加開始日が基準日(年度末より前なら基準日)以前で、終了日がないか年度の初日以降の参加(参加中・"
    "年度内に終了したもの)を数えます。見学・体験だけで終わったものは含めません。"
)


def proposed(period: Period):
    return Placement.objects.filter(proposed_on__gte=period.start, proposed_on__lte=period.end)


def active(period: Period):
    """Placements at 参加 at some time in the period."""
    return Placement.objects.filter(started_on__isnull=False, started_on__lte=period.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start)
    )


def ended(period: Period):
    return Placement.objects.filter(
        status=PlacementStatus.ENDED, ended_on__gte=period.start, ended_on__lte=period.end
    )


def activity_days(period: Period):
    return ActivityDay.objects.filter(on__gte=period.start, on__lte=period.end)


def follow_ups(period: Period):
    return FollowUp.objects.filter(on__gte=period.start, on__lte=period.end)


def persons_of(qs):
    return Person.objects.filter(pk__in=qs.values("person_id"))


# Several figures over the same placements, one aggregate query each.
def _proposed_counts(period: Period) -> dict:
    return aggregate(
        proposed(period), proposals=Count("pk"), persons=Count("person", distinct=True)
    )


def _active_counts(period: Period) -> dict:
    return aggregate(
        active(period),
        placements=Count("pk"),
        persons=Count("person", distinct=True),
        hosts=Count("resource", distinct=True),
    )


def _activity_counts(period: Period) -> dict:
    return aggregate(activity_days(period), days=Count("pk"), hours=Sum("hours"))


register(
    Figure(
        code="participation.assessed",
        label=_("参加支援アセスメントを行った人"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=_(
            "アセスメント日が年度内・基準日までの参加支援アセスメントシート(新しい版を含む)がある人を、"
            "版の数にかかわらず1人として数えます。"
        ),
        records=lambda period: persons_of(
            ParticipationAssessment.objects.filter(
                assessed_on__gte=period.start, assessed_on__lte=period.end
            )
        ),
        record_kind="person",
        counts_persons=True,
        order=600,
    )
)

register(
    Figure(
        code="participation.matched",
        label=_("参加先を提案した人(マッチング)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=_(
            "マッチングの結果から参加先を提案した(提案日が年度内・基準日までの)人を、提案した参加先の数に"
            "かかわらず1人として数えます。マッチングの画面を見ただけで提案しなかった人は含めません。"
        ),
        records=lambda period: persons_of(proposed(period)),
        grouped=_proposed_counts,
        group_key="persons",
        record_kind="person",
        counts_persons=True,
        order=605,
    )
)

register(
    Figure(
        code="participation.proposals",
        label=_("参加先の提案(延べ件数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_(
            "提案日が年度内・基準日までの提案を、本人と参加先の組み合わせごとに1件として数えます"
            "(1人に3か所を提案すれば3件)。"
        ),
        records=proposed,
        grouped=_proposed_counts,
        group_key="proposals",
        record_kind="placement",
        order=608,
    )
)

register(
    Figure(
        code="participation.trials",
        label=_("体験(延べ件数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_("状態を「体験」にした記録の日付が年度内・基準日までのものを1件ずつ数えます。"),
        records=lambda period: PlacementTransition.objects.filter(
            to_status=PlacementStatus.TRIAL, on__gte=period.start, on__lte=period.end
        ),
        record_kind="placement_transition",
        order=610,
    )
)

register(
    Figure(
        code="participation.placed",
        label=_("参加につながった人(実人数)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=joined(
            _(
                "年度内に参加先で「参加」の状態にあった人を、参加先の数にかかわらず1人として数えます。"
            ),
            _ACTIVE,
        ),
        records=lambda period: persons_of(active(period)),
        grouped=_active_counts,
        group_key="persons",
        record_kind="person",
        counts_persons=True,
        order=620,
    )
)

register(
    Figure(
        code="participation.placements",
        label=_("参加(延べ件数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _("年度内に「参加」の状態にあった本人と参加先の組み合わせを1件ずつ数えます。"), _ACTIVE
        ),
        records=active,
        grouped=_active_counts,
        group_key="placements",
        record_kind="placement",
        order=625,
    )
)


def _placements_by_kind(period: Period) -> dict:
    return count_by(active(period), "resource__kind")


def _placements_by_role(period: Period) -> dict:
    return count_by(active(period), "role")


register_breakdown(
    "participation.placements",
    "kind",
    ResourceKind.choices,
    records=active,
    field="resource__kind",
    rule=lambda label: interp(_("参加先の種類が「%(kind)s」の参加の件数です。"), kind=label),
    programme=P,
    basis=Basis.CUMULATIVE,
    unit=Unit.ITEMS,
    grouped=_placements_by_kind,
    record_kind="placement",
    group_label=_("参加先の種類"),
    order=626,
)

register_breakdown(
    "participation.placements",
    "role",
    PlacementRole.choices,
    records=active,
    field="role",
    rule=lambda label: interp(
        _("参加のかたちが「%(role)s」の参加の件数です(担い手=手伝う側として参加)。"),
        role=label,
    ),
    programme=P,
    basis=Basis.CUMULATIVE,
    unit=Unit.ITEMS,
    grouped=_placements_by_role,
    record_kind="placement",
    group_label=_("参加のかたち"),
    order=650,
)

register(
    Figure(
        code="participation.hosts",
        label=_("受け入れ先(協力事業者数)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PLACES,
        rule=joined(_("年度内に1人以上が「参加」していた参加先(社会資源)の数です。"), _ACTIVE),
        records=lambda period: Resource.objects.filter(pk__in=active(period).values("resource_id")),
        grouped=_active_counts,
        group_key="hosts",
        record_kind="resource",
        order=660,
    )
)

register(
    Figure(
        code="participation.activity_days",
        label=_("活動日数(延べ)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.DAYS,
        rule=_(
            "活動日が年度内・基準日までの活動の記録を、本人と参加先の組み合わせごとに1日1件として足し上げます"
            "(見学・体験・参加の日を含みます)。"
        ),
        records=activity_days,
        grouped=_activity_counts,
        group_key="days",
        record_kind="activity_day",
        order=665,
    )
)

register(
    Figure(
        code="participation.activity_hours",
        label=_("活動時間(延べ)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.HOURS,
        rule=_("活動日数に数えた活動の記録の時間を足し上げます(0.1時間単位)。"),
        records=activity_days,
        compute=lambda qs, period: cached(_activity_counts, period)["hours"],
        record_kind="activity_day",
        order=666,
    )
)

register(
    Figure(
        code="participation.ended",
        label=_("参加の終了(延べ件数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_(
            "終了日が年度内・基準日までの参加先での取組(提案・見学・体験・参加のどの段階から終えたものも)を"
            "1件ずつ数え、終了の結果で分けます。「定着」「就労」が安定につながったものです。"
        ),
        records=ended,
        grouped=lambda period: cached(_ended_by_outcome, period),
        group_key=ALL,
        record_kind="placement",
        order=670,
    )
)


def _ended_by_outcome(period: Period) -> dict:
    return count_by(ended(period), "outcome")


register_breakdown(
    "participation.ended",
    "outcome",
    Outcome.choices,
    records=ended,
    field="outcome",
    rule=lambda label: interp(_("終了の結果が「%(outcome)s」の件数です。"), outcome=label),
    programme=P,
    basis=Basis.CUMULATIVE,
    unit=Unit.ITEMS,
    grouped=_ended_by_outcome,
    record_kind="placement",
    group_label=_("終了の結果"),
    order=671,
)

register(
    Figure(
        code="participation.follow_ups",
        label=_("フォローアップ(延べ回数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.TIMES,
        rule=_(
            "日付が年度内・基準日までのフォローアップ(本人への訪問・電話・面談など、受け入れ先への相談・"
            "研修・調整)を1回ずつ数え、相手で分けます。"
        ),
        records=follow_ups,
        grouped=lambda period: cached(_follow_ups_by_target, period),
        group_key=ALL,
        record_kind="follow_up",
        order=680,
    )
)


def _follow_ups_by_target(period: Period) -> dict:
    return count_by(follow_ups(period), "target")


register_breakdown(
    "participation.follow_ups",
    "target",
    FollowUpTarget.choices,
    records=follow_ups,
    field="target",
    rule=lambda label: interp(_("相手が「%(target)s」のフォローアップの回数です。"), target=label),
    programme=P,
    basis=Basis.CUMULATIVE,
    unit=Unit.TIMES,
    grouped=_follow_ups_by_target,
    record_kind="follow_up",
    group_label=_("相手"),
    order=681,
)

register(
    Figure(
        code="participation.gaps",
        label=_("資源の不足(記録した件数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_(
            "合う参加先が見つからず、記録日が年度内・基準日までに記録した資源の不足を1件ずつ数えます"
            "(地域づくりの地域課題に挙げたもの、新しい資源につながったものを含みます)。"
        ),
        records=lambda period: ResourceGap.objects.filter(
            recorded_on__gte=period.start, recorded_on__lte=period.end
        ),
        record_kind="resource_gap",
        order=690,
    )
)
