"""The national forms of 多機関協働 (DOMAIN §5): インテーク・アセスメントシート, プランシート,
モニタリング and 評価シート.

Sheets are versioned: a re-assessment or a re-plan creates a new row with the next `number`;
older rows are read-only. `lock_version` is the optimistic lock: every update is a conditional
UPDATE on it (see `cases.services.support`), so two editors never overwrite each other.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import jpdates
from cases.choices import ClosureReason, IssueCategory, Route


class ConsulterKind(models.TextChoices):
    SELF = "self", _("本人")
    FAMILY = "family", _("家族")
    AGENCY = "agency", _("関係機関")
    NEIGHBOUR = "neighbour", _("近隣・地域住民")
    MINSEI = "minsei", _("民生委員")
    OTHER = "other", _("その他")


class CareLevel(models.TextChoices):
    NONE = "none", _("非該当・未申請")
    APPLYING = "applying", _("申請中")
    SUPPORT1 = "support1", _("要支援1")
    SUPPORT2 = "support2", _("要支援2")
    CARE1 = "care1", _("要介護1")
    CARE2 = "care2", _("要介護2")
    CARE3 = "care3", _("要介護3")
    CARE4 = "care4", _("要介護4")
    CARE5 = "care5", _("要介護5")
    UNKNOWN = "unknown", _("不明")


class HousingType(models.TextChoices):
    OWNED = "owned", _("持ち家")
    PRIVATE_RENT = "private_rent", _("民間賃貸")
    PUBLIC_RENT = "public_rent", _("公営住宅")
    COMPANY = "company", _("社宅・寮")
    FACILITY = "facility", _("施設")
    UNSTABLE = "unstable", _("住まいが不安定(ネットカフェ・知人宅等)")
    OTHER = "other", _("その他")
    UNKNOWN = "unknown", _("不明")


class WorkStatus(models.TextChoices):
    EMPLOYED = "employed", _("就労(正規)")
    PART_TIME = "part_time", _("就労(非正規・短時間)")
    SEEKING = "seeking", _("求職中")
    NOT_WORKING = "not_working", _("非就労")
    RETIRED = "retired", _("退職・年金生活")
    STUDENT = "student", _("学生")
    UNKNOWN = "unknown", _("不明")


class SchoolStatus(models.TextChoices):
    NA = "na", _("該当なし")
    ATTENDING = "attending", _("在学(通学)")
    ABSENT = "absent", _("不登校・休みがち")
    LEAVE = "leave", _("休学")
    DROPPED = "dropped", _("中退")


class RiskLevel(models.TextChoices):
    URGENT = "urgent", _("緊急")
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class AssessmentQuerySet(models.QuerySet):
    def latest_per_case(self):
        return self.filter(superseded_at__isnull=True)


class Assessment(models.Model):
    """インテーク・アセスメントシート. The reportable core as fields; the rest as narrative."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    number = models.PositiveSmallIntegerField(_("版"), default=1)
    assessed_on = models.DateField(_("アセスメント日"), default=timezone.localdate)
    author = models.ForeignKey(
        "agencies.User", verbose_name=_("記入者"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("記入機関"), on_delete=models.PROTECT, related_name="+"
    )
    # 1. 相談経路・相談者
    route = models.CharField(_("相談経路"), max_length=20, choices=Route.choices, blank=True)
    consulter_kind = models.CharField(
        _("相談者"), max_length=20, choices=ConsulterKind.choices, blank=True
    )
    consulter_note = models.CharField(_("相談者(補足)"), max_length=200, blank=True)
    chief_complaint = models.TextField(_("主訴・相談内容"), blank=True)
    # 2. 基本情報・世帯 (persons and household members are referenced, not copied)
    principal = models.ForeignKey(
        "cases.Person",
        verbose_name=_("本人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household_note = models.TextField(_("世帯の状況"), blank=True)
    life_history = models.TextField(_("生活歴"), blank=True)
    # 3. 健康・障がい・介護
    care_level = models.CharField(
        _("要介護度"), max_length=20, choices=CareLevel.choices, blank=True
    )
    cert_physical = models.BooleanField(_("身体障害者手帳"), default=False)
    cert_intellectual = models.BooleanField(_("療育手帳"), default=False)
    cert_mental = models.BooleanField(_("精神障害者保健福祉手帳"), default=False)
    health_note = models.TextField(_("健康・障がい・介護の状況"), blank=True)
    # 4. 経済
    income_work = models.BooleanField(_("就労収入あり"), default=False)
    income_pension = models.BooleanField(_("年金収入あり"), default=False)
    on_welfare = models.BooleanField(_("生活保護受給"), default=False)
    other_benefits = models.BooleanField(_("その他の手当・給付あり"), default=False)
    has_debts = models.BooleanField(_("債務あり"), default=False)
    has_arrears = models.BooleanField(_("滞納あり(税・公共料金・家賃等)"), default=False)
    economy_note = models.TextField(_("収入・債務・滞納の状況"), blank=True)
    # 5. 住まい
    housing_type = models.CharField(
        _("住まいの種類"), max_length=20, choices=HousingType.choices, blank=True
    )
    housing_problem = models.BooleanField(_("住まいの課題あり"), default=False)
    housing_note = models.TextField(_("住まいの状況"), blank=True)
    # 6. 就労・就学
    work_status = models.CharField(
        _("本人の就労状況"), max_length=20, choices=WorkStatus.choices, blank=True
    )
    school_status = models.CharField(
        _("世帯の子の就学状況"), max_length=20, choices=SchoolStatus.choices, blank=True
    )
    work_school_note = models.TextField(_("就労・就学の状況"), blank=True)
    # 7. 社会関係 (structured rows in AssessmentRelation feed the ecomap)
    social_note = models.TextField(_("社会関係・地域とのつながり"), blank=True)
    # 8–11. 希望・強み・緊急性・見立て
    wishes = models.TextField(_("本人・世帯の希望"), blank=True)
    strengths = models.TextField(_("強み(ストレングス)"), blank=True)
    risk_level = models.CharField(
        _("緊急性・リスク"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    risk_note = models.TextField(_("緊急性・リスクの内容"), blank=True)
    view = models.TextField(_("アセスメント(見立て)"), blank=True)
    superseded_at = models.DateTimeField(
        _("再アセスメントにより旧版となった日時"), null=True, blank=True
    )
    lock_version = models.PositiveIntegerField(_("更新番号"), default=1)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    objects = AssessmentQuerySet.as_manager()

    # Fields compared between versions and copied into a re-assessment, in form order.
    CONTENT_FIELDS = [
        "assessed_on",
        "route",
        "consulter_kind",
        "consulter_note",
        "chief_complaint",
        "principal",
        "household_note",
        "life_history",
        "care_level",
        "cert_physical",
        "cert_intellectual",
        "cert_mental",
        "health_note",
        "income_work",
        "income_pension",
        "on_welfare",
        "other_benefits",
        "has_debts",
        "has_arrears",
        "economy_note",
        "housing_type",
        "housing_problem",
        "housing_note",
        "work_status",
        "school_status",
        "work_school_note",
        "social_note",
        "wishes",
        "strengths",
        "risk_level",
        "risk_note",
        "view",
    ]

    class Meta:
        verbose_name = _("インテーク・アセスメントシート")
        verbose_name_plural = _("インテーク・アセスメントシート")
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="assessment_number_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}-A{self.number}"

    def audit_label(self) -> str:
        return f"assessment:{self.public_id}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class AssessmentIssue(models.Model):
    """One line of the issue checklist: a household member (or the household) and a category."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("アセスメント"), on_delete=models.CASCADE, related_name="issues"
    )
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("世帯員"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空欄は世帯全体の課題"),
    )
    category = models.CharField(_("課題の分類"), max_length=20, choices=IssueCategory.choices)
    note = models.CharField(_("内容"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("課題チェック")
        verbose_name_plural = _("課題チェック")
        ordering = ["assessment", "person_id", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "person", "category"], name="assessment_issue_once"
            ),
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class AssessmentRelation(models.Model):
    """社会関係: an agency or a person around the household (the ecomap's data)."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("支援機関")
        PERSON = "person", _("親族・知人")
        COMMUNITY = "community", _("地域(町会・居場所・民生委員等)")
        WORK_SCHOOL = "work_school", _("職場・学校")
        OTHER = "other", _("その他")

    class Strength(models.TextChoices):
        STRONG = "strong", _("強いつながり")
        NORMAL = "normal", _("普通")
        WEAK = "weak", _("弱い・途切れがち")
        STRESSFUL = "stressful", _("緊張・対立")

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("アセスメント"),
        on_delete=models.CASCADE,
        related_name="relations",
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("名称・続柄"), max_length=100)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("機関"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    strength = models.CharField(
        _("関係"), max_length=20, choices=Strength.choices, default=Strength.NORMAL
    )
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("社会関係")
        verbose_name_plural = _("社会関係")
        ordering = ["assessment", "kind", "pk"]

    def __str__(self) -> str:
        return self.label


class PlanQuerySet(models.QuerySet):
    def submitted(self):
        """The agenda queue: plans waiting for a meeting's approval."""
        return self.filter(status=Plan.Status.SUBMITTED)

    def approved(self):
        return self.filter(status=Plan.Status.APPROVED)

    def current(self):
        return self.exclude(status=Plan.Status.SUPERSEDED)


class Plan(models.Model):
    """プランシート: one shape for 多機関協働, 参加支援 and アウトリーチ (the `programme` field)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("作成中")
        SUBMITTED = "submitted", _("会議提出済み")
        APPROVED = "approved", _("承認済み")
        SUPERSEDED = "superseded", _("旧版")

    class ConsentMethod(models.TextChoices):
        WRITTEN = "written", _("書面(署名)")
        ORAL = "oral", _("口頭")
        PROXY = "proxy", _("代理人")

    PROGRAMMES = ("multiagency", "participation", "outreach")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        on_delete=models.CASCADE,
        related_name="plans",
    )
    programme = models.CharField(
        _("事業"),
        max_length=20,
        default="multiagency",
        choices=[
            ("multiagency", _("多機関協働事業")),
            ("participation", _("参加支援事業")),
            ("outreach", _("アウトリーチ等事業")),
        ],
    )
    number = models.PositiveSmallIntegerField(_("版"), default=1)
    status = models.CharField(
        _("状態"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("もとにしたアセスメント"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    author = models.ForeignKey(
        "agencies.User", verbose_name=_("作成者"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("作成機関"), on_delete=models.PROTECT, related_name="+"
    )
    drafted_on = models.DateField(_("作成日"), default=timezone.localdate)
    wishes = models.TextField(_("本人・世帯の望む暮らし"), blank=True)
    overall_goal = models.TextField(_("総合的な目標"), blank=True)
    policy = models.TextField(_("支援の方針"), blank=True)
    period_start = models.DateField(_("支援期間(開始)"), null=True, blank=True)
    period_end = models.DateField(_("支援期間(終了)"), null=True, blank=True)
    next_monitoring_on = models.DateField(_("次回モニタリング予定日"), null=True, blank=True)
    consent_on = models.DateField(_("プランへの同意日"), null=True, blank=True)
    consent_method = models.CharField(
        _("同意の方法"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    consent_note = models.CharField(_("同意の補足"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("提出者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    meeting_on = models.DateField(_("会議日"), null=True, blank=True)
    decision_note = models.TextField(_("会議の決定・修正事項"), blank=True)
    approved_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("決定の記録者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("承認の記録日時"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("旧版となった日時"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("更新番号"), default=1)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    objects = PlanQuerySet.as_manager()

    CONTENT_FIELDS = [
        "programme",
        "drafted_on",
        "wishes",
        "overall_goal",
        "policy",
        "period_start",
        "period_end",
        "next_monitoring_on",
        "consent_on",
        "consent_method",
        "consent_note",
    ]

    class Meta:
        verbose_name = _("プランシート")
        verbose_name_plural = _("プランシート")
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="plan_number_per_case"),
            models.UniqueConstraint(
                fields=["case", "programme"],
                condition=Q(status="approved"),
                name="one_approved_plan_per_programme",
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="plan_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"P{self.number}"

    def audit_label(self) -> str:
        return f"plan:{self.public_id}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class PlanItem(models.Model):
    """One row of the plan: issue → goal → action → responsible agency/staff → frequency → due."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("プラン"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("順番"), default=0)
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("対象の世帯員"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(
        _("課題の分類"), max_length=20, choices=IssueCategory.choices, blank=True
    )
    issue = models.CharField(_("課題"), max_length=300)
    goal = models.CharField(_("目標"), max_length=300)
    action = models.TextField(_("支援内容"))
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("担当機関"),
        on_delete=models.PROTECT,
        related_name="plan_items",
    )
    staff = models.ForeignKey(
        "agencies.User",
        verbose_name=_("担当者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_items",
    )
    frequency = models.CharField(_("頻度"), max_length=50, blank=True)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    # An item added by a meeting's role assignment (役割分担): the agenda item's opaque reference
    # (as CaseTransition.via_item) and which meeting decided it, kept when the plan is copied
    # into a new version so the plan always says where the row came from.
    via_item = models.CharField(_("会議の議題"), max_length=100, blank=True)
    via_label = models.CharField(_("決定した会議"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("プランの項目")
        verbose_name_plural = _("プランの項目")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.issue[:30]

    @property
    def via_url(self) -> str:
        """The agenda item page of the meeting that added this row ('' for rows written on the
        sheet, or when the meetings app is not installed)."""
        prefix = "meetings.agendaitem:"
        if not self.via_item.startswith(prefix):
            return ""
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse("meetings:item_detail", args=[self.via_item.removeprefix(prefix)])
        except NoReverseMatch:
            return ""


class Monitoring(models.Model):
    """モニタリング: progress of one plan item on a date, with the next date."""

    class Progress(models.TextChoices):
        ON_TRACK = "on_track", _("順調")
        PARTIAL = "partial", _("一部遅れ")
        STALLED = "stalled", _("停滞")
        ACHIEVED = "achieved", _("達成")
        STOPPED = "stopped", _("中止・変更が必要")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(
        PlanItem,
        verbose_name=_("プランの項目"),
        on_delete=models.CASCADE,
        related_name="monitorings",
    )
    monitored_on = models.DateField(_("モニタリング日"), default=timezone.localdate)
    progress = models.CharField(_("進捗"), max_length=12, choices=Progress.choices)
    note = models.TextField(_("状況"), blank=True)
    next_on = models.DateField(_("次回予定日"), null=True, blank=True)
    author = models.ForeignKey(
        "agencies.User", verbose_name=_("記入者"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("記入機関"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("モニタリング")
        verbose_name_plural = _("モニタリング")
        ordering = ["item", "-monitored_on", "-pk"]

    def __str__(self) -> str:
        return f"{jpdates.format_date(self.monitored_on)} {self.get_progress_display()}"

    def audit_label(self) -> str:
        return f"monitoring:{self.public_id}"


class EvaluationQuerySet(models.QuerySet):
    def ready(self):
        """The agenda queue: evaluations ready for a meeting's decision."""
        return self.filter(status=Evaluation.Status.READY)


class Evaluation(models.Model):
    """評価シート: achievement per plan item, change, overall evaluation and the decision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("作成中")
        READY = "ready", _("会議提出済み")
        DECIDED = "decided", _("決定済み")

    class Decision(models.TextChoices):
        CLOSE = "close", _("終結")
        CONTINUE = "continue", _("継続")
        REPLAN = "replan", _("再プラン")
        HAND_BACK = "hand_back", _("つなぎもどし")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("評価するプラン"), on_delete=models.PROTECT, related_name="evaluations"
    )
    number = models.PositiveSmallIntegerField(_("回"), default=1)
    status = models.CharField(
        _("状態"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    evaluated_on = models.DateField(_("評価日"), default=timezone.localdate)
    author = models.ForeignKey(
        "agencies.User", verbose_name=_("記入者"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("記入機関"), on_delete=models.PROTECT, related_name="+"
    )
    change_note = models.TextField(_("本人・世帯の変化"), blank=True)
    overall = models.TextField(_("総合評価"), blank=True)
    proposed_decision = models.CharField(
        _("提案する方針"), max_length=12, choices=Decision.choices, blank=True
    )
    proposed_lead_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("終結後の主担当(案)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(_("決定"), max_length=12, choices=Decision.choices, blank=True)
    lead_agency_after = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("終結後の主担当"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closure_reason = models.CharField(
        _("終結理由"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    meeting_on = models.DateField(_("会議日"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("決定の記録者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("決定の記録日時"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("更新番号"), default=1)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    objects = EvaluationQuerySet.as_manager()

    CONTENT_FIELDS = [
        "evaluated_on",
        "change_note",
        "overall",
        "proposed_decision",
        "proposed_lead_agency",
    ]

    class Meta:
        verbose_name = _("評価シート")
        verbose_name_plural = _("評価シート")
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="evaluation_number_per_case"),
            models.CheckConstraint(
                condition=~Q(decision="close") | Q(lead_agency_after__isnull=False),
                name="closing_evaluation_names_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"E{self.number}"

    def audit_label(self) -> str:
        return f"evaluation:{self.public_id}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class EvaluationItem(models.Model):
    class Achievement(models.TextChoices):
        ACHIEVED = "achieved", _("達成")
        PARTIAL = "partial", _("一部達成")
        NOT_ACHIEVED = "not_achieved", _("未達成")

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("評価"), on_delete=models.CASCADE, related_name="items"
    )
    plan_item = models.ForeignKey(
        PlanItem, verbose_name=_("プランの項目"), on_delete=models.PROTECT, related_name="+"
    )
    achievement = models.CharField(
        _("達成度"), max_length=15, choices=Achievement.choices, blank=True
    )
    note = models.TextField(_("評価・所見"), blank=True)

    class Meta:
        verbose_name = _("項目ごとの評価")
        verbose_name_plural = _("項目ごとの評価")
        ordering = ["evaluation", "plan_item__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "plan_item"], name="evaluation_item_once"
            ),
        ]

    def __str__(self) -> str:
        return self.get_achievement_display() or "-"
