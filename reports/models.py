"""What the municipality enters for its annual report: targets per figure, the municipality's
profile (one snapshot per fiscal year) and the narrative parts of the national report form.
The figures themselves are computed (reports.figures), never stored."""

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Target(models.Model):
    """成果目標: per fiscal year and figure, a number (量的) or a statement (質的)."""

    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("量的目標")
        QUALITATIVE = "qualitative", _("質的目標")

    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    figure_code = models.CharField(_("指標"), max_length=80)
    kind = models.CharField(_("目標の種類"), max_length=20, choices=Kind.choices)
    value = models.DecimalField(
        _("目標値"),
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    text = models.TextField(_("目標(文章)"), blank=True)
    note = models.CharField(_("備考"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    class Meta:
        verbose_name = _("成果目標")
        verbose_name_plural = _("成果目標")
        ordering = ["fiscal_year", "figure_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "figure_code"], name="one_target_per_figure_and_year"
            ),
            models.CheckConstraint(
                condition=~Q(kind="quantitative") | Q(value__isnull=False),
                name="quantitative_target_has_value",
            ),
            models.CheckConstraint(
                condition=~Q(kind="qualitative") | ~Q(text=""),
                name="qualitative_target_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.figure_code}"

    def audit_label(self) -> str:
        return f"target:{self.fiscal_year}:{self.figure_code}"


class MunicipalityProfile(models.Model):
    """自治体の基本情報 (報告様式 1-1, 1-2): one snapshot per fiscal year."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    population = models.PositiveIntegerField(_("人口(人)"), null=True, blank=True)
    households = models.PositiveIntegerField(_("世帯数(世帯)"), null=True, blank=True)
    aging_rate = models.DecimalField(
        _("高齢化率(%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    welfare_rate = models.DecimalField(
        _("生活保護受給率(%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    area_km2 = models.DecimalField(
        _("面積(km²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    neighbourhood_rate = models.DecimalField(
        _("地縁組織(自治会・町内会等)加入率(%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    elementary_schools = models.PositiveSmallIntegerField(
        _("公立小学校数(校)"), null=True, blank=True
    )
    junior_high_schools = models.PositiveSmallIntegerField(
        _("公立中学校数(校)"), null=True, blank=True
    )
    houkatsu_centres = models.CharField(
        _("地域包括支援センター(直営・委託の箇所数)"), max_length=200, blank=True
    )
    livelihood_agencies = models.CharField(
        _("生活困窮者自立相談支援事業(直営・委託の箇所数)"), max_length=200, blank=True
    )
    features = models.TextField(_("地域の特徴(地域性、地場産業、観光等)"), blank=True)
    as_of = models.DateField(_("基準日(人口等)"), null=True, blank=True)
    updated_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    class Meta:
        verbose_name = _("自治体の基本情報")
        verbose_name_plural = _("自治体の基本情報")
        ordering = ["-fiscal_year"]

    def __str__(self) -> str:
        return f"{self.fiscal_year}"

    def audit_label(self) -> str:
        return f"profile:{self.fiscal_year}"


class ReportNarrative(models.Model):
    """The written parts of the national report form (sections 2–5) for one fiscal year."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    aim = models.TextField(_("本事業に取り組む目的・狙い"), blank=True)
    change = models.TextField(_("本事業を通じて人と地域に起こしたい変化"), blank=True)
    community = models.TextField(
        _("地域づくり・参加支援・アウトリーチの取組(事業内容)"), blank=True
    )
    multiagency = models.TextField(_("多機関協働の取組(包括的な相談支援体制)"), blank=True)
    meetings = models.TextField(_("会議の開催方法(支援会議・重層的支援会議)"), blank=True)
    achievement = models.TextField(_("成果目標の達成状況"), blank=True)
    updated_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    class Meta:
        verbose_name = _("報告の記述欄")
        verbose_name_plural = _("報告の記述欄")
        ordering = ["-fiscal_year"]

    def __str__(self) -> str:
        return f"{self.fiscal_year}"

    def audit_label(self) -> str:
        return f"narrative:{self.fiscal_year}"


def report_file_path(instance, filename: str) -> str:
    return f"reports/{timezone.localdate():%Y}/{instance.public_id.hex}{filename[-5:]}"


class ReportJob(models.Model):
    """A report (or large export) built off the request by a Celery task. The file is kept for
    REPORTS_JOB_KEEP_HOURS and only the requester may download it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待機中")
        RUNNING = "running", _("作成中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失敗")
        EXPIRED = "expired", _("保存期間切れ")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (XLSX)"
        CSV = "csv", "CSV"
        PDF = "pdf", _("PDF(報告様式)")
        JSON = "json", "JSON"

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        "agencies.User", verbose_name=_("依頼者"), on_delete=models.PROTECT, related_name="+"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("基準日"))
    format = models.CharField(_("形式"), max_length=10, choices=Format.choices)
    public = models.BooleanField(_("公表用(少数秘匿)"), default=False)
    status = models.CharField(
        _("状態"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("進捗(%)"), default=0)
    file = models.FileField(_("ファイル"), upload_to=report_file_path, blank=True)
    error = models.CharField(_("エラー"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("依頼日時"), default=timezone.now)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    expires_at = models.DateTimeField(_("保存期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("報告の作成依頼")
        verbose_name_plural = _("報告の作成依頼")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_job_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.format} {self.status}"

    def audit_label(self) -> str:
        return f"report_job:{self.public_id}"

    @property
    def filename(self) -> str:
        from agencies import jpdates

        kind = "公表用" if self.public else "庁内限り"
        label = jpdates.fiscal_year_label(self.fiscal_year)
        return f"実績報告_{label}_{self.as_of:%Y%m%d}_{kind}.{self.format}"
