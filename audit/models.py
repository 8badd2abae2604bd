from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002 - append-only
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One append-only row per create, update, delete and view of a personal record.

    `object_repr` holds a non-personal label (a case number, an agency name), never a person's
    name; `changes` lists changed field names, not their values.
    """

    class Kind(models.TextChoices):
        VIEW = "view", _("閲覧")
        CREATE = "create", _("作成")
        UPDATE = "update", _("更新")
        DELETE = "delete", _("削除")
        ACTION = "action", _("操作")
        AUTH = "auth", _("認証")
        EXPORT = "export", _("出力")

    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実行者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("実行者名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=80)
    kind = models.CharField(_("種別"), max_length=10, choices=Kind.choices)
    object_type = models.CharField(_("対象の種類"), max_length=80, blank=True)
    object_id = models.CharField(_("対象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("対象"), max_length=200, blank=True)
    basis = models.CharField(_("根拠"), max_length=80, blank=True)
    changes = models.JSONField(_("変更項目"), default=list, blank=True)
    # For list and search pages: the audit labels of the records shown (ids, never names).
    subjects = models.JSONField(_("表示した記録"), default=list, blank=True)
    ip = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    user_agent = models.CharField(_("ユーザーエージェント"), max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        ordering = ["-at", "-id"]
        # Every page that shows personal records writes a row, so each index here is paid on
        # every such request. Kept: the viewer's order (`at`), a record's history (object_type,
        # object_id, at), a search by record id alone, a kind (the rare ones: exports, logins),
        # a user's rows (actor, also what PROTECT asks before a user is deleted). Not indexed:
        # `action` (the viewer filters it by an upper-cased prefix, which no plain index serves)
        # and the pattern-ops copies Django adds to an indexed CharField for LIKE, which no
        # filter here uses.
        indexes = [
            # A record's reads newest first, in the order "who viewed this" prints them (the key
            # breaks ties): the index gives the first 20 rows without sorting all of a busy
            # case's reads (2,761 of them: 6.5 → 0.2 ms; audit.views_of).
            models.Index(
                fields=["object_type", "object_id", "at", "id"], name="audit_event_object_at"
            ),
            models.Index(fields=["object_id"], name="audit_event_object_id"),
            models.Index(fields=["kind"], name="audit_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class AuditDay(models.Model):
    """One link of the audit hash chain: the SHA-256 of a day's rows (in id order) and of the
    previous day's link. `manage.py audit_verify` recomputes every link; a row changed, removed
    or slipped in afterwards breaks that day and every later one. Append-only like the rows."""

    day = models.DateField(_("日付"), unique=True)
    row_count = models.PositiveIntegerField(_("件数"))
    first_id = models.BigIntegerField(_("最初のID"), null=True, blank=True)
    last_id = models.BigIntegerField(_("最後のID"), null=True, blank=True)
    previous_digest = models.CharField(_("前日のハッシュ"), max_length=64)
    digest = models.CharField(_("ハッシュ"), max_length=64)
    sealed_at = models.DateTimeField(_("確定日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("監査ログの日次ハッシュ")
        verbose_name_plural = _("監査ログの日次ハッシュ")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.digest[:12]}"
