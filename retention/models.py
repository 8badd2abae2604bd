"""Retention (issue 17 item 3): how long each kind of record keeps its personal fields after it
is closed, and the ledger of every anonymisation (never deleted)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    SUPPORT_CASE = "support_case", _("支援ケース(世帯・対象者・記録を含む)")
    CONSULTATION = "consultation", _("相談受付(ケースにつながらなかったもの)")
    REFERRAL = "referral", _("つなぐシート(終了し、ケースにつながらなかったもの)")
    OUTREACH_TARGET = "outreach_target", _("アウトリーチ対象者(終結したもの)")


class RetentionRule(models.Model):
    """The retention period of one record kind, counted from its closure, with its legal basis."""

    kind = models.CharField(_("記録の種類"), max_length=30, choices=RecordKind.choices, unique=True)
    years_after_closure = models.PositiveSmallIntegerField(_("終結後の保存年数"), default=5)
    legal_basis = models.TextField(_("根拠"))
    enabled = models.BooleanField(_("有効"), default=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("保存期間")
        verbose_name_plural = _("保存期間")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.years_after_closure}"


class Anonymisation(models.Model):
    """One record due for anonymisation: listed by the monthly task, approved by an admin, then
    done. The row stays for good as the ledger of what happened (counts only, no personal data)."""

    class Status(models.TextChoices):
        DUE = "due", _("承認待ち")
        DONE = "done", _("匿名化済み")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("記録の種類"), max_length=30, choices=RecordKind.choices)
    # Exactly the one record of `kind` (RECORD_FIELDS): the link stays after anonymisation.
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consultation = models.ForeignKey(
        "cases.Consultation",
        verbose_name=_("相談受付"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    referral = models.ForeignKey(
        "cases.Referral",
        verbose_name=_("つなぐシート"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outreach_target = models.ForeignKey(
        "outreach.OutreachTarget",
        verbose_name=_("アウトリーチ対象者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The case / sheet / target number or the consultation's date, never a name.
    record_label = models.CharField(_("記録"), max_length=50)
    closed_on = models.DateField(_("終結日"))  # the record's end (received, answered, closed)
    due_on = models.DateField(_("保存期間の満了日"))
    legal_basis = models.TextField(_("根拠"))
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.DUE)
    listed_at = models.DateTimeField(_("抽出日時"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承認者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("匿名化日時"), null=True, blank=True)
    persons = models.PositiveIntegerField(_("匿名化した対象者数"), default=0)
    households = models.PositiveIntegerField(_("匿名化した世帯数"), default=0)
    texts = models.PositiveIntegerField(_("消去した記述の数"), default=0)
    files = models.PositiveIntegerField(_("削除したファイル数"), default=0)

    class Meta:
        verbose_name = _("匿名化")
        verbose_name_plural = _("匿名化")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "case"], name="retention_one_per_record"),
            models.UniqueConstraint(fields=["consultation"], name="retention_one_per_consultation"),
            models.UniqueConstraint(fields=["referral"], name="retention_one_per_referral"),
            models.UniqueConstraint(
                fields=["outreach_target"], name="retention_one_per_outreach_target"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="support_case", case__isnull=False)
                    | models.Q(kind="consultation", consultation__isnull=False)
                    | models.Q(kind="referral", referral__isnull=False)
                    | models.Q(kind="outreach_target", outreach_target__isnull=False)
                ),
                name="retention_record_of_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.record_label

    def audit_label(self) -> str:
        return f"anonymisation:{self.public_id}"

    @property
    def record(self):
        """The anonymised (or due) record itself."""
        return getattr(self, RECORD_FIELDS[self.kind])


# The field of `Anonymisation` that links each kind's record.
RECORD_FIELDS = {
    RecordKind.SUPPORT_CASE: "case",
    RecordKind.CONSULTATION: "consultation",
    RecordKind.REFERRAL: "referral",
    RecordKind.OUTREACH_TARGET: "outreach_target",
}
