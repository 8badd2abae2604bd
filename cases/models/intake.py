"""Consultations (相談受付), referrals (つなぐシート) and concern slips (気づきシート).

The intake side of 包括的相談支援: any agency records a consultation; when a case needs several
agencies it writes a つなぐシート to another agency (usually the 多機関協働 body), which accepts,
returns or asks for more. Residents (民生委員 …) pass on what they notice with a 気づきシート.
State lives in one `status` field per record; transitions are services in
cases/services/intake.py (never save a status directly).
"""

import uuid

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies import jpdates
from agencies.display import code_labels
from cases.choices import IssueCategory, Route

__all__ = [
    "ConcernSlip",
    "Consultation",
    "ConsultationIssue",
    "ConsultationOutcome",
    "ConsulterKind",
    "Referral",
    "ReferralEvent",
    "ReferralOutcome",
    "ReferralTrigger",
    "Urgency",
]


class Urgency(models.TextChoices):
    URGENT = "urgent", _("緊急")
    HIGH = "high", _("高")
    NORMAL = "normal", _("通常")


class ConsulterKind(models.TextChoices):
    SELF = "self", _("本人")
    FAMILY = "family", _("家族")
    AGENCY = "agency", _("関係機関")
    NEIGHBOUR = "neighbour", _("近隣")
    ANONYMOUS = "anonymous", _("匿名")


class ConsultationOutcome(models.TextChoices):
    OWN = "own", _("自機関で対応")
    INFO = "info", _("情報提供")
    OTHER_AGENCY = "other_agency", _("他機関へつなぐ")
    MULTIAGENCY = "multiagency", _("多機関協働へつなぐ")
    ENDED = "ended", _("終了")


class ReferralTrigger(models.TextChoices):
    """Why the referrer connects the case (つなぐ理由)."""

    COMPLEX = "complex", _("複合的な課題")
    RIGID = "rigid", _("支援の硬直化")
    NO_SERVICE = "no_service", _("該当する制度がない")
    UNTANGLE = "untangle", _("課題の整理が必要")


class ReferralOutcome(models.TextChoices):
    """How the receiving agency answered a つなぐシート: the codes reports count."""

    OWN = "own", _("受理・自機関で対応")
    MULTIAGENCY = "multiagency", _("多機関協働として受理")
    RETURNED = "returned", _("返戻(つなぎ先の提案あり)")
    HANDED_OVER = "handed_over", _("同行して引継ぎ")


# --- 相談受付 ------------------------------------------------------------------------------------


class ConsultationQuerySet(models.QuerySet):
    def for_list(self):
        # Into a plain list (`to_attr`): a prefetch into the related manager builds a queryset
        # per row (a `filter()` each: ~2 ms for a page of 50 consultations). Ordered by key:
        # the model's order (by consultation, i.e. its received_at) joins every consultation
        # again to sort rows that are grouped per consultation anyway.
        issues = Prefetch(
            "issues",
            queryset=ConsultationIssue.objects.only("consultation_id", "category").order_by("pk"),
            to_attr="issue_rows",
        )
        return self.select_related("agency", "staff").prefetch_related(issues)


