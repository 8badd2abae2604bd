"""The task outbox: background work that must not be lost is written here first.

A row is inserted in the same transaction as the change that needs the work (or by beat), and
published to the broker after commit. If the broker is unreachable the row simply stays unsent
and `outbox.services.outbox_drain` (every minute from beat, and when a worker starts) sends it
later. Rows carry ids only — never personal data.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessageQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True)


class OutboxMessage(models.Model):
    task_id = models.UUIDField(_("タスクID"), default=uuid.uuid4, unique=True, editable=False)
    task = models.CharField(_("タスク名"), max_length=200)
    args = models.JSONField(_("位置引数"), default=list, blank=True)
    kwargs = models.JSONField(_("キーワード引数"), default=dict, blank=True)
    # While a row with this key waits, enqueueing the same work again adds nothing.
    dedupe_key = models.CharField(_("重複防止キー"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("送信試行回数"), default=0)
    last_attempt_at = models.DateTimeField(_("最終試行日時"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("送信待ちタスク")
        verbose_name_plural = _("送信待ちタスク")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(sent_at__isnull=True) & ~Q(dedupe_key=""),
                name="outbox_one_pending_per_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbox_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.task_id}"
