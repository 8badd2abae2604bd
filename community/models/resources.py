"""社会資源: the ONE catalogue of places and activities shared by community building (拠点・居場所)
and participation support (where a person can go, as user or as 担い手).

A resource carries no personal data about the people who use it: only the operator's contact
person (a public-facing role) is named. Participation keeps its matching extras and placements
in its own models pointing here.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.choices import (
    Function,
    FundingSource,
    HostExperience,
    OperatorKind,
    ResourceKind,
    ResourceStatus,
    Schedule,
    ShafukuInvolvement,
    TargetGroup,
)

# The one written definition of a place open on a day (基準日): the overview counts the places open
# today by it, the annual report those open on its 基準日 (reports.figures.community), so the two
# agree. By dates, not by the current status, so an earlier year keeps the places open then; a
# place marked 終了 without its 終了日 (entered before the date was required) is not counted.
OPEN_PLACE_RULE = _(
    "開始日が基準日以前(開始日の記録がなければ準備中でないもの)で、終了日が基準日より前でないものを"
    "数えます。休止中でも終了日がなければ数えます。状態が終了で終了日の記録がないものは数えません。"
)

# Multi-valued code lists stored as JSON arrays, and the choices each may hold.
CODE_LIST_FIELDS = {
    "target_groups": TargetGroup,
    "functions": Function,
    "host_experience": HostExperience,
    "funding_sources": FundingSource,
}


class ResourceQuerySet(models.QuerySet):
    def places(self):
        return self.filter(is_place=True)

    def active(self):
        return self.filter(status=ResourceStatus.ACTIVE)

    def open_on(self, day):
        """Places open on `day` (OPEN_PLACE_RULE)."""
        return (
            self.filter(is_place=True)
            .filter(
                Q(start_date__lte=day)
                | (Q(start_date__isnull=True) & ~Q(status=ResourceStatus.PREPARING))
            )
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
            .exclude(status=ResourceStatus.CLOSED, end_date__isnull=True)
        )

    def current(self):
        """Running or about to run (not paused or ended): what a worker can still propose."""
        return self.filter(status__in=[ResourceStatus.ACTIVE, ResourceStatus.PREPARING])

    def started_between(self, start, end):
        """Resources that began in [start, end] ("new this year")."""
        return self.filter(start_date__gte=start, start_date__lte=end)

    def with_code(self, field: str, code: str):
        """Resources whose JSON code list `field` contains `code`. The quoted text match works on
        SQLite and PostgreSQL alike (codes are lowercase ASCII, so "food" never matches
        "food_bank")."""
        if field not in CODE_LIST_FIELDS:
            raise ValueError(field)
        return self.filter(**{f"{field}__icontains": f'"{code}"'})

    def for_list(self):
        return self.select_related("area", "small_area", "operating_agency", "csw")


AGE_RANGE = _("対象年齢の上限は下限以上にしてください。")
END_AFTER_START = _("終了日は開始日以降の日付にしてください。")


def range_errors(value) -> dict:
    """The rules between a resource's fields, read through `value(name)`: the model's own
    values (clean), or a form's cleaned_data.get, so that the form shows them beside the other
    fields' errors instead of after they are mended (the service validates the model)."""
    errors = {}
    status, start, end = value("status"), value("start_date"), value("end_date")
    if status == ResourceStatus.CLOSED and end is None:
        errors["end_date"] = _("状態を「終了」にするときは終了日を入れてください。")
    if start and end and end < start:
        errors["end_date"] = END_AFTER_START
    if end and end < timezone.localdate() and status and status != ResourceStatus.CLOSED:
        # Counted as closed from its 終了日 (Resource.objects.open_on) but listed as open.
        errors["status"] = _(
            "終了日が過ぎています。状態を「終了」にするか、終了日を直してください。"
        )
    for low, high, message in (
        ("min_age", "max_age", AGE_RANGE),
        (
            "min_hours_per_week",
            "max_hours_per_week",
            _("週あたり時間の上限は下限以上にしてください。"),
        ),
    ):
        if value(low) is not None and value(high) is not None and value(high) < value(low):
            errors[high] = message
    return errors


