import uuid
from datetime import date

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AgencyKind, OperatorType, Programme, Role
from .compiled import CompiledOnce
from .display import code_labels


class Area(models.Model):
    """日常生活圏域 and the smaller districts inside it (a tree)."""

    class Level(models.TextChoices):
        CITY = "city", _("市全域")
        SPHERE = "sphere", _("日常生活圏域")
        DISTRICT = "district", _("地区")

    name = models.CharField(_("名称"), max_length=100)
    kana = models.CharField(_("ふりがな"), max_length=100, blank=True)
    code = models.SlugField(_("コード"), max_length=40, unique=True)
    level = models.CharField(_("区分"), max_length=10, choices=Level.choices, default=Level.SPHERE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上位の圏域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    # Optimistic concurrency: services bump it on every change and refuse a stale edit.
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    class Meta:
        verbose_name = _("圏域")
        verbose_name_plural = _("圏域")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("上位の圏域が循環しています。")})
            node = node.parent


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def running(self, programme: str):
        return self.filter(programmes__includes=programme)


class Agency(models.Model):
    name = models.CharField(_("機関名"), max_length=150, unique=True)
    kana = models.CharField(_("ふりがな"), max_length=150)
    short_name = models.CharField(_("略称"), max_length=40, blank=True)
    code = models.SlugField(_("機関コード"), max_length=40, unique=True)
    kind = models.CharField(_("機関種別"), max_length=30, choices=AgencyKind.choices)
    operator_type = models.CharField(
        _("設置・運営形態"),
        max_length=12,
        choices=OperatorType.choices,
        default=OperatorType.CONTRACTED,
    )
    operator = models.CharField(_("運営法人"), max_length=150, blank=True)
    programmes = models.JSONField(_("実施事業"), default=list, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("担当圏域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    fax = models.CharField(_("FAX"), max_length=20, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    active = models.BooleanField(_("有効"), default=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("機関")
        verbose_name_plural = _("機関")
        ordering = ["kana"]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return self.name

    @property
    def is_municipal(self) -> bool:
        return self.operator_type == OperatorType.MUNICIPAL

    def programme_labels(self) -> list[str]:
        return code_labels(Programme, self.programmes)

    def clean(self):
        unknown = set(self.programmes or []) - set(Programme.values)
        if unknown:
            raise ValidationError(
                {
                    "programmes": _("不明な事業コードです: %(codes)s")
                    % {"codes": ", ".join(sorted(unknown))}
                }
            )


class TsunaguUserManager(UserManager):
    pass


class User(AbstractUser):
    """A staff member (or a restricted resident account). Agencies come through Membership."""

    class Language(models.TextChoices):
        JA = "ja", _("日本語")
        EN = "en", _("English")

    display_name = models.CharField(_("表示名"), max_length=100)
    kana = models.CharField(_("ふりがな"), max_length=100, blank=True)
    staff_number = models.CharField(_("職員番号"), max_length=30, blank=True)
    language = models.CharField(
        _("表示言語"), max_length=5, choices=Language.choices, default=Language.JA
    )
    phone = models.CharField(_("連絡先電話"), max_length=20, blank=True)
    # Screens show 和暦; with this the Western year follows it: 令和8年11月26日(2026年).
    show_seireki = models.BooleanField(_("和暦に西暦を併記する"), default=False)
    # Staff pages and API addresses use this, never the sequential id or a name.
    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    objects = TsunaguUserManager()

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = _("職員")
        ordering = ["kana", "username"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff_number"],
                condition=~Q(staff_number=""),
                name="unique_staff_number",
                violation_error_message=_("この職員番号は既に使われています。"),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def audit_label(self) -> str:
        return self.username

    # --- membership helpers; results are cached on the instance for one request ----------
    def current_memberships(self, on: date | None = None) -> list["Membership"]:
        key = ("_memberships", on)
        cache = self.__dict__.setdefault("_membership_cache", {})
        if key not in cache:
            # Every request asks (the policy, two-factor); the user of a request comes with
            # today's (agencies.auth_backend). Otherwise a statement compiled once.
            rows = _CURRENT_MEMBERSHIPS.instances(self.pk, on or timezone.localdate())
            self.keep_current_memberships(rows, on)
        return cache[key]

    def keep_current_memberships(self, rows, on: date | None = None) -> None:
        """Keep `rows` (with their agencies) as the memberships current on `on` (today), in
        `current_memberships`' order: a user's one to three, sorted here rather than by an
        ORDER BY (Membership's default order also sorts by the user's kana)."""
        self.__dict__.setdefault("_membership_cache", {})[("_memberships", on)] = sorted(
            rows, key=lambda m: (m.agency.kana, -m.start_date.toordinal(), m.pk)
        )

    def agency_ids(self) -> set[int]:
        return {m.agency_id for m in self.current_memberships()}

    def roles(self) -> set[str]:
        return {m.role for m in self.current_memberships()}

    def roles_at(self, agency_id: int) -> set[str]:
        return {m.role for m in self.current_memberships() if m.agency_id == agency_id}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    @property
    def is_tsunagu_admin(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMIN)

    def requires_2fa(self) -> bool:
        from django.conf import settings

        from .choices import ROLES_REQUIRING_2FA

        return (
            settings.REQUIRE_2FA_ALL
            or self.is_superuser
            or bool(self.roles() & ROLES_REQUIRING_2FA)
        )


class MembershipQuerySet(models.QuerySet):
    def current(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


class Membership(models.Model):
    """A user's role at an agency over a period. April transfers end one row and start another."""

    user = models.ForeignKey(
        User, verbose_name=_("職員"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("機関"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("役割"), max_length=25, choices=Role.choices)
    start_date = models.DateField(_("開始日"), default=timezone.localdate)
    end_date = models.DateField(_("終了日"), null=True, blank=True)
    note = models.CharField(_("備考"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        ordering = ["agency__kana", "user__kana", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
                violation_error_message=_("終了日は開始日以降の日付にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.get_role_display()})"

    def audit_label(self) -> str:
        return f"{self.user.username}@{self.agency.code}:{self.role}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("終了日は開始日以降の日付にしてください。")})
        if self.user_id and self.agency_id and self.role:
            overlapping = Membership.objects.filter(
                user_id=self.user_id, agency_id=self.agency_id, role=self.role
            ).exclude(pk=self.pk)
            start, end = self.start_date, self.end_date
            for other in overlapping:
                if (other.end_date is None or start is None or other.end_date >= start) and (
                    end is None or other.start_date <= end
                ):
                    raise ValidationError(_("同じ機関・役割の所属期間が重複しています。"))


_CURRENT_MEMBERSHIPS = CompiledOnce(
    lambda user_id, on: (
        Membership.objects.current(on).filter(user_id=user_id).select_related("agency").order_by()
    ),
    -7_654_322,
    date(1900, 1, 2),
)


from .tokens import ApiToken  # noqa: E402, F401 - named API tokens (model with its services)
