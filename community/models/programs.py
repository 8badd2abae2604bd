"""Platforms (協議の場), courses and awareness events, and their sessions: participants, the
organisations reached (働きかけ団体数), minutes and the issues raised."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import jpdates
from agencies.jpdates import format_date
from community.choices import ProgramKind


class Program(models.Model):
    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("種類"), max_length=20, choices=ProgramKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    purpose = models.TextField(_("目的"), blank=True)
    area = models.ForeignKey(
        "agencies.Area",
        verbose_name=_("圏域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("市全域のときは空欄"),
    )
    organiser = models.ForeignKey(
        "agencies.Agency", verbose_name=_("事務局"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.TextField(_("構成団体"), blank=True, help_text=_("1行に1団体"))
    started_on = models.DateField(_("開始日"), default=timezone.localdate)
    active = models.BooleanField(_("継続中"), default=True)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("協議の場・講座")
        verbose_name_plural = _("協議の場・講座")
        ordering = ["kind", "-started_on", "pk"]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return f"program:{self.public_id}"

    @property
    def member_list(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]


class ProgramSession(models.Model):
    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(
        Program, verbose_name=_("協議の場・講座"), on_delete=models.PROTECT, related_name="sessions"
    )
    held_on = models.DateField(_("開催日"))
    title = models.CharField(_("テーマ"), max_length=120, blank=True)
    participants = models.PositiveIntegerField(_("参加者数"), default=0)
    organisations = models.PositiveIntegerField(_("参加・働きかけ団体数"), default=0)
    minutes = models.TextField(_("議事要旨"), blank=True)
    issues_raised = models.TextField(_("出された課題"), blank=True)
    recorded_by = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("開催(協議の場・講座)")
        verbose_name_plural = _("開催(協議の場・講座)")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.program} {format_date(self.held_on)}"

    def audit_label(self) -> str:
        return f"program-session:{self.public_id}"

    def clean(self):
        jpdates.no_future_dates(self, "held_on")
