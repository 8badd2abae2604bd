"""The support case of 多機関協働: number, household, team, 主担当 history and status transitions.

The sheets (assessment, plan, monitoring, evaluation) live in `sheets.py`, the activity log in
`notes.py`. State changes happen only in `cases.services.support`; the models hold fields,
QuerySet methods and the transition table, nothing with side effects.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import jpdates
from cases import reasons
from cases.choices import ClosureReason


class SupportCaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=[SupportCase.Status.CLOSED, SupportCase.Status.HANDED_BACK])

    def closed(self):
        return self.filter(status__in=[SupportCase.Status.CLOSED, SupportCase.Status.HANDED_BACK])

    def for_fiscal_year(self, fiscal_year: int):
        return self.filter(fiscal_year=fiscal_year)


class SupportCase(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("受付")
        ASSESSMENT = "assessment", _("アセスメント")
        PLANNING = "planning", _("プラン作成")
        IN_MEETING = "in_meeting", _("会議付議")
        SUPPORTING = "supporting", _("支援実施")
        EVALUATION = "evaluation", _("評価")
        CLOSED = "closed", _("終結")
        REPLAN = "replan", _("再プラン")
        HANDED_BACK = "handed_back", _("つなぎもどし")

    # The transition table: every status change goes through a service that checks this first
    # and then its own guard (approved plan, evaluation, 主担当 …).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.RECEIVED: frozenset({Status.ASSESSMENT, Status.CLOSED}),
        Status.ASSESSMENT: frozenset({Status.PLANNING, Status.CLOSED}),
        Status.PLANNING: frozenset(
            {Status.IN_MEETING, Status.SUPPORTING, Status.ASSESSMENT, Status.CLOSED}
        ),
        Status.IN_MEETING: frozenset(
            {Status.SUPPORTING, Status.PLANNING, Status.ASSESSMENT, Status.CLOSED}
        ),
        Status.SUPPORTING: frozenset(
            {Status.EVALUATION, Status.ASSESSMENT, Status.REPLAN, Status.CLOSED}
        ),
        Status.EVALUATION: frozenset(
            {Status.CLOSED, Status.SUPPORTING, Status.REPLAN, Status.HANDED_BACK, Status.ASSESSMENT}
        ),
        Status.REPLAN: frozenset(
            {
                Status.ASSESSMENT,
                Status.PLANNING,
                Status.IN_MEETING,
                Status.SUPPORTING,
                Status.CLOSED,
            }
        ),
        Status.CLOSED: frozenset({Status.ASSESSMENT}),
        Status.HANDED_BACK: frozenset({Status.ASSESSMENT}),
    }
    OPEN_STATUSES = frozenset(set(Status.values) - {Status.CLOSED, Status.HANDED_BACK})
    # Statuses in which a plan is being written or waits for the meeting.
    PLAN_STATUSES = frozenset({Status.PLANNING, Status.IN_MEETING, Status.REPLAN})

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("ケース番号"), max_length=20, unique=True)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    household = models.ForeignKey(
        "cases.Household",
        verbose_name=_("世帯"),
        on_delete=models.PROTECT,
        related_name="support_cases",
    )
    persons = models.ManyToManyField(
        "cases.Person", verbose_name=_("対象となる世帯員"), related_name="support_cases", blank=True
    )
    principal = models.ForeignKey(
        "cases.Person",
        verbose_name=_("本人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="principal_cases",
    )
    # 前の支援 ↔ 次の支援: a case that follows a closed one (e.g. the survivor's after a death).
    previous_case = models.ForeignKey(
        "self",
        verbose_name=_("前の支援"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_cases",
    )
    summary = models.CharField(_("主訴・ケースの概要"), max_length=200, blank=True)
    programmes = models.JSONField(_("関わる事業"), default=list, blank=True)
    coordinating_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("多機関協働の実施機関"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_cases",
    )
    lead_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("主担当機関"),
        on_delete=models.PROTECT,
        related_name="lead_cases",
    )
    coordinator = models.ForeignKey(
        "agencies.User",
        verbose_name=_("担当推進員"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_cases",
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    status_changed_at = models.DateTimeField(_("状態の変更日時"), default=timezone.now)
    opened_on = models.DateField(_("受付日"), default=timezone.localdate)
    closed_on = models.DateField(_("終結日"), null=True, blank=True)
    closure_reason = models.CharField(
        _("終結理由"), max_length=20, blank=True, choices=ClosureReason.choices
    )
    closure_note = models.TextField(_("終結時の申し送り"), blank=True)
    # 見守り継続 after 終結: when the 主担当 checks again and what (a reminder fires once on
    # the date; cleared when the case is re-opened).
    followup_on = models.DateField(_("終結後の確認日"), null=True, blank=True, db_index=True)
    followup_note = models.CharField(_("終結後に確認すること"), max_length=200, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("再開回数"), default=0)
    next_monitoring_on = models.DateField(
        _("次回モニタリング予定日"), null=True, blank=True, db_index=True
    )
    created_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("登録者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1)

    objects = SupportCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("支援ケース")
        verbose_name_plural = _("支援ケース")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "number"], name="case_number_per_fiscal_year"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
        ]
        indexes = [models.Index(fields=["status", "lead_agency"])]

    def __str__(self) -> str:
        return self.number

    def audit_label(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def status_tone(self) -> str:
        S = self.Status
        return {
            S.RECEIVED: "info",
            S.IN_MEETING: "warn",
            S.REPLAN: "warn",
            S.EVALUATION: "warn",
            S.SUPPORTING: "ok",
            S.CLOSED: "neutral",
            S.HANDED_BACK: "neutral",
        }.get(self.status, "info")

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())

    def programme_labels(self) -> list[str]:
        from agencies.choices import Programme
        from agencies.display import code_labels

        return code_labels(Programme, self.programmes)


class CaseNumberSequence(models.Model):
    """The last case number issued per fiscal year; incremented under a row lock."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    last = models.PositiveIntegerField(_("最終番号"), default=0)

    class Meta:
        verbose_name = _("ケース番号の採番")
        verbose_name_plural = _("ケース番号の採番")

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.last}"


