"""参加支援: the participation assessment of a person, placements at resources, follow-up and
gaps. The resource catalogue itself is community.Resource (one model shared with 地域づくり).

Models hold fields, QuerySet methods and the transition table; writes happen in services.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Anxiety, Physical, RoleWish


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
        _("1回に過ごせる時間の目安(時間)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    transport = models.JSONField(_("移動手段"), default=list, blank=True)
    max_travel_km = models.DecimalField(
        _("通える距離の目安(km)"), max_digits=4, decimal_places=1, null=True, blank=True
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
        from .choices import Interest

        labels = dict(Interest.choices)
        return [str(labels.get(c, c)) for c in self.interests]

    def day_labels(self) -> str:
        from .choices import WEEKDAY_LABELS

        return "・".join(WEEKDAY_LABELS.get(int(d), "") for d in sorted(self.days))

    def transport_labels(self) -> list[str]:
        from .choices import Transport

        labels = dict(Transport.choices)
        return [str(labels.get(c, c)) for c in self.transport]


def split_lines(text: str) -> frozenset[str]:
    """Bus line names from free text: 、 , ， and spaces separate them."""
    for sep in ("、", ",", "，", "　"):
        text = text.replace(sep, " ")
    return frozenset(x for x in text.split() if x)
