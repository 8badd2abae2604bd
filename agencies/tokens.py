"""Named API tokens: several per user, listed and revocable, hashed at rest.

A token is 40 random hex characters sent as `Authorization: Token <key>` (the header DRF's own
token auth uses, so clients do not change). Only its SHA-256 is stored, with the first 8
characters to recognise it in a list: a copy of the database does not yield a working token.
Issuing a token never revokes the others; each is revoked by its owner (account page or API), and
all of a user's tokens end when the account is deactivated. Unused tokens may carry an expiry.

Two-factor: for a user who needs it, a token is accepted only if it was issued after the user's
current device was confirmed (see agencies.auth_api); the pages and the API that issue tokens
already require a verified session or an OTP code.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from audit.services import record

MAX_ACTIVE_TOKENS = 10
LAST_USED_RESOLUTION = timedelta(minutes=5)  # one write per token per 5 minutes, not per call


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("名前"), max_length=80)
    prefix = models.CharField(_("先頭8文字"), max_length=8)
    key_hash = models.CharField(_("ハッシュ"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("発行日時"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最終利用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有効期限"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("無効にした日時"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_token_active_name_unique",
                violation_error_message=_("同じ名前の有効なトークンがあります。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def audit_label(self) -> str:
        return f"api-token:{self.prefix}"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


# --- services ---------------------------------------------------------------------------------


@transaction.atomic
def api_token_issue(
    *, user, actor, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a named token for the actor's own account; the others stay valid. Returns the token
    and its key, which is shown once and never stored."""
    if actor.pk != user.pk:
        raise PermissionError("API tokens are issued to their owner only")
    name = (name or "").strip() or "API"
    active = ApiToken.objects.select_for_update().filter(user=user).active()
    if active.count() >= MAX_ACTIVE_TOKENS:
        message = _("有効なトークンは %(n)d 個までです。使わないものを無効にしてください。")
        raise ValidationError({"name": [ValidationError(message, params={"n": MAX_ACTIVE_TOKENS})]})
    if active.filter(name=name).exists():
        raise ValidationError({"name": [_("同じ名前の有効なトークンがあります。")]})
    # An expired token keeps its name out of the way of a new one with the same name.
    ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    key = secrets.token_hex(20)
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:8], key_hash=hash_key(key), expires_at=expires_at
    )
    record(actor=actor, action="api_token.create", obj=token, kind=AuditEvent.Kind.AUTH)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> bool:
    """Revoke one of the actor's own tokens. False when it was no longer active."""
    if actor.pk != token.user_id:
        raise PermissionError("API tokens are revoked by their owner only")
    done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if done:
        record(actor=actor, action="api_token.delete", obj=token, kind=AuditEvent.Kind.AUTH)
    return bool(done)


def api_tokens_revoke_all(*, user) -> int:
    """End every token of a deactivated account (called inside the deactivation's transaction,
    which writes its own audit row)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def api_tokens_of(user):
    return ApiToken.objects.filter(user=user).active().order_by("-created_at", "-pk")


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token for a presented key (with its user), or None. Marks it used."""
    if not key or len(key) > 100:
        return None
    token = ApiToken.objects.active().select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
