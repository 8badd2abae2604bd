"""Reminders and the in-app inbox.

`Reminder` is the idempotency row: the sweep derives "what is due for whom" from the data every
run and inserts one row per (rule, object, due date, escalation step, recipient); the unique
constraint makes a second sweep — or two sweeps at once — a no-op. Each Reminder gets at most one
`Notification` (a one-to-one key), which is what the user sees.

Titles and bodies carry case / referral numbers, never a person's name; URLs carry UUIDs only.
A notification stores a message code and parameters (see notifications.messages) and is rendered
in the reader's language; `title` / `body` keep the Japanese text as a snapshot and fallback.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import messages


class Level(models.TextChoices):
    NORMAL = "normal", _("通常")
    URGENT = "urgent", _("至急")


def object_ref(obj) -> str:
    """Opaque, stable reference to a row: '<app_label>.<model>:<pk>' (no personal data)."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def ref_for(label_lower: str, pk) -> str:
    return f"{label_lower}:{pk}"


class ReminderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)


class Reminder(models.Model):
    """One reminder of one rule, for one object, due date, escalation step and recipient."""

    rule = models.CharField(_("ルール"), max_length=60)
    object_ref = models.CharField(_("対象"), max_length=100)
    due_date = models.DateField(_("期限"))
    step = models.PositiveSmallIntegerField(_("段階"), default=0)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("宛先"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("担当機関"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("件名(番号)"), max_length=100, blank=True)
    url = models.CharField(_("リンク"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    resolved_at = models.DateTimeField(_("解消日時"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("リマインダー")
        verbose_name_plural = _("リマインダー")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_ref", "due_date", "step", "recipient"],
                name="reminder_once_per_rule_object_due_step_recipient",
            )
        ]
        indexes = [
            models.Index(fields=["rule", "resolved_at"], name="reminder_rule_open_idx"),
            models.Index(fields=["agency", "due_date"], name="reminder_agency_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject} {self.due_date:%Y-%m-%d} #{self.step}"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True, resolved_at__isnull=True)

    def urgent(self):
        return self.filter(level=Level.URGENT)


class Notification(models.Model):
    """What a user sees in the inbox (and in e-mail). Created by the sweep (through a Reminder) or
    by an event such as a referral status change (no Reminder)."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("宛先"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    rule = models.CharField(_("種類"), max_length=60)
    # What the reader sees: rendered from these at read time, in the reader's language.
    message_code = models.CharField(_("件名のメッセージ"), max_length=80, blank=True)
    body_codes = models.JSONField(_("本文のメッセージ"), default=list, blank=True)
    params = models.JSONField(_("メッセージの値"), default=dict, blank=True)
    # The Japanese text when created: shown for rows without a code (older ones) and for a
    # body typed by a user (kept as written, not translated).
    title = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"), blank=True)
    url = models.CharField(_("リンク"), max_length=300, blank=True)
    object_ref = models.CharField(_("対象"), max_length=100, blank=True)
    due_date = models.DateField(_("期限"), null=True, blank=True)
    level = models.CharField(
        _("重要度"), max_length=10, choices=Level.choices, default=Level.NORMAL
    )
    reminder = models.OneToOneField(
        Reminder,
        verbose_name=_("リマインダー"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification",
    )
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    read_at = models.DateTimeField(_("既読日時"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("メール送信日時"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解消日時"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "resolved_at"], name="notification_unread_idx"
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"notification:{self.public_id}"

    @property
    def display_title(self) -> str:
        """The title in the active language (the stored text if there is no usable code)."""
        if self.message_code:
            text = messages.render(self.message_code, self.params)
            if text is not None:
                return text
        return self.title

    @property
    def display_body(self) -> str:
        """The body in the active language; a body typed by a user is shown as stored."""
        if self.body_codes:
            text = messages.render_lines(self.body_codes, self.params)
            if text is not None:
                return text
        return self.body

    @property
    def is_unread(self) -> bool:
        return self.read_at is None and self.resolved_at is None

    @property
    def is_urgent(self) -> bool:
        return self.level == Level.URGENT


class NotificationPreference(models.Model):
    """Per-user delivery settings. A user without a row gets the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    digest_enabled = models.BooleanField(_("毎日のまとめメールを受け取る"), default=True)
    urgent_email = models.BooleanField(_("至急の通知はすぐにメールで受け取る"), default=True)
    digest_hour = models.PositiveSmallIntegerField(
        _("まとめメールの時刻(時)"),
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
    )
    last_digest_on = models.DateField(
        _("最後にまとめメールを送った日"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    DEFAULTS = {"digest_enabled": True, "urgent_email": True, "digest_hour": 7}

    class Meta:
        verbose_name = _("通知の設定")
        verbose_name_plural = _("通知の設定")
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_hour__gte=0) & Q(digest_hour__lte=23),
                name="preference_digest_hour_0_23",
            )
        ]

    def __str__(self) -> str:
        return f"preference:{self.user_id}"

    def audit_label(self) -> str:
        return f"notification_preference:{self.user_id}"


class RuleSetting(models.Model):
    """The municipality's thresholds for one rule. Missing rows mean the defaults in code."""

    code = models.CharField(_("ルール"), max_length=60, unique=True)
    enabled = models.BooleanField(_("有効"), default=True)
    threshold_days = models.PositiveSmallIntegerField(
        _("日数"), validators=[MinValueValidator(0), MaxValueValidator(365)]
    )
    escalation_days = models.PositiveSmallIntegerField(
        _("次の段階までの日数"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("通知ルールの設定")
        verbose_name_plural = _("通知ルールの設定")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation_days__gte=1), name="rulesetting_escalation_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def audit_label(self) -> str:
        return f"rule_setting:{self.code}"