class TeamRole(models.TextChoices):
    COORDINATOR = "coordinator", _("調整役(多機関協働)")
    LEAD = "lead", _("主担当")
    SUPPORT = "support", _("支援実施")
    OUTREACH = "outreach", _("アウトリーチ")
    PARTICIPATION = "participation", _("参加支援")
    INFORMATION = "information", _("情報提供・見守り")


class CaseTeamMemberQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gte=on), joined_on__lte=on)


class CaseTeamMember(models.Model):
    """An agency (and optionally a named staff member) on a case's team, with dates.

    Leaving sets `left_on`; rows are never deleted, so the team's history stays readable.
    """

    case = models.ForeignKey(
        SupportCase, verbose_name=_("支援ケース"), on_delete=models.CASCADE, related_name="team"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("機関"),
        on_delete=models.PROTECT,
        related_name="case_teams",
    )
    user = models.ForeignKey(
        "agencies.User",
        verbose_name=_("担当者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_teams",
    )
    role = models.CharField(
        _("ケースでの役割"), max_length=20, choices=TeamRole.choices, default=TeamRole.SUPPORT
    )
    duties = models.CharField(_("担う内容"), max_length=200, blank=True)
    joined_on = models.DateField(_("参加日"), default=timezone.localdate)
    left_on = models.DateField(_("離脱日"), null=True, blank=True)
    left_note = models.CharField(_("離脱の理由"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("登録者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CaseTeamMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("支援チーム")
        verbose_name_plural = _("支援チーム")
        ordering = ["case", "joined_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="team_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} / {self.agency}"

    def audit_label(self) -> str:
        return f"{self.case.number}:{self.agency.code}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.joined_on <= today and (self.left_on is None or self.left_on >= today)


class CodedReason(models.Model):
    """A `reason` the system may write as a code and parameters (cases.reasons), shown in the
    reader's language; a reason a user typed has no code and shows as typed."""

    reason_code = models.CharField(_("理由のコード"), max_length=40, blank=True)
    reason_params = models.JSONField(_("理由の値"), default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def reason_text(self) -> str:
        return reasons.render(self.reason_code, self.reason_params, self.reason)


class LeadAgencyHistory(CodedReason):
    """Who was 主担当 when: one row per period; the open row is the current lead."""

    case = models.ForeignKey(
        SupportCase,
        verbose_name=_("支援ケース"),
        on_delete=models.CASCADE,
        related_name="lead_history",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("主担当機関"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("開始日"))
    ended_on = models.DateField(_("終了日"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("設定者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("主担当の履歴")
        verbose_name_plural = _("主担当の履歴")
        ordering = ["case", "started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(ended_on__isnull=True),
                name="one_open_lead_period_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.agency} {jpdates.format_date(self.started_on)}"


class CaseTransition(CodedReason):
    """One status change with who, when, why and — for meeting decisions — the meeting's date and
    an opaque reference to the agenda item (e.g. "meetings.agendaitem:<uuid>") so the meetings app
    can link here without a circular import."""

    class Via(models.TextChoices):
        STAFF = "", _("担当者の操作")
        SUPERVISOR_RECORD = "supervisor_record", _("会議外の記録(旧データ・現在は不可)")
        MEETING = "meeting", _("重層的支援会議の決定")

    case = models.ForeignKey(
        SupportCase,
        verbose_name=_("支援ケース"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_status = models.CharField(_("変更前"), max_length=20, choices=SupportCase.Status.choices)
    to_status = models.CharField(_("変更後"), max_length=20, choices=SupportCase.Status.choices)
    actor = models.ForeignKey(
        "agencies.User", verbose_name=_("操作者"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("日時"), default=timezone.now)
    reason = models.TextField(_("理由"), blank=True)
    decided_on = models.DateField(_("決定日(会議日)"), null=True, blank=True)
    via = models.CharField(
        _("決定の経路"), max_length=20, choices=Via.choices, default=Via.STAFF, blank=True
    )
    via_item = models.CharField(_("会議の議題"), max_length=100, blank=True)
    basis = models.CharField(_("権限の根拠"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("状態の変更")
        verbose_name_plural = _("状態の変更")
        ordering = ["case", "at", "pk"]
        indexes = [models.Index(fields=["via_item"])]

    def __str__(self) -> str:
        return f"{self.case}: {self.from_status} → {self.to_status}"


class CaseHandover(models.Model):
    """A case moved from one worker to another (April transfers), with the handover note."""

    case = models.ForeignKey(
        SupportCase,
        verbose_name=_("支援ケース"),
        on_delete=models.CASCADE,
        related_name="handovers",
    )
    from_user = models.ForeignKey(
        "agencies.User", verbose_name=_("前任者"), on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        "agencies.User", verbose_name=_("後任者"), on_delete=models.PROTECT, related_name="+"
    )
    effective_on = models.DateField(_("引継ぎ日"))
    note = models.TextField(_("引継ぎ事項"), blank=True)
    as_coordinator = models.BooleanField(_("担当推進員の交代"), default=False)
    by = models.ForeignKey(
        "agencies.User", verbose_name=_("実施者"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("引継ぎ")
        verbose_name_plural = _("引継ぎ")
        ordering = ["case", "-at"]

    def __str__(self) -> str:
        return f"{self.case} {jpdates.format_date(self.effective_on)}"
