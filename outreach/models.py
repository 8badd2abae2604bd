"""アウトリーチ等を通じた継続的支援事業 (4号): people found before they ask, and every attempt
to reach them.

An OutreachTarget holds what is known before consent — often only an approximate name, an address
and a worry. It may later point at a Person (名寄せ or registration after consent), a
Consultation and a SupportCase; its own history (stage transitions, contacts, plans) stays with
it. Contacts count both 訪問回数 (one row) and 延べ訪問人数 (the staff who went, M2M).
"""

import datetime as dt
import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.jpdates import format_datetime
from cases.models.intake import Urgency


class Source(models.TextChoices):
    """How the person became known (把握の経路)."""

    MINSEI = "minsei", _("民生委員・児童委員")
    NEIGHBOUR = "neighbour", _("近隣住民")
    ARREARS = "arrears", _("庁内(税・水道等の滞納)")
    CITY_HALL = "city_hall", _("庁内(その他の部署)")
    SURVEY = "survey", _("調査名簿")
    PLACE = "place", _("居場所・サロン")
    AGENCY = "agency", _("関係機関")
    CONCERN_SLIP = "concern_slip", _("気づきシート")
    FAMILY = "family", _("家族")
    OTHER = "other", _("その他")


class Stage(models.TextChoices):
    DISCOVERED = "discovered", _("発見・把握")
    PREPARING = "preparing", _("事前調整")
    RELATING = "relating", _("関係づくり")
    VISITING = "visiting", _("訪問・同行")
    CONNECTING = "connecting", _("つなぎ")
    CONTINUING = "continuing", _("継続的な関わり")
    CLOSED = "closed", _("終結")


STAGE_ORDER = [s.value for s in Stage]


class ClosureReason(models.TextChoices):
    CONNECTED = "connected", _("他制度・他機関につながった")
    STABLE = "stable", _("生活の安定")
    REFUSED = "refused", _("本人の拒否(時期をみて再度接触)")
    MOVED = "moved", _("転出")
    DIED = "died", _("死亡")


class ContactKind(models.TextChoices):
    LETTER = "letter", _("手紙")
    POSTBOX = "postbox", _("置き手紙(ポスト)")
    PHONE = "phone", _("電話")
    MESSAGE = "message", _("メール・チャット")
    HOME_VISIT = "home_visit", _("家庭訪問")
    ACCOMPANY = "accompany", _("同行支援")
    PLACE = "place", _("居場所等での面会")


# Contacts counted as 訪問 (訪問回数 and 延べ訪問人数).
VISIT_KINDS = frozenset({ContactKind.HOME_VISIT, ContactKind.ACCOMPANY})


class Counterpart(models.TextChoices):
    PERSON = "person", _("本人")
    FAMILY = "family", _("家族")
    NEIGHBOUR = "neighbour", _("近隣住民")
    AGENCY = "agency", _("関係機関")
    NOBODY = "nobody", _("接触なし")


class Outcome(models.TextChoices):
    MET = "met", _("会えた・話せた")
    THROUGH_DOOR = "through_door", _("ドア越しに話せた")
    NOT_HOME = "not_home", _("不在")
    NO_ANSWER = "no_answer", _("応答なし")
    LEFT_NOTE = "left_note", _("手紙・資料を置いた")
    REFUSED = "refused", _("拒否された")
    REPLIED = "replied", _("返信・連絡があった")


class Professional(models.TextChoices):
    """Other professionals who went along (counted: e.g. 訪問看護 in 市貝町's survey visits)."""

    VISITING_NURSE = "visiting_nurse", _("訪問看護師")
    PUBLIC_HEALTH_NURSE = "public_health_nurse", _("保健師")
    HOUKATSU = "houkatsu", _("地域包括支援センター職員")
    CARE_MANAGER = "care_manager", _("介護支援専門員")
    DOCTOR = "doctor", _("医師")
    MINSEI = "minsei", _("民生委員")
    CITY = "city", _("市役所職員")
    OTHER = "other", _("その他")


class OutreachTargetQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(stage=Stage.CLOSED)

    def stagnant(self, today, days: int):
        """Open targets with no contact for `days` days (or none since they were registered)."""
        since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time()))
        return self.open().filter(
            Q(last_contact_at__lt=since) | Q(last_contact_at__isnull=True, created_at__lt=since)
        )