class Consultation(models.Model):
    """One consultation received by an agency. Person and household are optional: anonymous
    consultations are counted too."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    received_at = models.DateTimeField(_("受付日時"), default=timezone.now, db_index=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("受付機関"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    staff = models.ForeignKey(
        "agencies.User",
        verbose_name=_("受付者"),
        on_delete=models.PROTECT,
        related_name="consultations_received",
    )
    route = models.CharField(_("相談経路"), max_length=20, choices=Route.choices)
    consulter_kind = models.CharField(_("相談者"), max_length=20, choices=ConsulterKind.choices)
    consulter_note = models.CharField(_("相談者(補足)"), max_length=100, blank=True)
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("本人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        db_index=False,  # consultation_person_agency begins with it
    )
    household = models.ForeignKey(
        "cases.Household",
        verbose_name=_("世帯"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    summary = models.TextField(_("相談内容"))
    urgency = models.CharField(
        _("緊急度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    response = models.TextField(_("対応内容"), blank=True)
    outcome = models.CharField(_("対応結果"), max_length=20, choices=ConsultationOutcome.choices)
    minutes_spent = models.PositiveIntegerField(_("対応時間(分)"), default=0)
    staff_count = models.PositiveSmallIntegerField(_("対応職員数"), default=1)
    # A hidden token in the form: a double-clicked submit hits the unique constraint, not a twin.
    idempotency_key = models.UUIDField(
        _("送信トークン"), null=True, blank=True, unique=True, editable=False
    )
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("相談受付")
        verbose_name_plural = _("相談受付")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "received_at"], name="consultation_agency_date"),
            # A person's consultations at the user's agencies, newest first (the person page):
            # with the person's index alone a prepared statement's generic plan read all 1,446
            # consultations of the busiest person at city scale to keep 50 (14.8 ms).
            models.Index(
                fields=["person", "agency", "received_at"], name="consultation_person_agency"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff_count__gte=1), name="consultation_staff_count_positive"
            ),
        ]

    def __str__(self) -> str:
        return gettext("相談受付 %(date)s") % {"date": jpdates.format_date(self.received_at)}

    def audit_label(self) -> str:
        return f"consultation:{self.public_id}"

    @property
    def categories(self) -> list[str]:
        """Issue category codes (uses the prefetched rows when present: `for_list`'s list, or
        a prefetch into the manager)."""
        rows = getattr(self, "issue_rows", None)
        return [i.category for i in (self.issues.all() if rows is None else rows)]

    def category_labels(self) -> list[str]:
        return code_labels(IssueCategory, self.categories)


class ConsultationIssue(models.Model):
    """One issue category of a consultation: a row each, so reports count by category with
    plain GROUP BY on every database."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("相談受付"), on_delete=models.CASCADE, related_name="issues"
    )
    category = models.CharField(
        _("課題の分類"), max_length=30, choices=IssueCategory.choices, db_index=True
    )

    class Meta:
        verbose_name = _("相談の課題分類")
        verbose_name_plural = _("相談の課題分類")
        ordering = ["consultation", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "category"], name="one_row_per_consultation_category"
            )
        ]

    def __str__(self) -> str:
        return self.get_category_display()


# --- つなぐシート ----------------------------------------------------------------------------------


class ReferralQuerySet(models.QuerySet):
    def awaiting_answer(self):
        return self.filter(status__in=Referral.AWAITING_RECEIVER)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.awaiting_answer().filter(answer_due_on__lt=today)

    def for_list(self):
        return self.select_related("from_agency", "from_worker", "to_agency", "assignee", "case")


