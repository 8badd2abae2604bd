"""参加支援: the participation assessment of a person, placements at resources, follow-up and
gaps. The resource catalogue itself is community.Resource (one model shared with 地域づくり).

Models hold fields, QuerySet methods and the transition table; writes happen in services.
"""

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    HOST_SUPPORT_KINDS,
    ActivitySource,
    Anxiety,
    FollowUpKind,
    FollowUpTarget,
    Outcome,
    Physical,
    PlacementRole,
    PlacementStatus,
    RoleWish,
)


def not_negative(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    """The database's guard for optional numbers that cannot be below zero (hours, distances);
    the fields' MinValueValidator gives forms and the API the error at the field."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
            name=f"{prefix}_{name}_not_negative",
            violation_error_message=_("0以上の数を入力してください。"),
        )
        for name in fields
    ]


class ParticipationAssessmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_at__isnull=True)


class ParticipationAssessment(models.Model):
    """参加支援アセスメントシート: what the person likes and can do, what holds them back, what
    they want. One current sheet per person and case; a new version supersedes the last."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        on_delete=models.PROTECT,
        related_name="participation_assessments",
    )
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("本人"),
        on_delete=models.PROTECT,
        related_name="participation_assessments",
    )
    number = models.PositiveSmallIntegerField(_("版"), default=1)
    assessed_on = models.DateField(_("アセスメント日"), default=timezone.localdate)
    author = models.ForeignKey(
        "agencies.User", verbose_name=_("記入者"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("記入機関"), on_delete=models.PROTECT, related_name="+"
    )
    # what the person likes and can do
    interests = models.JSONField(_("関心のあること"), default=list, blank=True)
    interests_note = models.TextField(_("関心・好きなこと(本人の言葉で)"), blank=True)
    strengths = models.TextField(_("できること・強み"), blank=True)
    past_work = models.TextField(_("これまでの仕事・経験"), blank=True)
    # what holds them back
    health = models.TextField(_("健康・障がいで配慮すること"), blank=True)
    physical = models.CharField(
        _("体力の目安"), max_length=10, choices=Physical.choices, default=Physical.MODERATE
    )
    days = models.JSONField(_("通える曜日"), default=list, blank=True)
    hours_from = models.TimeField(_("通える時間(から)"), null=True, blank=True)
    hours_to = models.TimeField(_("通える時間(まで)"), null=True, blank=True)
    max_hours_per_session = models.DecimalField(
        _("1回に過ごせる時間の目安(時間)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    transport = models.JSONField(_("移動手段"), default=list, blank=True)
    max_travel_km = models.DecimalField(
        _("通える距離の目安(km)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    bus_lines = models.CharField(
        _("自宅近くを通るバス路線"),
        max_length=200,
        blank=True,
        help_text=_("読点(、)またはカンマで区切って入力します。例:中央線、北部循環"),
    )
    home_lat = models.DecimalField(
        _("自宅付近の緯度(町丁目の代表点)"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    home_lng = models.DecimalField(
        _("自宅付近の経度(町丁目の代表点)"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    withdrawal = models.BooleanField(_("長期のひきこもり・外出の少ない期間がある"), default=False)
    anxiety = models.CharField(
        _("人への不安"), max_length=10, choices=Anxiety.choices, default=Anxiety.NONE
    )
    anxiety_note = models.TextField(_("不安の内容・配慮してほしいこと"), blank=True)
    max_cost_yen = models.PositiveIntegerField(_("1回に負担できる費用(円)"), null=True, blank=True)
    # what they want
    wishes = models.TextField(_("本人の希望"), blank=True)
    role_wish = models.CharField(
        _("参加のかたち"), max_length=10, choices=RoleWish.choices, default=RoleWish.EITHER
    )
    wants_income = models.BooleanField(_("収入(謝礼・工賃)を得たい"), default=False)
    household_needs = models.TextField(_("世帯の状況・家族の希望"), blank=True)
    view = models.TextField(_("支援員の見立て"), blank=True)
    superseded_at = models.DateTimeField(_("旧版となった日時"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("更新番号"), default=1)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    objects = ParticipationAssessmentQuerySet.as_manager()

    CONTENT_FIELDS = [
        "assessed_on",
        "interests",
        "interests_note",
        "strengths",
        "past_work",
        "health",
        "physical",
        "days",
        "hours_from",
        "hours_to",
        "max_hours_per_session",
        "transport",
        "max_travel_km",
        "bus_lines",
        "home_lat",
        "home_lng",
        "withdrawal",
        "anxiety",
        "anxiety_note",
        "max_cost_yen",
        "wishes",
        "role_wish",
        "wants_income",
        "household_needs",
        "view",
    ]

    class Meta:
        verbose_name = _("参加支援アセスメント")
        verbose_name_plural = _("参加支援アセスメント")
        ordering = ["case", "person", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "person", "number"], name="participation_assessment_number"
            ),
            models.UniqueConstraint(
                fields=["case", "person"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_participation_assessment",
            ),
            models.CheckConstraint(
                condition=Q(hours_from__isnull=True)
                | Q(hours_to__isnull=True)
                | Q(hours_to__gt=models.F("hours_from")),
                name="participation_assessment_hours_ordered",
                violation_error_message=_("終わりの時刻は始まりの時刻より後にしてください。"),
            ),
            *not_negative("participation_assessment", "max_hours_per_session", "max_travel_km"),
        ]

    def __str__(self) -> str:
        return f"参加支援アセスメント 第{self.number}版"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("participation:assessment_detail", args=[self.public_id])

    def audit_label(self) -> str:
        return f"participation-assessment:{self.public_id}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    def bus_line_set(self) -> frozenset[str]:
        return split_lines(self.bus_lines)

    def interest_labels(self) -> list[str]:
        from agencies.display import code_labels

        from .choices import Interest

        return code_labels(Interest, self.interests)

    def day_labels(self) -> str:
        from .choices import WEEKDAY_LABELS

        return "・".join(WEEKDAY_LABELS.get(int(d), "") for d in sorted(self.days))

    def transport_labels(self) -> list[str]:
        from agencies.display import code_labels

        from .choices import Transport

        return code_labels(Transport, self.transport)


def split_lines(text: str) -> frozenset[str]:
    """Bus line names from free text: 、 , ， and spaces separate them."""
    for sep in ("、", ",", "，", "　"):
        text = text.replace(sep, " ")
    return frozenset(x for x in text.split() if x)


# --- placements ------------------------------------------------------------------------------


class PlacementQuerySet(models.QuerySet):
    def occupying(self):
        """Placements that take a place at the host (体験 and 参加): occupancy counts these."""
        return self.filter(status__in=Placement.OCCUPYING)

    def open(self):
        return self.exclude(status=PlacementStatus.ENDED)


class Placement(models.Model):
    """One person at one resource: 提案 → 見学 → 体験 → 参加 → 終了 (with the outcome).

    Proposed by a worker from the matching (the score and reasons shown then are kept), never
    created by the system on its own.
    """

    S = PlacementStatus
    TRANSITIONS: dict[str, frozenset[str]] = {
        S.PROPOSED: frozenset({S.VISIT, S.TRIAL, S.ENDED}),
        S.VISIT: frozenset({S.TRIAL, S.ENDED}),
        S.TRIAL: frozenset({S.ACTIVE, S.ENDED}),
        S.ACTIVE: frozenset({S.ENDED}),
        S.ENDED: frozenset(),
    }
    OCCUPYING = frozenset({S.TRIAL, S.ACTIVE})
    # Follow-up is expected while the person is at the host.
    FOLLOWED = frozenset({S.VISIT, S.TRIAL, S.ACTIVE})

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        on_delete=models.PROTECT,
        related_name="placements",
    )
    person = models.ForeignKey(
        "cases.Person", verbose_name=_("本人"), on_delete=models.PROTECT, related_name="placements"
    )
    resource = models.ForeignKey(
        "community.Resource",
        verbose_name=_("参加先(社会資源)"),
        on_delete=models.PROTECT,
        related_name="placements",
    )
    assessment = models.ForeignKey(
        ParticipationAssessment,
        verbose_name=_("もとにしたアセスメント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="placements",
    )
    role = models.CharField(
        _("参加のかたち"), max_length=10, choices=PlacementRole.choices, default=PlacementRole.USER
    )
    status = models.CharField(
        _("状態"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.PROPOSED
    )
    status_changed_on = models.DateField(_("状態の変更日"), default=timezone.localdate)
    proposed_on = models.DateField(_("提案日"), default=timezone.localdate)
    started_on = models.DateField(_("参加開始日"), null=True, blank=True)
    ended_on = models.DateField(_("終了日"), null=True, blank=True)
    outcome = models.CharField(_("結果"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("結果の内容・中断の理由"), blank=True)
    activity = models.CharField(_("そこで行うこと"), max_length=200, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("担当機関"), on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(
        "agencies.User",
        verbose_name=_("担当の参加支援員"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participation_placements",
    )
    match_score = models.DecimalField(
        _("提案時のマッチング点"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    match_reasons = models.JSONField(_("提案時の理由"), default=dict, blank=True)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("参加先(マッチング)")
        verbose_name_plural = _("参加先(マッチング)")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=PlacementStatus.ENDED) & ~Q(outcome=""))
                | (~Q(status=PlacementStatus.ENDED) & Q(outcome="")),
                name="placement_outcome_when_ended",
            ),
            models.UniqueConstraint(
                fields=["person", "resource"],
                condition=~Q(status=PlacementStatus.ENDED),
                name="one_open_placement_per_person_and_resource",
                violation_error_message=_("この本人とこの参加先の組み合わせはすでに進行中です。"),
            ),
        ]
        indexes = [models.Index(fields=["resource", "status"])]

    def __str__(self) -> str:
        return f"{self.resource} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("participation:placement", args=[self.public_id])

    def audit_label(self) -> str:
        return f"placement:{self.public_id}"

    @property
    def status_tone(self) -> str:
        S = PlacementStatus
        return {
            S.PROPOSED: "info",
            S.VISIT: "info",
            S.TRIAL: "warn",
            S.ACTIVE: "ok",
            S.ENDED: "neutral",
        }.get(self.status, "info")

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())


class PlacementTransition(models.Model):
    placement = models.ForeignKey(
        Placement, verbose_name=_("参加先"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(
        _("変更前"), max_length=10, choices=PlacementStatus.choices, blank=True
    )
    to_status = models.CharField(_("変更後"), max_length=10, choices=PlacementStatus.choices)
    on = models.DateField(_("日付"))
    note = models.TextField(_("メモ"), blank=True)
    by = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("参加先の状態の変更")
        verbose_name_plural = _("参加先の状態の変更")
        ordering = ["placement", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class ActivityDay(models.Model):
    """A day of activity at the host (quick entry by the worker, or as reported by the host)."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("参加先"), on_delete=models.CASCADE, related_name="days"
    )
    on = models.DateField(_("活動日"))
    hours = models.DecimalField(_("活動時間(時間)"), max_digits=4, decimal_places=1)
    source = models.CharField(
        _("記録の元"), max_length=10, choices=ActivitySource.choices, default=ActivitySource.WORKER
    )
    note = models.CharField(_("メモ"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("活動日")
        verbose_name_plural = _("活動日")
        ordering = ["placement", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "on"], name="one_activity_row_per_day"),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="activity_hours_in_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.hours}h"


class FollowUp(models.Model):
    """定着支援: a contact with the person or with the host; host support (相談・研修・調整)
    is a follow-up whose target is the host."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("参加先"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    target = models.CharField(_("相手"), max_length=10, choices=FollowUpTarget.choices)
    kind = models.CharField(_("方法・内容"), max_length=12, choices=FollowUpKind.choices)
    on = models.DateField(_("日付"), default=timezone.localdate)
    minutes = models.PositiveSmallIntegerField(_("時間(分)"), null=True, blank=True)
    content = models.TextField(_("内容"), blank=True)
    staff = models.ForeignKey(
        "agencies.User", verbose_name=_("対応した職員"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("フォローアップ")
        verbose_name_plural = _("フォローアップ")
        ordering = ["placement", "-on", "-pk"]
        indexes = [models.Index(fields=["placement", "on"])]

    def __str__(self) -> str:
        return f"{self.on} {self.get_target_display()} {self.get_kind_display()}"

    @property
    def is_host_support(self) -> bool:
        return self.kind in HOST_SUPPORT_KINDS


# --- gaps ------------------------------------------------------------------------------------


class ResourceGap(models.Model):
    """資源の不足: no resource fitted a person. It becomes a community issue (地域課題) and may
    lead to a new resource; both links are kept."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("きっかけのケース"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resource_gaps",
    )
    assessment = models.ForeignKey(
        ParticipationAssessment,
        verbose_name=_("もとにしたアセスメント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gaps",
    )
    title = models.CharField(_("不足している資源"), max_length=120)
    description = models.TextField(
        _("内容"),
        blank=True,
        help_text=_("個人が特定される内容は書かないでください(地域づくりの担当者も読みます)。"),
    )
    interests = models.JSONField(_("求められている活動"), default=list, blank=True)
    area = models.ForeignKey(
        "agencies.Area",
        verbose_name=_("圏域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community_issue = models.ForeignKey(
        "community.CommunityIssue",
        verbose_name=_("地域課題"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participation_gaps",
    )
    resource = models.ForeignKey(
        "community.Resource",
        verbose_name=_("生まれた資源"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="filled_gaps",
    )
    recorded_on = models.DateField(_("記録日"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("記録機関"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("資源の不足")
        verbose_name_plural = _("資源の不足")
        ordering = ["-recorded_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("participation:gap", args=[self.public_id])

    def audit_label(self) -> str:
        return f"resource-gap:{self.public_id}"


# --- what the matching needs to know about a resource ------------------------------------------


class ResourceProfile(models.Model):
    """参加支援's own facts about a resource (community.Resource is shared and stays generic):
    the activities in the matching vocabulary, the days and hours, the bus lines, the kind of
    place it is for someone anxious about people, and whether it pays a reward."""

    resource = models.OneToOneField(
        "community.Resource",
        verbose_name=_("社会資源"),
        on_delete=models.CASCADE,
        related_name="participation_profile",
    )
    activities = models.JSONField(_("活動(マッチング用)"), default=list, blank=True)
    days = models.JSONField(_("活動日(曜日)"), default=list, blank=True)
    opens = models.TimeField(_("活動時間(から)"), null=True, blank=True)
    closes = models.TimeField(_("活動時間(まで)"), null=True, blank=True)
    hours_per_session = models.DecimalField(
        _("1回の活動時間(時間)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    bus_lines = models.CharField(
        _("近くを通るバス路線"),
        max_length=200,
        blank=True,
        help_text=_("読点(、)またはカンマで区切って入力します。"),
    )
    accepts_users = models.BooleanField(_("利用者として参加できる"), default=True)
    small_group = models.BooleanField(_("少人数で過ごせる"), default=False)
    paid = models.BooleanField(_("謝礼・工賃がある"), default=False)
    physical = models.CharField(
        _("作業の身体的な負担"), max_length=10, choices=Physical.choices, default=Physical.MODERATE
    )
    host_note = models.TextField(_("受け入れ先の状況(参加支援員のメモ)"), blank=True)
    updated_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("更新者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("参加支援の受け入れ情報")
        verbose_name_plural = _("参加支援の受け入れ情報")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__isnull=True)
                | Q(closes__isnull=True)
                | Q(closes__gt=models.F("opens")),
                name="resource_profile_hours_ordered",
                violation_error_message=_("終わりの時刻は始まりの時刻より後にしてください。"),
            ),
            *not_negative("resource_profile", "hours_per_session"),
        ]

    def __str__(self) -> str:
        return str(self.resource)
