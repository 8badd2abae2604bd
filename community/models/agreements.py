"""Agreements (協定) with companies and organisations: 見守り協定, food banks, employment …"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.choices import AgreementKind, PartnerKind


class AgreementQuerySet(models.QuerySet):
    def in_force(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(signed_on__lte=on), Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class Agreement(models.Model):
    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    partner_name = models.CharField(_("協定先"), max_length=150)
    partner_kind = models.CharField(_("協定先の種別"), max_length=20, choices=PartnerKind.choices)
    kind = models.CharField(_("協定の種類"), max_length=20, choices=AgreementKind.choices)
    title = models.CharField(_("協定名"), max_length=150, blank=True)
    our_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("締結した機関"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_on = models.DateField(_("締結日"))
    ends_on = models.DateField(_("終了日"), null=True, blank=True)
    contact_name = models.CharField(_("先方の担当者"), max_length=100, blank=True)
    contact_phone = models.CharField(_("先方の連絡先"), max_length=20, blank=True)
    partner_does = models.TextField(_("協定先が行うこと"), blank=True)
    we_do = models.TextField(_("こちらが行うこと"), blank=True)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("協定")
        verbose_name_plural = _("協定")
        ordering = ["-signed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("signed_on")),
                name="agreement_end_after_start",
                violation_error_message=_("終了日は締結日以降の日付にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.partner_name}({self.get_kind_display()})"

    def audit_label(self) -> str:
        return f"agreement:{self.public_id}"

    @property
    def in_force(self) -> bool:
        today = timezone.localdate()
        return self.signed_on <= today and (self.ends_on is None or self.ends_on >= today)
