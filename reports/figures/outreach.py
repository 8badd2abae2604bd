"""Figures of アウトリーチ等を通じた継続的支援事業: targets found, contacts and visits, stage changes,
closures and connections (outreach.models).

A target is one person, often known only approximately before consent, so targets are counted
as persons; households only where the target has been linked to a person record. Contacts count
by their date and time (日本時間), stage changes by the date recorded on the change, so an earlier
year's report keeps what happened then.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from agencies.choices import Programme
from cases.models import HouseholdMember
from outreach.models import (
    VISIT_KINDS,
    ClosureReason,
    ContactKind,
    OutreachContact,
    OutreachTarget,
    Source,
    Stage,
    StageTransition,
)
from outreach.selectors import connection_transitions, staff_visit_rows

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

P = Programme.OUTREACH.value

_CONTACT_FY = _("接触の日時(日本時間)が年度(4月1日〜3月31日)のうち基準日までにあるものを数えます。")
_STAGE_FY = _("段階の変更は、変更に記録された変更日が年度内・基準日までのものを数えます。")


def targets_known(period: Period):
    return OutreachTarget.objects.filter(known_on__gte=period.start, known_on__lte=period.end)


def contacts(period: Period):
    return OutreachContact.objects.between(period.start, period.end)


def visits(period: Period):
    return contacts(period).filter(kind__in=VISIT_KINDS)


def targets_contacted(period: Period):
    return OutreachTarget.objects.filter(pk__in=contacts(period).values("target_id"))


def stage_changes(period: Period):
    """Stage changes in the period, not counting the first record made when the target was found."""
    return StageTransition.objects.filter(on__gte=period.start, on__lte=period.end).exclude(
        from_stage=""
    )


def _household_count(qs, period: Period) -> int:
    """Targets linked to a person count as the household the person belonged to on the period's
    last day (two targets of one household: one household); others count one household each."""
    day = period.end
    links = dict(
        HouseholdMember.objects.filter(
            person_id__in=qs.filter(person__isnull=False).values("person")
        )
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .order_by("person_id", "-household_id")
        .values_list("person_id", "household_id")
    )  # the lowest household id wins (later rows overwrite)
    keys = set()
    for pk, person_id in qs.values_list("pk", "person_id"):
        household = links.get(person_id)
        keys.add(("household", household) if household else ("target", pk))
    return len(keys)


register(
    Figure(
        code="outreach.targets.new",
        label=_("新たに把握した対象者"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=_(
            "把握日が年度内・基準日までのアウトリーチ対象者を1人ずつ数えます。"
            "氏名が分からない人も1人として数えます。同じ人が別の機関で重ねて登録されていれば、名寄せで"
            "対象者記録につないだ後も登録ごとに数えます(把握の件数)。"
        ),
        records=targets_known,
        grouped=lambda period: cached(_targets_by_source, period),
        group_key=ALL,
        record_kind="outreach_target",
        counts_persons=True,
        order=500,
    )
)


def _targets_by_source(period: Period) -> dict:
    return count_by(targets_known(period), "source")


register_breakdown(
    "outreach.targets.new",
    "source",
    Source.choices,
    records=targets_known,
    field="source",
    rule=lambda label: interp(
        _("把握の経路が「%(source)s」の新たに把握した対象者の数です。"), source=label
    ),
    programme=P,
    basis=Basis.DISTINCT,
    unit=Unit.PERSONS,
    grouped=_targets_by_source,
    record_kind="outreach_target",
    group_label=_("把握の経路"),
    counts_persons=True,
    order=501,
)


def _contacted(period: Period) -> dict:
    """実人数 contacted and visited, from one scan of the period's contacts."""
    return aggregate(
        contacts(period),
        targets=Count("target", distinct=True),
        visited=Count("target", distinct=True, filter=Q(kind__in=VISIT_KINDS)),
    )


