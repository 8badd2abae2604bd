"""The support case of 多機関協働 (extended by the case-lifecycle work)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SupportCaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=[SupportCase.Status.CLOSED, SupportCase.Status.HANDED_BACK])


class SupportCase(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("受付")
        ASSESSMENT = "assessment", _("アセスメント")
        PLANNING = "planning", _("プラン作成")
        IN_MEETING = "in_meeting", _("会議付議")
        SUPPORTING = "supporting", _("支援実施")
        EVALUATION = "evaluation", _("評価")
        CLOSED = "closed", _("終結")
        REPLAN = "replan", _("再プラン")
        HANDED_BACK = "handed_back", _("つなぎもどし")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("ケース番号"), max_length=20, unique=True)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    household = models.ForeignKey(
        "cases.Household", verbose_name=_("世帯"), on_delete=models.PROTECT, related_name="support_cases"
    )
    persons = models.ManyToManyField("cases.Person", verbose_name=_("対象となる世帯員"), related_name="support_cases", blank=True)
    lead_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("主担当機関"), on_delete=models.PROTECT, related_name="lead_cases"
    )
    coordinator = models.ForeignKey(
        "agencies.User", verbose_name=_("担当推進員"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    opened_on = models.DateField(_("受付日"), default=timezone.localdate)
    closed_on = models.DateField(_("終結日"), null=True, blank=True)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1)

    objects = SupportCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("支援ケース")
        verbose_name_plural = _("支援ケース")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="case_number_per_fiscal_year"),
        ]

    def __str__(self) -> str:
        return self.number

    def audit_label(self) -> str:
        return self.number


class CaseTeamMemberQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gte=on), joined_on__lte=on)


class CaseTeamMember(models.Model):
    """An agency (and optionally a named staff member) on a case's team, with dates."""

    case = models.ForeignKey(SupportCase, verbose_name=_("支援ケース"), on_delete=models.CASCADE, related_name="team")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("機関"), on_delete=models.PROTECT, related_name="case_teams")
    user = models.ForeignKey(
        "agencies.User", verbose_name=_("担当者"), null=True, blank=True, on_delete=models.PROTECT, related_name="case_teams"
    )
    role = models.CharField(_("ケースでの役割"), max_length=100, blank=True)
    joined_on = models.DateField(_("参加日"), default=timezone.localdate)
    left_on = models.DateField(_("離脱日"), null=True, blank=True)

    objects = CaseTeamMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("支援チーム")
        verbose_name_plural = _("支援チーム")
        ordering = ["case", "joined_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case} / {self.agency}"
