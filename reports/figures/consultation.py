"""Figures of 包括的相談支援事業: consultations received (相談受付) and concern slips (気づきシート)."""

from django.db.models import BigIntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from agencies.choices import Programme
from cases.choices import IssueCategory, Route
from cases.models import (
    ConcernSlip,
    Consultation,
    ConsultationIssue,
    ConsultationOutcome,
    Household,
    HouseholdMember,
    Person,
)

from .registry import (
    ALL,
    Basis,
    Figure,
    Period,
    Unit,
    cached,
    count_by,
    interp,
    joined,
    register,
    register_breakdown,
)

P = Programme.CONSULTATION.value
COMMUNITY_ROUTES = (Route.IBASHO, Route.MINSEI, Route.RESIDENT)

_FY = _("受付日時(日本時間)が年度(4月1日〜3月31日)のうち基準日までにある相談を数えます。")
_MERGE = _(
    "名寄せで統合された重複記録は、統合先の1人(1世帯)として数えます(統合で相談は統合先に付け替わります)。"
)


def consultations(period: Period):
    return Consultation.objects.filter(
        received_at__gte=period.start_at, received_at__lt=period.end_before
    )


def household_at_consultation():
    """The household a consultation counts for: the one recorded on it, else the household the
    person belonged to on the day (the lowest-numbered one if several)."""
    membership = (
        HouseholdMember.objects.filter(person=OuterRef("person"))
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=OuterRef("received_on")))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=OuterRef("received_on")))
        .order_by("household_id")
        .values("household_id")[:1]
    )
    return Coalesce("household_id", Subquery(membership), output_field=BigIntegerField())


def consulted_household_ids(period: Period):
    return (
        consultations(period)
        .annotate(received_on=TruncDate("received_at"))
        .annotate(counted_household=household_at_consultation())
        .filter(counted_household__isnull=False)
        .values("counted_household")
    )


register(
    Figure(
        code="consultation.new.households",
        label=_("新規相談(世帯)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.HOUSEHOLDS,
        rule=joined(
            _(
                "年度内に1回以上相談を受け付けた世帯を、相談の回数や受付機関の数にかかわらず1世帯として数えます。"
                "世帯は相談に記録された世帯、記録がなければ相談日に本人が属していた世帯です。"
                "年度の途中で世帯を移った人の相談は、それぞれの相談日の世帯に数えます(2世帯)。"
                "匿名の相談、世帯の分からない相談は含めません(延べ件数には含めます)。"
                "機関の間で引き継がれても同じ世帯は1世帯です。"
            ),
            _FY,
            _MERGE,
        ),
        records=lambda period: Household.objects.filter(pk__in=consulted_household_ids(period)),
        record_kind="household",
        counts_persons=True,
        order=100,
    )
)

register(
    Figure(
        code="consultation.new.persons",
        label=_("新規相談(人)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=joined(
            _(
                "年度内に本人として相談を受け付けた人を、相談の回数や世帯の移動にかかわらず1人として数えます。"
                "亡くなった方も、亡くなる前の相談は数えます。匿名の相談は含めません。"
            ),
            _FY,
            _MERGE,
        ),
        records=lambda period: Person.objects.filter(
            pk__in=consultations(period).filter(person__isnull=False).values("person_id")
        ),
        record_kind="person",
        counts_persons=True,
        order=110,
    )
)


def _contacts_by_route(period: Period) -> dict:
    return count_by(consultations(period), "route")


register(
    Figure(
        code="consultation.contacts",
        label=_("相談受付(延べ件数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _(
                "年度内に受け付けた相談を1件ずつ数えます(同じ世帯の2回目以降の相談、匿名の相談も含みます)。"
            ),
            _FY,
        ),
        records=consultations,
        grouped=_contacts_by_route,
        group_key=ALL,
        record_kind="consultation",
        order=120,
    )
)


register_breakdown(
    "consultation.contacts",
    "route",
    Route.choices,
    records=consultations,
    field="route",
    rule=lambda label: interp(_("相談経路が「%(route)s」の相談受付の延べ件数です。"), route=label),
    programme=P,
    basis=Basis.CUMULATIVE,
    unit=Unit.ITEMS,
    grouped=_contacts_by_route,
    record_kind="consultation",
    group_label=_("相談経路"),
    order=121,
)


def _issues_by_category(period: Period) -> dict:
    return count_by(
        ConsultationIssue.objects.filter(consultation__in=consultations(period)), "category"
    )


register(
    Figure(
        code="consultation.issues",
        label=_("相談の課題(延べ件数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _(
                "相談受付に記録された課題の分類を1つずつ数えます。1件の相談に複数の課題があればそれぞれ数えるため、"
                "合計は相談受付の件数より多くなります。"
            ),
            _FY,
        ),
        records=lambda period: Consultation.objects.filter(
            pk__in=ConsultationIssue.objects.filter(consultation__in=consultations(period)).values(
                "consultation_id"
            )
        ),
        compute=lambda qs, period: sum(cached(_issues_by_category, period).values()),
        record_kind="consultation",
        order=140,
    )
)


register_breakdown(
    "consultation.issues",
    "category",
    IssueCategory.choices,
    records=consultations,
    field="issues__category",
    rule=lambda label: interp(
        _("課題の分類に「%(category)s」が記録された相談受付の件数です。"), category=label
    ),
    programme=P,
    basis=Basis.CUMULATIVE,
    unit=Unit.ITEMS,
    grouped=_issues_by_category,
    record_kind="consultation",
    group_label=_("課題の分類"),
    order=141,
)

register(
    Figure(
        code="consultation.from_community",
        label=_("居場所・地域住民からの相談"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(
            _(
                "相談経路が「居場所・サロンで」「民生委員」「地域住民」の相談受付の延べ件数です"
                "(地域の居場所や住民の気づきから相談につながった数)。気づきシートは別に数えます。"
            ),
            _FY,
        ),
        records=lambda period: consultations(period).filter(route__in=COMMUNITY_ROUTES),
        grouped=_contacts_by_route,
        group_key=tuple(r.value for r in COMMUNITY_ROUTES),
        record_kind="consultation",
        order=180,
    )
)

register(
    Figure(
        code="consultation.to_multiagency",
        label=_("多機関協働へつないだ相談"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=joined(_("対応結果が「多機関協働へつなぐ」の相談受付の延べ件数です。"), _FY),
        records=lambda period: consultations(period).filter(
            outcome=ConsultationOutcome.MULTIAGENCY
        ),
        record_kind="consultation",
        order=185,
    )
)

register(
    Figure(
        code="concern_slip.received",
        label=_("気づきシート(住民からの気づき)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_(
            "民生委員・地域住民から届いた気づきシートを、提出日時(日本時間)が年度内・基準日までのものについて1枚ずつ数えます。"
        ),
        records=lambda period: ConcernSlip.objects.filter(
            submitted_at__gte=period.start_at, submitted_at__lt=period.end_before
        ),
        record_kind="concern_slip",
        order=190,
    )
)