register(
    Figure(
        code="outreach.targets.contacted",
        label=_("関わった対象者(実人数)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=joined(
            _(
                "年度内に1回以上接触(手紙・電話・訪問・同行など、不在や応答なしも含む)を記録した対象者を、"
                "接触の回数にかかわらず1人として数えます。前年度から関わっている人も含みます。"
            ),
            _CONTACT_FY,
        ),
        records=targets_contacted,
        grouped=_contacted,
        group_key="targets",
        record_kind="outreach_target",
        counts_persons=True,
        order=520,
    )
)

register(
    Figure(
        code="outreach.households.contacted",
        label=_("関わった世帯(実数)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.HOUSEHOLDS,
        rule=joined(
            _(
                "関わった対象者(実人数)を世帯で数えます。対象者記録につながった人は基準日(年度末より前なら"
                "基準日)に属していた世帯で数え、同じ世帯の2人は1世帯です。対象者記録につながっていない人は"
                "世帯が分からないため1人を1世帯として数えます。"
            ),
            _CONTACT_FY,
        ),
        records=targets_contacted,
        compute=_household_count,
        record_kind="outreach_target",
        counts_persons=True,
        order=525,
    )
)

register(
    Figure(
        code="outreach.contacts",
        label=_("接触(延べ件数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _(
                "記録した接触を1件ずつ数えます(手紙・置き手紙・電話・メール・訪問・同行・居場所等での面会。"
                "不在・応答なしの訪問も1件です)。"
            ),
            _CONTACT_FY,
        ),
        records=contacts,
        grouped=lambda period: cached(_contacts_by_kind, period),
        group_key=ALL,
        record_kind="outreach_contact",
        order=530,
    )
)


def _contacts_by_kind(period: Period) -> dict:
    return count_by(contacts(period), "kind")


register_breakdown(
    "outreach.contacts",
    "kind",
    ContactKind.choices,
    records=contacts,
    field="kind",
    rule=lambda label: interp(_("種別が「%(kind)s」の接触の延べ件数です。"), kind=label),
    programme=P,
    basis=Basis.CUMULATIVE,
    unit=Unit.ITEMS,
    grouped=_contacts_by_kind,
    record_kind="outreach_contact",
    group_label=_("接触の種別"),
    order=531,
)

register(
    Figure(
        code="outreach.visits",
        label=_("訪問回数(延べ)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.TIMES,
        rule=joined(
            _(
                "種別が「家庭訪問」「同行支援」の接触を1回ずつ数えます。職員が何人で行っても1回です"
                "(人数は延べ訪問人数に数えます)。"
            ),
            _CONTACT_FY,
        ),
        records=visits,
        grouped=lambda period: cached(_contacts_by_kind, period),
        group_key=tuple(k.value for k in VISIT_KINDS),
        record_kind="outreach_contact",
        order=540,
    )
)

register(
    Figure(
        code="outreach.visits.staff",
        label=_("延べ訪問人数(職員)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.PERSONS,
        rule=joined(
            _(
                "訪問回数に数えた訪問ごとに、記録された対応職員の人数を足し上げます(2人で訪問すれば2人)。"
                "同行した他機関の専門職は職員に含めません。"
            ),
            _CONTACT_FY,
        ),
        records=visits,
        compute=lambda qs, period: staff_visit_rows(qs).count(),
        record_kind="outreach_contact",
        order=545,
    )
)

register(
    Figure(
        code="outreach.targets.visited",
        label=_("訪問した対象者(実人数)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=joined(
            _("年度内に1回以上訪問(家庭訪問・同行支援)した対象者を1人として数えます。"),
            _CONTACT_FY,
        ),
        records=lambda period: OutreachTarget.objects.filter(
            pk__in=visits(period).values("target_id")
        ),
        grouped=_contacted,
        group_key="visited",
        record_kind="outreach_target",
        counts_persons=True,
        order=550,
    )
)

register(
    Figure(
        code="outreach.stage_changes",
        label=_("段階の変更(延べ件数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _(
                "対象者の関わりの段階(事前調整・関係づくり・訪問・同行・つなぎ・継続的な関わり・終結)が"
                "変わった記録を1件ずつ数え、移った先の段階で分けます。把握したときの最初の記録は含めません"
                "(新たに把握した対象者に数えます)。"
            ),
            _STAGE_FY,
        ),
        records=stage_changes,
        grouped=lambda period: cached(_changes_by_stage, period),
        group_key=ALL,
        record_kind="outreach_transition",
        order=560,
    )
)


def _changes_by_stage(period: Period) -> dict:
    return count_by(stage_changes(period), "to_stage")


for n, (code, label) in enumerate(Stage.choices):
    if code == Stage.DISCOVERED:
        continue  # a change never moves back to 発見・把握 (the first record is not counted)
    register(
        Figure(
            code=f"outreach.stage_changes.to.{code}",
            label=label,
            programme=P,
            basis=Basis.CUMULATIVE,
            unit=Unit.ITEMS,
            rule=interp(_("「%(stage)s」へ移った段階の変更の件数です。"), stage=label),
            records=lambda period, code=code: stage_changes(period).filter(to_stage=code),
            grouped=_changes_by_stage,
            group_key=code,
            record_kind="outreach_transition",
            group="outreach.stage_changes",
            group_label=_("移った段階"),
            order=561 + n,
        )
    )


def closures(period: Period):
    return stage_changes(period).filter(to_stage=Stage.CLOSED)


register(
    Figure(
        code="outreach.closed",
        label=_("終結(延べ件数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _(
                "段階を「終結」にした記録を1件ずつ数え、その記録の終結理由で分けます。終結後に再び関わり、"
                "同じ年度にもう一度終結すれば2件です。"
            ),
            _STAGE_FY,
        ),
        records=closures,
        grouped=lambda period: cached(_changes_by_stage, period),
        group_key=Stage.CLOSED.value,
        record_kind="outreach_transition",
        order=570,
    )
)


