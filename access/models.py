"""Legal bases (as data), access grants (as rows) and the disclosure ledger (提供記録).

- `LegalBasis` is the registry of the bases on which personal information may cross an agency
  boundary: law and article, whether consent is needed, the members' confidentiality duty, who
  convenes, which sections members see and for how long. A municipality edits the rows (names,
  periods, sections); the code keys rules by `code`.
- `AccessGrant` is one agency's (optionally one staff member's) access to one case or one person,
  from a source of work (team membership, 主担当, a meeting role, a referral receipt, an outreach
  visit, an emergency) on a basis, for a period. "What may this user see" is an index lookup on
  these rows; grants are never deleted, only ended, so the history stays readable.
- `Disclosure` is the ledger: a row each time personal information becomes visible to another
  agency (grant, referral, meeting papers, export, emergency access).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import InfoKind


class LegalBasis(models.Model):
    class PersonScope(models.TextChoices):
        CONSENTED = "consented", _("同意した本人のみ")
        ITEM = "item", _("議題・役割の対象者のみ")
        CASE = "case", _("ケースの対象世帯員")
        RECORD = "record", _("開いた記録のみ")

    code = models.SlugField(_("コード"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    law = models.CharField(_("根拠法令"), max_length=80, blank=True)
    article = models.CharField(_("条項"), max_length=80, blank=True)
    consent_required = models.BooleanField(_("本人同意が必要"), default=False)
    confidentiality_duty = models.CharField(_("構成員の守秘義務"), max_length=120, blank=True)
    convenor = models.CharField(_("開催・判断する者"), max_length=120, blank=True)
    sections = models.JSONField(_("見られる情報の範囲"), default=list, blank=True)
    person_scope = models.CharField(
        _("見られる人の範囲"), max_length=20, choices=PersonScope.choices
    )
    lookback_days = models.PositiveIntegerField(
        _("会議資料を見られる期間(日)"),
        default=365,
        help_text=_("会議の開催日からこの日数の間、構成員が資料の対象者を見られます。"),
    )
    tail_days = models.PositiveIntegerField(
        _("役割終了後の猶予(日)"),
        default=30,
        help_text=_("役割の期限・終了からこの日数の後にアクセスが終わります。"),
    )
    duration_hours = models.PositiveIntegerField(
        _("緊急時のアクセス時間(時間)"), null=True, blank=True
    )
    is_emergency = models.BooleanField(_("緊急時の根拠"), default=False)
    restricts_material = models.BooleanField(
        _("記録を構成員限りにできる"),
        default=False,
        help_text=_("この根拠の会議体の現構成員だけが見られる記録・添付を作れます。"),
    )
    note = models.TextField(_("説明"), blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    is_active = models.BooleanField(_("有効"), default=True)

    class Meta:
        verbose_name = _("情報共有の根拠")
        verbose_name_plural = _("情報共有の根拠")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def citation(self) -> str:
        return " ".join(p for p in (self.law, self.article) if p)


class GrantSource(models.TextChoices):
    CASE_TEAM = "case_team", _("支援チーム")
    LEAD = "lead", _("主担当")
    ROLE = "role", _("会議で決めた役割")
    REFERRAL = "referral", _("つなぐシートの受理")
    OUTREACH = "outreach", _("アウトリーチの担当")
    PARTICIPATION = "participation", _("参加支援の担当")
    EMERGENCY = "emergency", _("緊急時のアクセス")


# Grants the case sync recomputes from team rows, 主担当 and consents; the others are given and
# ended by the service of their work item.
DERIVED_SOURCES = frozenset({GrantSource.CASE_TEAM, GrantSource.LEAD})


class AccessGrantQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(ended_at__isnull=True, valid_from__lte=at).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=at)
        )

    def held_by(self, user, agency_ids):
        """Grants to one of `agency_ids` as a whole, or to `user` personally there."""
        return self.filter(agency_id__in=agency_ids).filter(Q(user__isnull=True) | Q(user=user))

    def giving_household(self):
        """Grants that show their person's 世帯 section (with `active` and `held_by`, a read of
        the index grant_agency_person_household alone)."""
        return self.filter(gives_household=True)

    def for_source(self, source_ref: str):
        return self.filter(source_ref=source_ref)


class AccessGrant(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("機関"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        "agencies.User",
        verbose_name=_("職員(個人に限る場合)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_grants",
    )
    # A grant on a case (person empty) opens the case; a grant on a person opens that person's
    # record (case then names the case through which it was given, for the history).
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("対象者"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )
    sections = models.JSONField(_("見られる情報の範囲"), default=list, blank=True)
    # Whether `sections` holds 世帯, computed by the database on every write, so no write path
    # (services, the sync's bulk writes, an import) can leave it out of step. The households a
    # user may list are those of the members such grants open; a flag is what the partial index
    # below can be conditioned on. A text match on the JSON (the only test SQLite's JSONField
    # has) cannot: SQLite's planner never matches a LIKE with a bound pattern to an index
    # condition, and PostgreSQL read the heap and matched the text of each of a coordinator's
    # 7,500 grant rows (6 ms).
    gives_household = models.GeneratedField(
        verbose_name=_("世帯を見られる"),
        # The stored JSON as text (the same on both databases: SQLite keeps text, PostgreSQL's
        # jsonb prints ["a", "b"]); the section codes are lowercase, so no UPPER, which
        # PostgreSQL refuses in a generated column for want of a collation.
        expression=Contains(Cast("sections", models.TextField()), f'"{InfoKind.HOUSEHOLD}"'),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    basis = models.ForeignKey(
        LegalBasis, verbose_name=_("根拠"), on_delete=models.PROTECT, related_name="grants"
    )
    # The agency that holds the basis document (recorded the consent, convened the meeting):
    # shown as "本人同意(○○包括)" and in the ledger as the one who disclosed.
    provider = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("提供元の機関"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("付与の元"), max_length=20, choices=GrantSource.choices)
    # "<app>.<model>:<pk>" of the work item (team row, role assignment, referral …) and of the
    # basis document (consent, decision) — opaque so this app imports none of them.
    source_ref = models.CharField(_("付与の元の記録"), max_length=80, blank=True, db_index=True)
    basis_ref = models.CharField(_("根拠の記録"), max_length=80, blank=True)
    valid_from = models.DateTimeField(_("開始"), default=timezone.now)
    valid_until = models.DateTimeField(_("終了予定"), null=True, blank=True)
    ended_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    ended_reason = models.CharField(_("終了の理由"), max_length=200, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    created_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("付与した人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("アクセス権")
        verbose_name_plural = _("アクセス権")
        ordering = ["-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(person__isnull=False),
                name="grant_has_case_or_person",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="grant_ends_after_start",
            ),
        ]
        indexes = [
            # "What may this user see" reads only these indexes (an index-only scan): the grants
            # in force of the user's agencies, with the columns the rule tests beside the key
            # (a coordinator's 2,169 case grants: 4 ms through the agency index and the table,
            # 0.4 ms here).
            models.Index(
                fields=["agency", "case"],
                include=["user", "valid_from", "valid_until"],
                name="grant_agency_case",
                condition=Q(ended_at__isnull=True, person__isnull=True),
            ),
            models.Index(
                fields=["agency", "person"],
                include=["user", "valid_from", "valid_until"],
                name="grant_agency_person",
                condition=Q(ended_at__isnull=True, person__isnull=False),
            ),
            models.Index(
                fields=["agency", "person"],
                include=["user", "valid_from", "valid_until"],
                name="grant_agency_person_household",
                condition=Q(ended_at__isnull=True, person__isnull=False, gives_household=True),
            ),
            # No (person, valid_from) index: the person's own index serves the person's grants, and
            # with it a prepared statement's generic plan read all 9,581 grants of the busiest
            # person for the 110 of the user's agency (5.2 ms; grant_agency_person: 0.5 ms).
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.agency_id}"

    def audit_label(self) -> str:
        return f"grant:{self.pk}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return (
            self.ended_at is None
            and self.valid_from <= now
            and (self.valid_until is None or self.valid_until > now)
        )


class Disclosure(models.Model):
    """提供記録: personal information of `person` became visible to `agency`."""

    class Channel(models.TextChoices):
        GRANT = "grant", _("アクセス権の付与")
        REFERRAL = "referral", _("つなぐシート")
        PAPERS = "papers", _("会議資料")
        EXPORT = "export", _("出力")
        EMERGENCY = "emergency", _("緊急時のアクセス")

    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("本人"),
        on_delete=models.CASCADE,
        related_name="disclosures",
    )
    sections = models.JSONField(_("提供した情報の範囲"), default=list, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("提供先の機関"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        "agencies.User",
        verbose_name=_("提供先の職員"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("提供の方法"), max_length=20, choices=Channel.choices)
    basis = models.ForeignKey(
        LegalBasis, verbose_name=_("根拠"), on_delete=models.PROTECT, related_name="disclosures"
    )
    basis_ref = models.CharField(_("根拠の記録"), max_length=80, blank=True)
    grant = models.ForeignKey(
        AccessGrant,
        verbose_name=_("アクセス権"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    at = models.DateTimeField(_("提供日時"), default=timezone.now)
    until = models.DateTimeField(_("提供の期限"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("記録した人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("提供記録")
        verbose_name_plural = _("提供記録")
        ordering = ["person", "-at", "-pk"]
        indexes = [models.Index(fields=["person", "at"], name="disclosure_person_at")]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.agency_id}"


class EmergencyAccess(models.Model):
    """Break-the-glass: a care worker opened a record outside their basis to protect someone's
    life or body (個人情報保護法 27条1項2号 / 69条). Short, shown on every page, reviewed."""

    class Outcome(models.TextChoices):
        JUSTIFIED = "justified", _("正当")
        NOT_JUSTIFIED = "not_justified", _("正当でない")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        "agencies.User",
        verbose_name=_("開いた職員"),
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("所属機関"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
    )
    reason = models.TextField(_("緊急の理由"))
    started_at = models.DateTimeField(_("開始"), default=timezone.now)
    expires_at = models.DateTimeField(_("終了"))
    outcome = models.CharField(_("確認の結果"), max_length=20, choices=Outcome.choices, blank=True)
    review_note = models.TextField(_("確認の所見"), blank=True)
    reviewed_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("確認者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("緊急時のアクセス")
        verbose_name_plural = _("緊急時のアクセス")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["agency", "reviewed_at"], name="emergency_review_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("started_at")), name="emergency_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(outcome="", reviewed_at__isnull=True)
                | (~Q(outcome="") & Q(reviewed_at__isnull=False)),
                name="emergency_review_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"emergency:{self.public_id}"

    def audit_label(self) -> str:
        return f"emergency:{self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.started_at <= timezone.now() < self.expires_at
