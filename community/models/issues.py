"""地域課題: gaps in local resources or shared problems, raised e.g. by a meeting decision."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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

    def audit_label(self) -> str:
        return f"community-issue:{self.public_id}"
