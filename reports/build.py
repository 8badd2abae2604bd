"""The annual report of a fiscal year as of a date: every registered figure with its value, the
year's target and the rate, grouped by programme, with the municipality profile and the
narrative fields. Outputs (JSON, CSV, XLSX, PDF, the national form) all read this one object,
so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone

from agencies.choices import Programme

from .figures import Figure, Period, all_figures
from .figures.registry import figure_cache
from .models import MunicipalityProfile, ReportNarrative, Target

# The five programmes of 重層的支援体制整備事業, in the report's order.
PROGRAMMES = (
    Programme.CONSULTATION,
    Programme.MULTIAGENCY,
    Programme.OUTREACH,
    Programme.PARTICIPATION,
    Programme.COMMUNITY,
)


@dataclass
class FigureRow:
    figure: Figure
    value: int | Decimal | None
    target: Target | None = None
    breakdown: list[FigureRow] = field(default_factory=list)

    @property
    def target_value(self) -> Decimal | None:
        t = self.target
        return t.value if t is not None and t.kind == Target.Kind.QUANTITATIVE else None

    @property
    def target_text(self) -> str:
        return self.target.text if self.target is not None else ""

    @property
    def rate(self) -> Decimal | None:
        """Actual / target in percent (one decimal), for numeric targets only."""
        if self.target_value in (None, 0) or self.value is None:
            return None
        return (Decimal(self.value) * 100 / self.target_value).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclass
class Section:
    programme: str
    label: str
    rows: list[FigureRow]


@dataclass
class AnnualReport:
    period: Period
    sections: list[Section]
    profile: MunicipalityProfile | None
    narrative: ReportNarrative | None
    tables: list = field(default_factory=list)  # CrossTables (reports.tables)
    generated_at: object = field(default_factory=timezone.now)

    @property
    def fiscal_year(self) -> int:
        return self.period.fiscal_year

    @property
    def as_of(self):
        return self.period.as_of

    def rows(self):
        """Every figure row, breakdowns after their parent."""
        for section in self.sections:
            for row in section.rows:
                yield row
                yield from row.breakdown

    def row(self, code: str) -> FigureRow | None:
        return next((r for r in self.rows() if r.figure.code == code), None)

    def targets(self) -> list[FigureRow]:
        return [r for r in self.rows() if r.target is not None]


def build_annual_report(
    fiscal_year: int, as_of=None, *, programmes=None, progress=None
) -> AnnualReport:
    """`progress(fraction)` is called after each programme (for the job's progress bar)."""
    period = Period.of(fiscal_year, as_of)
    from .tables import persons_by_area_and_age, places_by_area_and_kind

    targets = {t.figure_code: t for t in Target.objects.filter(fiscal_year=fiscal_year)}
    with transaction.atomic(), figure_cache():
        if connection.vendor == "postgresql":
            # The figures' subqueries have high cost estimates, so PostgreSQL compiles them with
            # JIT — about 2 s per query at city scale, more than running them. Off for this
            # read-only transaction (the web's connections have it off already, see settings).
            # The report scans whole tables: parallel workers, off for pages, help here.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        sections = _sections(period, targets, programmes, progress)
        tables = [persons_by_area_and_age(period), places_by_area_and_kind(period)]
    return AnnualReport(
        period=period,
        sections=sections,
        tables=tables,
        profile=MunicipalityProfile.objects.filter(fiscal_year=fiscal_year).first(),
        narrative=ReportNarrative.objects.filter(fiscal_year=fiscal_year).first(),
    )


def _sections(period, targets, programmes, progress) -> list[Section]:
    sections = []
    for programme in PROGRAMMES:
        if programmes and programme.value not in programmes:
            continue
        figures = all_figures(programme.value)
        if not figures:
            continue
        by_code = {}
        rows = []
        for figure in figures:
            row = FigureRow(figure, figure.value(period), targets.get(figure.code))
            by_code[figure.code] = row
            parent = by_code.get(figure.group) if figure.group else None
            if parent is not None:
                parent.breakdown.append(row)
            else:
                rows.append(row)
        sections.append(Section(programme.value, str(programme.label), rows))
        if progress is not None:
            progress((PROGRAMMES.index(programme) + 1) / len(PROGRAMMES))
    return sections


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def report_json(report: AnnualReport) -> dict:
    """The figures as JSON (the API's body and `annual_report --format json`)."""
    return {
        "fiscal_year": report.fiscal_year,
        "fiscal_year_label": report.period.label,
        "as_of": report.as_of.isoformat(),
        "figures": [
            {
                "code": r.figure.code,
                "label": str(r.figure.label),
                "programme": r.figure.programme,
                "group": r.figure.group,
                "basis": r.figure.basis,
                "unit": r.figure.unit,
                "basis_label": r.figure.basis_text,
                "value": _number(r.value),
                "target": _number(r.target_value),
                "target_text": r.target_text,
                "rate": _number(r.rate),
            }
            for r in report.rows()
        ],
    }
