"""Per-user secret calendar feed URLs: calendar apps subscribe without a session."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class CalendarFeedToken(models.Model):
    """One active feed token per user. Only the SHA-256 of the token is stored: the URL is shown
    once when created or rotated; revoking deletes the row, so the old URL answers 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        on_delete=models.CASCADE,
        related_name="calendar_feed_token",
    )
    token_hash = models.CharField(_("トークンのハッシュ"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("発行日時"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("再発行日時"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("カレンダー購読URL")
        verbose_name_plural = _("カレンダー購読URL")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def audit_label(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
