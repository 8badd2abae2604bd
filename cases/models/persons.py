import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonQuerySet(models.QuerySet):
    def active(self):
        """Records not merged into another one (merged records never appear in search)."""
        return self.filter(merged_into__isnull=True)


class Person(models.Model):
    """本人 or a household member. Personal data (要配慮個人情報): read and write through the policy."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    family_name = models.CharField(_("姓"), max_length=50)
    given_name = models.CharField(_("名"), max_length=50, blank=True)
    family_name_kana = models.CharField(_("せい(ふりがな)"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("めい(ふりがな)"), max_length=50, blank=True)
    birth_date = models.DateField(_("生年月日"), null=True, blank=True)
    sex = models.CharField(_("性別"), max_length=30, blank=True)
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    area = models.ForeignKey(
        "agencies.Area",
        verbose_name=_("圏域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    language = models.CharField(_("使用言語"), max_length=50, blank=True)
    needs_interpreter = models.BooleanField(_("通訳が必要"), default=False)
    notes = models.TextField(_("備考"), blank=True)
    deceased_on = models.DateField(_("死亡日"), null=True, blank=True)
    moved_out_on = models.DateField(_("転出日"), null=True, blank=True)
    # Normalised copies for 名寄せ and kana-insensitive search (see cases/normalize.py).
    name_search = models.CharField(
        _("検索用氏名"), max_length=250, blank=True, db_index=True, editable=False
    )
    kana_search = models.CharField(
        _("検索用ふりがな"), max_length=250, blank=True, db_index=True, editable=False
    )
    phone_digits = models.CharField(
        _("検索用電話番号"), max_length=30, blank=True, db_index=True, editable=False
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("統合先"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    merged_at = models.DateTimeField(_("統合日時"), null=True, blank=True, editable=False)
    registered_by_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("登録機関"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("対象者")
        verbose_name_plural = _("対象者")
        ordering = ["family_name_kana", "given_name_kana", "pk"]
        # Birth date alone or a birth year (a range) in the search box and the pickers.
        indexes = [models.Index(fields=["birth_date"], name="person_birth_date_idx")]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    def audit_label(self) -> str:
        return f"person:{self.public_id}"

    def is_deceased_on(self, day=None) -> bool:
        """Died on or before `day` (today)."""
        return bool(self.deceased_on and self.deceased_on <= (day or timezone.localdate()))

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def full_kana(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    def age(self, on=None) -> int | None:
        if self.birth_date is None:
            return None
        on = on or timezone.localdate()
        return (
            on.year
            - self.birth_date.year
            - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))
        )


class Household(models.Model):
    """世帯: the unit of support. Persons belong to it over time (HouseholdMember)."""

    class TypeTag(models.TextChoices):
        SINGLE_ELDERLY = "single_elderly", _("単身高齢")
        ELDERLY_COUPLE = "elderly_couple", _("高齢夫婦")
        SINGLE_PARENT = "single_parent", _("ひとり親")
        P8050 = "8050", _("8050")
        DOUBLE_CARE = "double_care", _("ダブルケア")
        YOUNG_CARER = "young_carer", _("ヤングケアラー")
        MULTI_ISSUE = "multi_issue", _("複合課題")
        OTHER = "other", _("その他")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    area = models.ForeignKey(
        "agencies.Area",
        verbose_name=_("圏域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    type_tags = models.JSONField(_("世帯類型"), default=list, blank=True)
    notes = models.TextField(_("備考"), blank=True)
    registered_by_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("登録機関"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1)

    class Meta:
        verbose_name = _("世帯")
        verbose_name_plural = _("世帯")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"世帯 {str(self.public_id)[:8]}"

    def audit_label(self) -> str:
        return f"household:{self.public_id}"

    def type_tag_labels(self) -> list[str]:
        from agencies.display import code_labels

        return code_labels(self.TypeTag, self.type_tags)


class HouseholdMemberQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(models.Q(left_on__isnull=True) | models.Q(left_on__gt=on))


class HouseholdMember(models.Model):
    """A person's membership of a household, with history (joined/left)."""

    class Relation(models.TextChoices):
        SELF = "self", _("世帯主")
        SPOUSE = "spouse", _("配偶者")
        CHILD = "child", _("子")
        PARENT = "parent", _("父母")
        SIBLING = "sibling", _("兄弟姉妹")
        GRANDCHILD = "grandchild", _("孫")
        GRANDPARENT = "grandparent", _("祖父母")
        CHILD_IN_LAW = "child_in_law", _("子の配偶者")
        OTHER_RELATIVE = "other_relative", _("その他親族")
        OTHER = "other", _("その他")

    household = models.ForeignKey(
        Household, verbose_name=_("世帯"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("世帯員"), on_delete=models.PROTECT, related_name="household_links"
    )
    relation = models.CharField(_("続柄(世帯主から見て)"), max_length=20, choices=Relation.choices)
    relation_note = models.CharField(_("続柄(補足)"), max_length=50, blank=True)
    is_key_person = models.BooleanField(_("主たる相談者"), default=False)
    lives_together = models.BooleanField(_("同居"), default=True)
    is_main_carer = models.BooleanField(_("主たる介護者・養育者"), default=False)
    joined_on = models.DateField(_("世帯に加わった日"), null=True, blank=True)
    left_on = models.DateField(_("世帯を離れた日"), null=True, blank=True)
    left_reason = models.CharField(_("世帯を離れた理由"), max_length=100, blank=True)

    objects = HouseholdMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("世帯員")
        verbose_name_plural = _("世帯員")
        ordering = ["household", "-is_key_person", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"],
                condition=models.Q(left_on__isnull=True),
                name="one_current_membership_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_relation_display()}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None or self.left_on > timezone.localdate()
