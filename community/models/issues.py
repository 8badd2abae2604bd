"""地域課題: gaps in local resources or shared problems, raised e.g. by a meeting decision."""

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import jpdates
from community.choices import IssueSource

from .checks import not_before


class CommunityIssueQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(
            status__in=[CommunityIssue.Status.RESOLVED, CommunityIssue.Status.CLOSED]
        )


class CommunityIssue(models.Model):
    """地域課題: a gap in local resources or a shared problem, raised e.g. by a meeting decision."""

    class Status(models.TextChoices):
        RAISED = "raised", _("提起")
        EXAMINING = "examining", _("検討中")
        RESOURCE_CREATED = "resource_created", _("資源化")
        RESOLVED = "resolved", _("解決")
        CLOSED = "closed", _("終了")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("地域課題"), max_length=120)
    description = models.TextField(_("内容"), blank=True)
    area = models.ForeignKey(
        "agencies.Area",
        verbose_name=_("圏域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_from = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("提起した議題"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_issues",
    )
    source = models.CharField(
        _("提起の元"), max_length=20, choices=IssueSource.choices, default=IssueSource.OTHER
    )
    source_case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("資源不足が分かったケース"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_issues",
    )
    source_resource = models.ForeignKey(
        "community.Resource",
        verbose_name=_("提起した居場所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues_raised",
    )
    source_program_session = models.ForeignKey(
        "community.ProgramSession",
        verbose_name=_("提起した協議の場・講座"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    raised_on = models.DateField(_("提起日"), default=timezone.localdate)
    raised_by = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    owner_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("担当機関"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.RAISED
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = CommunityIssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("地域課題")
        verbose_name_plural = _("地域課題")
        ordering = ["-raised_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:issue_detail", args=[self.public_id])

    def audit_label(self) -> str:
        return f"community-issue:{self.public_id}"

    @property
    def case(self):
        """The case that revealed the gap: set directly, or through the meeting's agenda item."""
        if self.source_case_id:
            return self.source_case
        if self.raised_from_id:
            return self.raised_from.case
        return None

    def clean(self):
        jpdates.no_future_dates(self, "raised_on")


class IssueAction(models.Model):
    """A step taken on a community issue: who does what by when."""

    issue = models.ForeignKey(
        CommunityIssue, verbose_name=_("地域課題"), on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(_("取組"), max_length=200)
    owner_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("担当機関"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "agencies.User",
        verbose_name=_("担当者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("開始日"), default=timezone.localdate)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    done_on = models.DateField(_("完了日"), null=True, blank=True)
    note = models.TextField(_("メモ"), blank=True)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("地域課題への取組")
        verbose_name_plural = _("地域課題への取組")
        ordering = ["starts_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.issue_id:
            not_before(self, "starts_on", self.issue.raised_on, _("課題の提起日"))