def _closures_by_reason(period: Period) -> dict:
    return count_by(closures(period), "closure_reason")


register_breakdown(
    "outreach.closed",
    "reason",
    ClosureReason.choices,
    records=closures,
    field="closure_reason",
    rule=lambda label: interp(_("終結理由が「%(reason)s」の終結の件数です。"), reason=label),
    programme=P,
    basis=Basis.CUMULATIVE,
    unit=Unit.ITEMS,
    grouped=_closures_by_reason,
    record_kind="outreach_transition",
    group_label=_("終結理由"),
    order=571,
)

register(
    Figure(
        code="outreach.connected",
        label=_("つないだ対象者"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=joined(
            _(
                "年度内に段階を「つなぎ」にした、または「他制度・他機関につながった」で終結した対象者を、"
                "何度あっても1人として数えます。"
            ),
            _STAGE_FY,
        ),
        records=lambda period: OutreachTarget.objects.filter(
            pk__in=connection_transitions(start=period.start, end=period.end).values("target_id")
        ),
        record_kind="outreach_target",
        counts_persons=True,
        order=580,
    )
)

register(
    Figure(
        code="outreach.to_consultation",
        label=_("相談受付につながった対象者"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=_(
            "アウトリーチ対象者のうち、本人の同意を得て記録した相談受付の受付日時(日本時間)が年度内・"
            "基準日までにある人の数です(相談受付は包括的相談支援の延べ件数にも数えます)。"
        ),
        records=lambda period: OutreachTarget.objects.filter(
            consultation__received_at__gte=period.start_at,
            consultation__received_at__lt=period.end_before,
        ),
        record_kind="outreach_target",
        counts_persons=True,
        order=585,
    )
)

register(
    Figure(
        code="outreach.to_case",
        label=_("支援ケースにつながった対象者"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=_(
            "アウトリーチ対象者のうち、つながった支援ケース(多機関協働)の受理日が年度内・基準日までにある"
            "人の数です。"
        ),
        records=lambda period: OutreachTarget.objects.filter(
            support_case__opened_on__gte=period.start,
            support_case__opened_on__lte=period.end,
        ),
        record_kind="outreach_target",
        counts_persons=True,
        order=590,
    )
)
