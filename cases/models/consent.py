import uuid
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies import jpdates


def consent_document_path(instance, filename: str) -> str:
    """A random file name: never the person's name, never the uploader's original file name."""
    suffix = PurePath(filename).suffix.lower()[:5]
    return f"consents/{timezone.localdate():%Y}/{uuid.uuid4().hex}{suffix}"


def in_force_q(on=None, prefix: str = "") -> Q:
    """The condition of `ConsentQuerySet.in_force()` as a Q (for an annotation or a join)."""
    now = on or timezone.now()
    return (
        (Q(**{f"{prefix}withdrawn_at__isnull": True}) | Q(**{f"{prefix}withdrawn_at__gt": now}))
        & (
            Q(**{f"{prefix}valid_until__isnull": True})
            | Q(**{f"{prefix}valid_until__gte": timezone.localdate(now)})
        )
        & Q(**{f"{prefix}given_on__lte": timezone.localdate(now)})
    )


class ConsentQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Given, not withdrawn, not expired. Withdrawal takes effect at once."""
        return self.filter(in_force_q(on))


class Consent(models.Model):
    """本人同意 as a record: who explained what to whom, how, its scope and its life."""

    class Method(models.TextChoices):
        WRITTEN = "written", _("書面")
        ORAL = "oral", _("口頭")
        PROXY = "proxy", _("代理人")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "cases.Person", verbose_name=_("本人"), on_delete=models.PROTECT, related_name="consents"
    )
    household = models.ForeignKey(
        "cases.Household",
        verbose_name=_("世帯"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
    )
    explained_by = models.ForeignKey(
        "agencies.User", verbose_name=_("説明者"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("記録機関"), on_delete=models.PROTECT, related_name="+"
    )
    given_on = models.DateField(_("同意日"))
    method = models.CharField(_("同意の方法"), max_length=10, choices=Method.choices)
    proxy_name = models.CharField(_("代理人氏名"), max_length=100, blank=True)
    proxy_relation = models.CharField(_("代理人の続柄・立場"), max_length=50, blank=True)
    agencies = models.ManyToManyField(
        "agencies.Agency",
        verbose_name=_("情報共有先の機関"),
        related_name="consents_covering",
        blank=True,
    )
    info_kinds = models.JSONField(_("共有する情報の種類"), default=list)
    valid_until = models.DateField(_("有効期限"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回日時"), null=True, blank=True)
    withdrawn_note = models.CharField(_("撤回の理由・経緯"), max_length=200, blank=True)
    withdrawn_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("撤回を記録した職員"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    document = models.FileField(_("同意書(スキャン)"), upload_to=consent_document_path, blank=True)
    document_content_type = models.CharField(
        _("同意書のファイル形式"), max_length=40, blank=True, editable=False
    )
    note = models.TextField(_("備考"), blank=True)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("本人同意")
        verbose_name_plural = _("本人同意")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("given_on")),
                name="consent_valid_after_given",
            )
        ]

    def __str__(self) -> str:
        return gettext("同意 %(date)s") % {"date": jpdates.format_date(self.given_on)}

    def audit_label(self) -> str:
        return f"consent:{self.public_id}"

    def info_kind_labels(self) -> list[str]:
        from agencies.display import code_labels
        from cases.choices import InfoKind

        return code_labels(InfoKind, self.info_kinds)

    def is_in_force(self, on=None) -> bool:
        now = on or timezone.now()
        today = timezone.localdate(now)
        return (
            self.given_on <= today
            and (self.withdrawn_at is None or self.withdrawn_at > now)
            and (self.valid_until is None or self.valid_until >= today)
        )
