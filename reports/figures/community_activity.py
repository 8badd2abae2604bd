"""Figures of 地域づくり事業 from the work at places and around them: the sessions of places (the
hosts' anonymous tallies), 気づき and consultations from places, volunteers, platforms and
courses, agreements and community issues."""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from agencies.choices import Programme
from community.choices import AGE_BANDS, ATTRIBUTES, IssueSource, ProgramKind
from community.models import (
    Agreement,
    CommunityIssue,
    PlaceConcern,
    Program,
    ProgramSession,
    Session,
    Volunteer,
    VolunteerActivity,
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

P = Programme.COMMUNITY.value


# --- sessions of places (the hosts' anonymous tallies) --------------------------------------------

_SESSION_FY = _(
    "開催日が年度内・基準日までの開催記録の集計表(受け入れ側が名前なしで数えたもの)を足し上げます。"
    "同じ人が毎回来れば毎回数えます(延べ)。"
)
TALLY_SUMS = (
    *(f for f, _label in AGE_BANDS),
    *(f for f, _label in ATTRIBUTES),
    "participants",
    "new_participants",
    "volunteers",
    "volunteer_hours",
    "became_helpers",
    "consultations",
)


def sessions(period: Period):
    return Session.objects.between(period.start, period.end)


def _session_sums(period: Period) -> dict:
    """The number of sessions and every tally field summed over them, in one query."""
    return aggregate(sessions(period), sessions=Count("pk"), **{f: Sum(f) for f in TALLY_SUMS})


register(
    Figure(
        code="community.sessions",
        label=_("拠点・居場所の開催(延べ回数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.TIMES,
        rule=_("開催日が年度内・基準日までの拠点・居場所の開催記録を1回ずつ数えます。"),
        records=sessions,
        grouped=_session_sums,
        group_key="sessions",
        record_kind="session",
        order=750,
    )
)

register(
    Figure(
        code="community.participants",
        label=_("拠点・居場所の参加者(延べ人数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.PERSONS,
        rule=joined(
            _(
                "参加者数は集計表の年代別の人数の合計です。属性別の人数は重なりうるため別に示します。"
            ),
            _SESSION_FY,
        ),
        records=sessions,
        grouped=_session_sums,
        summed=True,
        group_key="participants",
        record_kind="session",
        order=760,
    )
)

for n, (field, label) in enumerate(AGE_BANDS):
    register(
        Figure(
            code=f"community.participants.age.{field.removeprefix('age_')}",
            label=label,
            programme=P,
            basis=Basis.CUMULATIVE,
            unit=Unit.PERSONS,
            rule=interp(_("集計表の「%(band)s」の参加者の延べ人数です。"), band=label),
            records=lambda period, field=field: sessions(period).filter(**{f"{field}__gt": 0}),
            grouped=_session_sums,
            summed=True,
            group_key=field,
            record_kind="session",
            group="community.participants",
            group_label=_("年代"),
            order=761 + n,
        )
    )

for n, (field, label) in enumerate(ATTRIBUTES):
    register(
        Figure(
            code=f"community.participants.attr.{field.removeprefix('attr_')}",
            label=label,
            programme=P,
            basis=Basis.CUMULATIVE,
            unit=Unit.PERSONS,
            rule=interp(
                _(
                    "集計表の属性「%(attr)s」の延べ人数です(1人が複数の属性に数えられることがあり、"
                    "属性の合計は参加者数と一致するとは限りません)。"
                ),
                attr=label,
            ),
            records=lambda period, field=field: sessions(period).filter(**{f"{field}__gt": 0}),
            grouped=_session_sums,
            summed=True,
            group_key=field,
            record_kind="session",
            group="community.participants",
            group_label=_("属性"),
            order=771 + n,
        )
    )

for order, code, key, label, unit, rule in (
    (
        780,
        "community.participants.new",
        "new_participants",
        _("うち初参加(延べ人数)"),
        Unit.PERSONS,
        _("集計表の「うち初参加」の人数を足し上げます。"),
    ),
    (
        782,
        "community.sessions.volunteers",
        "volunteers",
        _("開催に関わったボランティア(延べ人数)"),
        Unit.PERSONS,
        _("集計表のボランティア数を足し上げます(登録ボランティアかどうかを問いません)。"),
    ),
    (
        784,
        "community.sessions.became_helpers",
        "became_helpers",
        _("参加者から担い手になった人(延べ人数)"),
        Unit.PERSONS,
        _("集計表の「参加者から担い手になった人」を足し上げます。"),
    ),
    (
        786,
        "community.sessions.consultations",
        "consultations",
        _("居場所で受けた相談・気づき(集計表の件数)"),
        Unit.ITEMS,
        _(
            "集計表の「相談・気づきの件数」を足し上げます。相談受付や気づきシートとして記録されたかどうかを問いません。"
        ),
    ),
):
    register(
        Figure(
            code=code,
            label=label,
            programme=P,
            basis=Basis.CUMULATIVE,
            unit=unit,
            rule=joined(rule, _SESSION_FY),
            records=sessions,
            grouped=_session_sums,
            summed=True,
            group_key=key,
            record_kind="session",
            order=order,
        )
    )

register(
    Figure(
        code="community.sessions.volunteer_hours",
        label=_("開催に関わったボランティアの活動時間(延べ)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.HOURS,
        rule=joined(_("集計表のボランティア活動時間を足し上げます。"), _SESSION_FY),
        records=sessions,
        compute=lambda qs, period: cached(_session_sums, period)["volunteer_hours"],
        record_kind="session",
        order=783,
    )
)


# --- 気づき and consultations from places ----------------------------------------------------------


def place_concerns(period: Period):
    return PlaceConcern.objects.filter(noticed_on__gte=period.start, noticed_on__lte=period.end)


def _concern_counts(period: Period) -> dict:
    return aggregate(
        place_concerns(period),
        concerns=Count("pk"),
        consulted=Count("pk", filter=Q(consultation__isnull=False)),
    )


register(
    Figure(
        code="community.place_concerns",
        label=_("拠点・居場所から届いた気づき・相談"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_(
            "拠点・居場所の運営者から気づきシートで届いた気づきと、居場所で受けた相談を、気づいた日が年度内・"
            "基準日までのものについて1件ずつ数えます。"
        ),
        records=place_concerns,
        grouped=_concern_counts,
        group_key="concerns",
        record_kind="place_concern",
        order=790,
    )
)

register(
    Figure(
        code="community.place_concerns.consulted",
        label=_("うち相談受付につながったもの"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_(
            "拠点・居場所から届いた気づき・相談のうち、相談受付につながった(相談受付と結びつけた)ものの件数です。"
        ),
        records=lambda period: place_concerns(period).filter(consultation__isnull=False),
        grouped=_concern_counts,
        group_key="consulted",
        record_kind="place_concern",
        order=791,
    )
)


# --- volunteers --------------------------------------------------------------------------------


def volunteer_activities(period: Period):
    return VolunteerActivity.objects.filter(done_on__gte=period.start, done_on__lte=period.end)


def _activity_counts(period: Period) -> dict:
    return aggregate(
        volunteer_activities(period),
        volunteers=Count("volunteer", distinct=True),
        hours=Sum("hours"),
    )


def volunteers_registered(period: Period):
    return Volunteer.objects.filter(registered_on__gte=period.start, registered_on__lte=period.end)


def _registered_counts(period: Period) -> dict:
    return aggregate(
        volunteers_registered(period),
        new=Count("pk"),
        from_supported=Count("pk", filter=Q(was_supported=True)),
    )


register(
    Figure(
        code="community.volunteers.active",
        label=_("活動した登録ボランティア(実人数)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=_(
            "活動日が年度内・基準日までの活動記録がある登録ボランティアを、活動の回数にかかわらず1人として数えます。"
        ),
        records=lambda period: Volunteer.objects.filter(
            pk__in=volunteer_activities(period).values("volunteer_id")
        ),
        grouped=_activity_counts,
        group_key="volunteers",
        record_kind="volunteer",
        counts_persons=True,
        order=800,
    )
)

register(
    Figure(
        code="community.volunteers.hours",
        label=_("登録ボランティアの活動時間(延べ)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.HOURS,
        rule=_("活動日が年度内・基準日までの登録ボランティアの活動記録の時間を足し上げます。"),
        records=volunteer_activities,
        compute=lambda qs, period: cached(_activity_counts, period)["hours"],
        record_kind="volunteer_activity",
        order=805,
    )
)

register(
    Figure(
        code="community.volunteers.new",
        label=_("新たに登録したボランティア"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=_("登録日が年度内・基準日までのボランティアの人数です。"),
        records=volunteers_registered,
        grouped=_registered_counts,
        group_key="new",
        record_kind="volunteer",
        counts_persons=True,
        order=810,
    )
)

register(
    Figure(
        code="community.volunteers.from_supported",
        label=_("うち支援を受けた経験から担い手になった人"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PERSONS,
        rule=_(
            "新たに登録したボランティアのうち、「支援を受けた経験から担い手に」と記録された人(本人の同意を得て"
            "記録したもの)の人数です。"
        ),
        records=lambda period: volunteers_registered(period).filter(was_supported=True),
        grouped=_registered_counts,
        group_key="from_supported",
        record_kind="volunteer",
        counts_persons=True,
        order=811,
    )
)


# --- platforms, courses and events; agreements; community issues -----------------------------------


def program_sessions(period: Period):
    return ProgramSession.objects.filter(held_on__gte=period.start, held_on__lte=period.end)


def programs_held(period: Period):
    return Program.objects.filter(pk__in=program_sessions(period).values("program_id"))


register(
    Figure(
        code="community.programs",
        label=_("協議の場・講座・啓発(実施した数)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.ITEMS,
        rule=_(
            "開催日が年度内・基準日までの開催が1回以上ある協議の場(プラットフォーム)・講座・啓発イベントの数です。"
        ),
        records=programs_held,
        grouped=lambda period: cached(_programs_by_kind, period),
        group_key=ALL,
        record_kind="program",
        order=820,
    )
)


def _programs_by_kind(period: Period) -> dict:
    return count_by(programs_held(period), "kind")


register_breakdown(
    "community.programs",
    "kind",
    ProgramKind.choices,
    records=programs_held,
    field="kind",
    rule=lambda label: interp(_("種類が「%(kind)s」の実施した数です。"), kind=label),
    programme=P,
    basis=Basis.DISTINCT,
    unit=Unit.ITEMS,
    grouped=_programs_by_kind,
    record_kind="program",
    group_label=_("種類"),
    order=821,
)


def _program_sums(period: Period) -> dict:
    return aggregate(
        program_sessions(period),
        sessions=Count("pk"),
        participants=Sum("participants"),
        organisations=Sum("organisations"),
    )


register(
    Figure(
        code="community.program_sessions",
        label=_("協議の場・講座・啓発の開催(延べ回数)"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.TIMES,
        rule=_("開催日が年度内・基準日までの協議の場・講座・啓発イベントの開催を1回ずつ数えます。"),
        records=program_sessions,
        grouped=_program_sums,
        group_key="sessions",
        record_kind="program",
        order=830,
    )
)

for order, code, key, label, unit in (
    (
        831,
        "community.program_sessions.participants",
        "participants",
        _("協議の場・講座・啓発の参加者(延べ人数)"),
        Unit.PERSONS,
    ),
    (
        832,
        "community.program_sessions.organisations",
        "organisations",
        _("協議の場・講座・啓発の参加団体(延べ団体数)"),
        Unit.ORGANISATIONS,
    ),
):
    register(
        Figure(
            code=code,
            label=label,
            programme=P,
            basis=Basis.CUMULATIVE,
            unit=unit,
            rule=interp(
                _("開催日が年度内・基準日までの開催の記録の「%(field)s」を足し上げます(延べ)。"),
                field=label,
            ),
            records=program_sessions,
            grouped=_program_sums,
            summed=True,
            group_key=key,
            record_kind="program",
            order=order,
        )
    )


def agreements_in_force(period: Period):
    return Agreement.objects.filter(signed_on__lte=period.end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=period.end)
    )


def _agreement_counts(period: Period) -> dict:
    return aggregate(
        Agreement.objects.filter(signed_on__lte=period.end),
        in_force=Count("pk", filter=Q(ends_on__isnull=True) | Q(ends_on__gte=period.end)),
        new=Count("pk", filter=Q(signed_on__gte=period.start)),
    )


register(
    Figure(
        code="community.agreements",
        label=_("協定(基準日に有効なもの)"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.ITEMS,
        rule=_(
            "締結日が基準日(年度末より前なら基準日)以前で、終了日がないか基準日以降の協定(見守り・フードバンク・"
            "就労体験の受け入れなど)の数です。"
        ),
        records=agreements_in_force,
        grouped=_agreement_counts,
        group_key="in_force",
        record_kind="agreement",
        order=840,
    )
)

register(
    Figure(
        code="community.agreements.new",
        label=_("新たに締結した協定"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_("締結日が年度内・基準日までの協定の数です。"),
        records=lambda period: Agreement.objects.filter(
            signed_on__gte=period.start, signed_on__lte=period.end
        ),
        grouped=_agreement_counts,
        group_key="new",
        record_kind="agreement",
        order=841,
    )
)


def issues_raised(period: Period):
    return CommunityIssue.objects.filter(raised_on__gte=period.start, raised_on__lte=period.end)


register(
    Figure(
        code="community.issues.raised",
        label=_("提起された地域課題"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_("提起日が年度内・基準日までの地域課題を1件ずつ数え、どこから挙がったかで分けます。"),
        records=issues_raised,
        grouped=lambda period: cached(_issues_by_source, period),
        group_key=ALL,
        record_kind="community_issue",
        order=850,
    )
)


def _issues_by_source(period: Period) -> dict:
    return count_by(issues_raised(period), "source")


register_breakdown(
    "community.issues.raised",
    "source",
    IssueSource.choices,
    records=issues_raised,
    field="source",
    rule=lambda label: interp(_("「%(source)s」から挙がった地域課題の件数です。"), source=label),
    programme=P,
    basis=Basis.CUMULATIVE,
    unit=Unit.ITEMS,
    grouped=_issues_by_source,
    record_kind="community_issue",
    group_label=_("提起のもと"),
    order=851,
)
