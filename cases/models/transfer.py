"""A staff transfer's handover of work other than cases (cases keep `CaseHandover`).

One row per item handed over when a worker leaves an agency (異動): a meeting role, an unanswered
つなぐシート, an outreach target or a place the worker was 担当CSW of. The row names the item by
an opaque reference ("meetings.roleassignment:<uuid>") and a label that carries no personal
content (a number, a date, a place's name), so the transfer history can be read by the
administrator too.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkHandover(models.Model):
    class Kind(models.TextChoices):
        CASE = "case", _("支援ケース")
        ROLE = "role", _("会議で決まった役割")
        REFERRAL = "referral", _("未回答のつなぐシート")
        OUTREACH = "outreach", _("アウトリーチの対象者")
        PLACE = "place", _("担当CSWの拠点・居場所")

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("異動元の機関"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_user = models.ForeignKey(
        "agencies.User", verbose_name=_("前任者"), on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        "agencies.User", verbose_name=_("後任者"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    object_ref = models.CharField(_("対象"), max_length=100)
    label = models.CharField(_("表示名"), max_length=150)
    note = models.TextField(_("引継ぎ事項"), blank=True)
    effective_on = models.DateField(_("引継ぎ日"))
    by = models.ForeignKey(
        "agencies.User", verbose_name=_("実施者"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("業務の引継ぎ")
        verbose_name_plural = _("業務の引継ぎ")
        ordering = ["-at", "pk"]
        indexes = [models.Index(fields=["from_user", "agency"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}"

    def audit_label(self) -> str:
        return f"{self.kind}:{self.label}"