class OutreachTarget(models.Model):
    """把握した対象者: minimal data before consent."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("整理番号"), max_length=20, unique=True, editable=False)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("担当機関"),
        on_delete=models.PROTECT,
        related_name="outreach_targets",
    )
    area = models.ForeignKey(
        "agencies.Area",
        verbose_name=_("圏域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("把握の経路"), max_length=20, choices=Source.choices)
    source_detail = models.CharField(_("経路の詳細"), max_length=200, blank=True)
    informant = models.CharField(_("情報提供者"), max_length=100, blank=True)
    known_on = models.DateField(_("把握日"), default=timezone.localdate)
    approx_name = models.CharField(_("氏名(分かる範囲)"), max_length=100, blank=True)
    approx_kana = models.CharField(_("ふりがな(分かる範囲)"), max_length=100, blank=True)
    approx_address = models.CharField(_("住所・場所の目安"), max_length=200, blank=True)
    approx_age = models.PositiveSmallIntegerField(_("年齢(おおよそ)"), null=True, blank=True)
    birth_date = models.DateField(_("生年月日(名簿にある場合)"), null=True, blank=True)
    sex = models.CharField(_("性別"), max_length=30, blank=True)
    household_note = models.TextField(_("世帯の状況(分かる範囲)"), blank=True)
    worry = models.TextField(_("気になること"))
    urgency = models.CharField(
        _("緊急度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    stage = models.CharField(
        _("段階"), max_length=20, choices=Stage.choices, default=Stage.DISCOVERED, db_index=True
    )
    stage_changed_on = models.DateField(_("段階の変更日"), default=timezone.localdate)
    closure_reason = models.CharField(
        _("終結理由"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    next_try_on = models.DateField(_("次回接触予定日"), null=True, blank=True)
    lead_worker = models.ForeignKey(
        "agencies.User",
        verbose_name=_("主担当"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_lead_targets",
    )
    assignees = models.ManyToManyField(
        "agencies.User",
        verbose_name=_("担当者"),
        blank=True,
        related_name="outreach_targets",
    )
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("対象者記録"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_targets",
    )
    match_note = models.CharField(_("名寄せの結果"), max_length=200, blank=True)
    consultation = models.ForeignKey(
        "cases.Consultation",
        verbose_name=_("相談受付"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_targets",
    )
    support_case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_targets",
    )
    concern_slip = models.OneToOneField(
        "cases.ConcernSlip",
        verbose_name=_("気づきシート"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_target",
    )
    import_batch = models.ForeignKey(
        "outreach.OutreachImport",
        verbose_name=_("取込"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    # Kept by the contact services: the list sorts and the stagnant rule filters on it.
    last_contact_at = models.DateTimeField(_("最終接触日時"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1)

    objects = OutreachTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("アウトリーチ対象者")
        verbose_name_plural = _("アウトリーチ対象者")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "stage"], name="outreach_target_agency_stage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="closed") | ~Q(closure_reason=""),
                name="outreach_target_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(approx_age__isnull=True) | Q(approx_age__lte=130),
                name="outreach_target_age_range",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("outreach:target_detail", args=[self.public_id])

    def audit_label(self) -> str:
        return f"outreach-target:{self.public_id}"

    @property
    def display_name(self) -> str:
        return self.approx_name or str(_("(氏名不明)"))

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def stage_tone(self) -> str:
        if self.stage == Stage.CLOSED:
            return "neutral"
        if self.stage in (Stage.CONNECTING, Stage.CONTINUING):
            return "ok"
        if self.stage == Stage.VISITING:
            return "info"
        return "warn"


class TargetNumberSequence(models.Model):
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    last = models.PositiveIntegerField(_("最終番号"), default=0)

    class Meta:
        verbose_name = _("整理番号の採番")
        verbose_name_plural = _("整理番号の採番")

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.last}"


class StageTransition(models.Model):
    """One dated move between stages, with the reason (and the closure code when closing)."""

    target = models.ForeignKey(
        OutreachTarget,
        verbose_name=_("対象者"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_stage = models.CharField(_("変更前"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("変更後"), max_length=20, choices=Stage.choices)
    on = models.DateField(_("変更日"))
    reason = models.TextField(_("理由"))
    closure_reason = models.CharField(
        _("終結理由"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    next_try_on = models.DateField(_("次回接触予定日"), null=True, blank=True)
    actor = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("段階の変更")
        verbose_name_plural = _("段階の変更")
        ordering = ["on", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage}→{self.to_stage} {self.on}"


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


class OutreachContactQuerySet(models.QuerySet):
    def visits(self):
        return self.filter(kind__in=VISIT_KINDS)

    def with_professional(self, code: str):
        return self.filter(professionals__includes=code)

    def between(self, start=None, end=None):
        """Contacts on local dates start..end (inclusive), as a datetime range the index uses."""
        qs = self
        if start is not None:
            qs = qs.filter(occurred_at__gte=_local_midnight(start))
        if end is not None:
            qs = qs.filter(occurred_at__lt=_local_midnight(end + dt.timedelta(days=1)))
        return qs


class OutreachContact(models.Model):
    """One attempt or contact (手紙、置き手紙、電話、訪問、同行 …)."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    target = models.ForeignKey(
        OutreachTarget,
        verbose_name=_("対象者"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    kind = models.CharField(_("種別"), max_length=20, choices=ContactKind.choices)
    occurred_at = models.DateTimeField(_("日時"), db_index=True)
    minutes = models.PositiveIntegerField(_("所要時間(分)"), default=0)
    staff = models.ManyToManyField(
        "agencies.User", verbose_name=_("対応した職員"), related_name="outreach_contacts"
    )
    professionals = models.JSONField(_("同行した専門職"), default=list, blank=True)
    professionals_note = models.CharField(_("同行者(補足)"), max_length=200, blank=True)
    counterpart = models.CharField(_("相手"), max_length=20, choices=Counterpart.choices)
    outcome = models.CharField(_("結果"), max_length=20, choices=Outcome.choices)
    content = models.TextField(_("内容"), blank=True)
    next_step = models.CharField(_("次の対応"), max_length=200, blank=True)
    next_on = models.DateField(_("次回予定日"), null=True, blank=True)
    planned_visit = models.OneToOneField(
        "outreach.PlannedVisit",
        verbose_name=_("訪問予定"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("記録機関"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    # Sent by the form and by the offline tablet page: a repeated submission finds this row.
    idempotency_key = models.UUIDField(
        _("送信トークン"), null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = OutreachContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("接触記録")
        verbose_name_plural = _("接触記録")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["target", "occurred_at"], name="outreach_contact_target")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_datetime(self.occurred_at)}"

    def audit_label(self) -> str:
        return f"outreach-contact:{self.public_id}"

    @property
    def is_visit(self) -> bool:
        return self.kind in VISIT_KINDS

    def professional_labels(self) -> list[str]:
        from agencies.display import code_labels

        return code_labels(Professional, self.professionals)


class PlannedVisit(models.Model):
    """A visit planned for a day, with the staff who will go."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    target = models.ForeignKey(
        OutreachTarget,
        verbose_name=_("対象者"),
        on_delete=models.CASCADE,
        related_name="planned_visits",
    )
    planned_on = models.DateField(_("予定日"), db_index=True)
    planned_time = models.TimeField(_("予定時刻"), null=True, blank=True)
    kind = models.CharField(
        _("種別"), max_length=20, choices=ContactKind.choices, default=ContactKind.HOME_VISIT
    )
    staff = models.ManyToManyField(
        "agencies.User", verbose_name=_("訪問する職員"), related_name="outreach_planned_visits"
    )
    professionals = models.JSONField(_("同行予定の専門職"), default=list, blank=True)
    purpose = models.CharField(_("目的"), max_length=200, blank=True)
    cancelled = models.BooleanField(_("取りやめ"), default=False)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("訪問予定")
        verbose_name_plural = _("訪問予定")
        ordering = ["planned_on", "planned_time", "pk"]

    def __str__(self) -> str:
        return f"{self.planned_on} {self.get_kind_display()}"

    def audit_label(self) -> str:
        return f"outreach-visit:{self.public_id}"


class OutreachPlan(models.Model):
    """The pre-consent outreach plan (事前調整), usually set at a 支援会議: approach, owners and
    the next review date. Each row is one version; the newest is current."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    target = models.ForeignKey(
        OutreachTarget, verbose_name=_("対象者"), on_delete=models.CASCADE, related_name="plans"
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("支援会議の議題"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("決定日"))
    approach = models.TextField(_("関わり方の方針"))
    owners = models.ManyToManyField(
        "agencies.User", verbose_name=_("担当者"), related_name="outreach_plans"
    )
    next_review_on = models.DateField(_("次回見直し日"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("アウトリーチ計画")
        verbose_name_plural = _("アウトリーチ計画")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.decided_on}"

    def audit_label(self) -> str:
        return f"outreach-plan:{self.public_id}"


class AgendaLink(models.Model):
    """A 支援会議 agenda request made for a target. When the secretariat places the request on
    the agenda, pledged members of that body may see the target (policy.shien_kaigi_target_ids)."""

    target = models.ForeignKey(
        OutreachTarget,
        verbose_name=_("対象者"),
        on_delete=models.CASCADE,
        related_name="agenda_links",
    )
    request = models.OneToOneField(
        "meetings.AgendaRequest",
        verbose_name=_("議題の申込"),
        on_delete=models.CASCADE,
        related_name="outreach_link",
    )
    created_at = models.DateTimeField(_("申込日時"), default=timezone.now)

    class Meta:
        verbose_name = _("支援会議への付議")
        verbose_name_plural = _("支援会議への付議")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.target} → {self.request_id}"


class OutreachImport(models.Model):
    """One imported survey or arrears list (the targets it created point back here)."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("担当機関"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("把握の経路"), max_length=20, choices=Source.choices)
    title = models.CharField(_("名簿の名称"), max_length=200)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    matched = models.PositiveIntegerField(_("既存の対象者と一致"), default=0)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("取込者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("取込日時"), default=timezone.now)

    class Meta:
        verbose_name = _("名簿の取込")
        verbose_name_plural = _("名簿の取込")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"outreach-import:{self.public_id}"