class Referral(models.Model):
    """つなぐシート: a referral from one agency to another, with or without the person's consent."""

    class Variant(models.TextChoices):
        WITH_CONSENT = "with_consent", _("本人同意あり")
        WITHOUT_CONSENT = "without_consent", _("本人同意なし(支援会議で検討)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        SENT = "sent", _("送付済み")
        OPENED = "opened", _("確認済み")
        ACCEPTED = "accepted", _("受理")
        RETURNED = "returned", _("差し戻し")
        INFO_REQUESTED = "info_requested", _("追加情報依頼")
        WITHDRAWN = "withdrawn", _("取り下げ")

    # Waiting for the receiving agency to answer (overdue after 3 business days).
    AWAITING_RECEIVER = (Status.SENT, Status.OPENED)
    # Still open from the sender's point of view.
    IN_FLIGHT = (Status.SENT, Status.OPENED, Status.INFO_REQUESTED)
    CLOSED = (Status.ACCEPTED, Status.RETURNED, Status.WITHDRAWN)

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("シート番号"), max_length=20, unique=True)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    variant = models.CharField(
        _("様式"), max_length=20, choices=Variant.choices, default=Variant.WITH_CONSENT
    )
    from_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("つなぎ元機関"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    from_worker = models.ForeignKey(
        "agencies.User",
        verbose_name=_("つなぎ元担当者"),
        on_delete=models.PROTECT,
        related_name="referrals_written",
    )
    to_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("つなぎ先機関"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    assignee = models.ForeignKey(
        "agencies.User",
        verbose_name=_("受理機関の担当者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_assigned",
    )
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("本人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    household = models.ForeignKey(
        "cases.Household",
        verbose_name=_("世帯"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("元の相談受付"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    route = models.CharField(_("相談経路"), max_length=20, choices=Route.choices, blank=True)
    triggers = models.JSONField(_("つなぐ理由"), default=list)
    person_says = models.TextField(_("本人・家族の訴え"), blank=True)
    done_so_far = models.TextField(_("これまでの対応"), blank=True)
    reason_note = models.TextField(_("つなぐ理由(補足)"), blank=True)
    # Without consent the receiver sees only this text, written by the sender for a 支援会議.
    meeting_summary = models.TextField(_("支援会議用の概要"), blank=True)
    urgency = models.CharField(
        _("緊急度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    consent = models.ForeignKey(
        "cases.Consent",
        verbose_name=_("本人同意"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    accompanied = models.BooleanField(_("同行"), default=False)
    accompanied_note = models.CharField(_("同行の内容"), max_length=200, blank=True)

    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    sent_at = models.DateTimeField(_("送付日時"), null=True, blank=True)
    answer_due_on = models.DateField(_("回答期限"), null=True, blank=True)
    opened_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    opened_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("確認者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("回答者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = models.TextField(_("差し戻しの理由"), blank=True)
    return_next_step = models.TextField(_("今後の対応の提案"), blank=True)
    info_question = models.TextField(_("追加情報の依頼内容"), blank=True)
    info_answer = models.TextField(_("追加情報の回答"), blank=True)
    withdrawn_at = models.DateTimeField(_("取り下げ日時"), null=True, blank=True)
    withdraw_reason = models.TextField(_("取り下げの理由"), blank=True)
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    outcome = models.CharField(
        _("回答の結果"), max_length=20, choices=ReferralOutcome.choices, blank=True, db_index=True
    )
    # Accepted into the receiving agency's own work: its consultation record of the sheet.
    handled_consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("受理機関の相談受付"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answered_referrals",
    )

    idempotency_key = models.UUIDField(
        _("送信トークン"), null=True, blank=True, unique=True, editable=False
    )
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("作成者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("つなぐシート")
        verbose_name_plural = _("つなぐシート")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Covering: the inbox's tab counts and its page of keys are read from the index
            # alone (a busy 多機関協働 body receives 4,000 a year; their heap pages cost 3 ms).
            models.Index(
                fields=["to_agency", "status"],
                include=["id", "answer_due_on", "sent_at", "assignee"],
                name="referral_inbox_covering",
            ),
            models.Index(fields=["from_agency", "status"], name="referral_outbox"),
            # Covering: the coordinator's dashboard counts the days its agency took to answer
            # this fiscal year from the index alone (reports.panels.coordinator_caseload: 1,062
            # sheets of a busy body on 772 heap pages, 5.9 → 1.3 ms).
            models.Index(
                fields=["to_agency", "answered_at"],
                include=["sent_at", "id"],
                name="referral_turnaround",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_agency=models.F("to_agency")), name="referral_not_to_self"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted")
                | Q(case__isnull=False)
                | Q(handled_consultation__isnull=False),
                name="accepted_referral_has_work",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | (~Q(return_reason="") & ~Q(return_next_step="")),
                name="returned_referral_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def audit_label(self) -> str:
        return f"referral:{self.number}"

    @property
    def with_consent(self) -> bool:
        return self.variant == self.Variant.WITH_CONSENT

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in self.AWAITING_RECEIVER
            and self.answer_due_on is not None
            and self.answer_due_on < timezone.localdate()
        )

    def trigger_labels(self) -> list[str]:
        return code_labels(ReferralTrigger, self.triggers)

    @property
    def status_tone(self) -> str:
        return {
            self.Status.ACCEPTED: "ok",
            self.Status.RETURNED: "danger",
            self.Status.INFO_REQUESTED: "warn",
            self.Status.WITHDRAWN: "neutral",
            self.Status.DRAFT: "neutral",
        }.get(self.status, "info")


class ReferralEvent(models.Model):
    """Every status change (and assignment) of a referral: the sender's timeline."""

    class Kind(models.TextChoices):
        CREATED = "created", _("作成")
        SENT = "sent", _("送付")
        OPENED = "opened", _("確認")
        ACCEPTED = "accepted", _("受理")
        RETURNED = "returned", _("差し戻し")
        INFO_REQUESTED = "info_requested", _("追加情報の依頼")
        INFO_ANSWERED = "info_answered", _("追加情報の回答・再送付")
        WITHDRAWN = "withdrawn", _("取り下げ")
        ASSIGNED = "assigned", _("担当者の割当")
        CONVERTED = "converted", _("支援会議の検討事案へ変更")

    referral = models.ForeignKey(
        Referral, verbose_name=_("つなぐシート"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("出来事"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(
        _("変更前の状態"), max_length=20, choices=Referral.Status.choices, blank=True
    )
    to_status = models.CharField(_("変更後の状態"), max_length=20, choices=Referral.Status.choices)
    actor = models.ForeignKey(
        "agencies.User", verbose_name=_("操作者"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("操作者の機関"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("日時"), default=timezone.now)
    note = models.TextField(_("メモ"), blank=True)

    class Meta:
        verbose_name = _("つなぐシートの経過")
        verbose_name_plural = _("つなぐシートの経過")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {jpdates.format_datetime(self.at)}"


# --- 気づきシート ----------------------------------------------------------------------------------


class ConcernSlip(models.Model):
    """A concern noticed by a resident (民生委員 …). Describes the person in free text: residents
    never get person records. The handling note stays with the agency; the resident sees a
    status label only."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("提出済み")
        RECEIVED = "received", _("受付済み")
        HANDLING = "handling", _("対応中")
        CLOSED = "closed", _("対応終了")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    submitted_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("提出者"),
        on_delete=models.PROTECT,
        related_name="concern_slips",
    )
    submitted_at = models.DateTimeField(_("提出日時"), default=timezone.now)
    to_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("届け先"),
        on_delete=models.PROTECT,
        related_name="concern_slips",
    )
    subject_description = models.TextField(_("気になる方・世帯"))
    location = models.CharField(_("場所・住所の目安"), max_length=200, blank=True)
    area = models.ForeignKey(
        "agencies.Area",
        verbose_name=_("地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    noticed = models.TextField(_("気づいたこと"))
    urgency = models.CharField(
        _("緊急度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    handled_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("対応者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("受付日時"), null=True, blank=True)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    handling_note = models.TextField(_("対応メモ(機関内)"), blank=True)
    # Where the slip went on (never shown to the resident): a consultation made from it, or the
    # existing person / support case it was linked to.
    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("相談受付"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concern_slips",
    )
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("本人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concern_slips",
    )
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concern_slips",
    )
    idempotency_key = models.UUIDField(
        _("送信トークン"), null=True, blank=True, unique=True, editable=False
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1)

    class Meta:
        verbose_name = _("気づきシート")
        verbose_name_plural = _("気づきシート")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["to_agency", "status"], name="concern_slip_inbox")]

    def __str__(self) -> str:
        return gettext("気づきシート %(date)s") % {"date": jpdates.format_date(self.submitted_at)}

    def audit_label(self) -> str:
        return f"concern_slip:{self.public_id}"

    @property
    def status_tone(self) -> str:
        return {
            self.Status.SUBMITTED: "warn",
            self.Status.RECEIVED: "info",
            self.Status.HANDLING: "info",
            self.Status.CLOSED: "ok",
        }[self.status]