class Resource(models.Model):
    """社会資源 / 拠点・居場所."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=120)
    kana = models.CharField(_("ふりがな"), max_length=120, blank=True)
    kind = models.CharField(_("種類"), max_length=30, choices=ResourceKind.choices, db_index=True)
    is_place = models.BooleanField(
        _("拠点・居場所"),
        default=True,
        help_text=_("地域づくり事業の拠点・居場所として数える場合はオン"),
    )
    description = models.TextField(_("概要"), blank=True)

    # Operator
    operator_name = models.CharField(_("運営者"), max_length=150, blank=True)
    operator_kind = models.CharField(
        _("運営主体"), max_length=20, choices=OperatorKind.choices, default=OperatorKind.RESIDENTS
    )
    resident_run = models.BooleanField(_("住民主体"), default=False)
    operating_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("運営機関"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        help_text=_("運営者が登録機関のとき。その機関の職員が編集できます"),
    )
    contact_name = models.CharField(_("連絡担当者"), max_length=100, blank=True)
    contact_phone = models.CharField(_("連絡先電話"), max_length=20, blank=True)

    # Where
    area = models.ForeignKey(
        "agencies.Area",
        verbose_name=_("圏域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
    )
    small_area = models.ForeignKey(
        "agencies.Area",
        verbose_name=_("小地域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="small_area_resources",
    )
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    latitude = models.DecimalField(_("緯度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("経度"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    # When and for whom
    schedule = models.CharField(
        _("開催頻度"), max_length=20, choices=Schedule.choices, default=Schedule.MONTHLY
    )
    schedule_note = models.CharField(
        _("曜日・時間"), max_length=200, blank=True, help_text=_("例: 第2・第4水曜 10時〜15時")
    )
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True)
    target_groups = models.JSONField(_("対象"), default=list, blank=True)
    mixes_generations = models.BooleanField(_("多世代・多属性が交わる"), default=False)
    functions = models.JSONField(_("機能"), default=list, blank=True)

    # Conditions (read by participation matching)
    min_age = models.PositiveSmallIntegerField(_("対象年齢(下限)"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("対象年齢(上限)"), null=True, blank=True)
    min_hours_per_week = models.DecimalField(
        _("週あたり時間(下限)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    max_hours_per_week = models.DecimalField(
        _("週あたり時間(上限)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    transport = models.CharField(
        _("交通手段"), max_length=200, blank=True, help_text=_("例: ○○バス停から徒歩3分、送迎あり")
    )
    cost_yen = models.PositiveIntegerField(
        _("参加費(円)"), null=True, blank=True, help_text=_("1回あたり。無料は0")
    )
    cost_note = models.CharField(_("費用の補足"), max_length=200, blank=True)
    accessibility = models.CharField(
        _("バリアフリー・配慮"),
        max_length=300,
        blank=True,
        help_text=_("例: 段差なし、車いすトイレあり"),
    )

    # What a person does there
    activities = models.TextField(_("活動内容"), blank=True)
    interest_tags = models.JSONField(
        _("関心タグ"), default=list, blank=True, help_text=_("料理、農作業、パソコン など")
    )
    accepts_helpers = models.BooleanField(_("担い手として参加できる"), default=False)
    helper_roles = models.CharField(_("担い手の役割"), max_length=300, blank=True)
    host_needs = models.TextField(_("受け入れ側の困りごと・ニーズ"), blank=True)
    host_experience = models.JSONField(_("受け入れ経験"), default=list, blank=True)

    # Community-building facts
    csw = models.ForeignKey(
        "agencies.User",
        verbose_name=_("担当CSW"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="csw_resources",
    )
    shafuku_involvement = models.CharField(
        _("社会福祉法人の関わり"),
        max_length=20,
        choices=ShafukuInvolvement.choices,
        default=ShafukuInvolvement.NONE,
        blank=True,
    )
    shafuku_name = models.CharField(_("関わる社会福祉法人"), max_length=150, blank=True)
    funding_sources = models.JSONField(_("財源"), default=list, blank=True)
    start_date = models.DateField(_("開始日"), null=True, blank=True, db_index=True)
    end_date = models.DateField(_("終了日"), null=True, blank=True)
    status = models.CharField(
        _("状態"),
        max_length=20,
        choices=ResourceStatus.choices,
        default=ResourceStatus.ACTIVE,
        db_index=True,
    )
    note = models.TextField(_("備考"), blank=True)
    origin_issue = models.ForeignKey(
        "community.CommunityIssue",
        verbose_name=_("きっかけの地域課題"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_resources",
    )
    origin_program = models.ForeignKey(
        "community.Program",
        verbose_name=_("きっかけの講座・協議の場"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_resources",
    )

    created_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("登録者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("社会資源")
        verbose_name_plural = _("社会資源")
        ordering = ["kana", "name", "pk"]
        indexes = [
            models.Index(fields=["is_place", "status"], name="resource_place_status"),
            # The lists' order: a page of the catalogue (2,000 resources in a city) reads its 50
            # rows in index order instead of joining and sorting all of them.
            models.Index(fields=["kana", "name", "id"], name="resource_list_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=models.F("min_age")),
                name="resource_age_range",
                violation_error_message=AGE_RANGE,
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="resource_end_after_start",
                violation_error_message=END_AFTER_START,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:place_detail", args=[self.public_id])

    def audit_label(self) -> str:
        return f"resource:{self.public_id}"

    def clean(self):
        errors = {}
        for field, choices in CODE_LIST_FIELDS.items():
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[field] = _("一覧から選んでください。")
                continue
            unknown = sorted(set(value) - set(choices.values))
            if unknown:
                errors[field] = _("不明なコードです: %(codes)s") % {"codes": ", ".join(unknown)}
        if not isinstance(self.interest_tags, list) or not all(
            isinstance(v, str) and 0 < len(v) <= 30 for v in self.interest_tags
        ):
            errors["interest_tags"] = _("関心タグは30文字以内の語の並びにしてください。")
        errors.update(range_errors(lambda name: getattr(self, name)))
        if self.small_area_id and self.area_id and self.small_area.parent_id != self.area_id:
            errors["small_area"] = _("小地域は選んだ圏域の中から選んでください。")
        for field, limit in (("latitude", 90), ("longitude", 180)):
            value = getattr(self, field)
            if value is not None and not -limit <= value <= limit:
                errors[field] = _("%(min)s〜%(max)sの範囲で入力してください。") % {
                    "min": -limit,
                    "max": limit,
                }
        if errors:
            raise ValidationError(errors)

    # Labels for code lists (templates, prints, exports).
    def _labels(self, field: str) -> list[str]:
        from agencies.display import code_labels

        return code_labels(CODE_LIST_FIELDS[field], getattr(self, field))

    @property
    def target_group_labels(self) -> list[str]:
        return self._labels("target_groups")

    @property
    def function_labels(self) -> list[str]:
        return self._labels("functions")

    @property
    def host_experience_labels(self) -> list[str]:
        return self._labels("host_experience")

    @property
    def funding_source_labels(self) -> list[str]:
        return self._labels("funding_sources")
