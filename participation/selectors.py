"""Reads of 参加支援, always starting from what the user may see. Pages cost a fixed number of
queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _

from agencies.paging import FirstPageCountingPaginator
from cases.models import HouseholdMember, Person, SupportCase
from cases.policy.persons import person_decisions
from cases.policy.support import visible_case_filter
from cases.selectors.support import cases_visible_to

from .matching import PersonFacts
from .models import ParticipationAssessment


def participation_cases(user):
    """Cases the user sees that involve 参加支援 (programme chosen, or a participation sheet)."""
    return cases_visible_to(user).filter(
        Q(programmes__includes="participation")
        # EXISTS, not a join + DISTINCT over whole case rows.
        | Exists(ParticipationAssessment.objects.filter(case_id=OuterRef("pk")))
    )


@dataclass
class CaseRow:
    case: SupportCase
    assessments: list = field(default_factory=list)
    placements: list = field(default_factory=list)


CASELOAD_PAGE_SIZE = 50


def caseload(user, page: int | str | None = 1) -> tuple[list[CaseRow], Page]:
    """One page of the open 参加支援 cases the user sees, newest first, with their current
    assessments and placements (a fixed number of queries per page)."""
    qs = (
        participation_cases(user)
        .open()
        .select_related("lead_agency", "coordinator")
        .prefetch_related(
            Prefetch(
                "participation_assessments",
                queryset=ParticipationAssessment.objects.current(),
                to_attr="current_participation_assessments",
            )
        )
        .order_by("-opened_on", "-pk")
    )
    page_obj = FirstPageCountingPaginator(qs, CASELOAD_PAGE_SIZE).get_page(page)
    rows = [CaseRow(case=c, assessments=c.current_participation_assessments) for c in page_obj]
    _attach_placements(rows)
    return rows, page_obj


# What the caseload prints of a placement: its link, place and status. Reading every column of
# the place made PostgreSQL hash all 2,070 places of the city to join 96 placements (4.5 → 1.9 ms
# at city scale).
PLACEMENT_ROW = ("public_id", "case_id", "status", "created_at", "resource__name")


def _attach_placements(rows: list[CaseRow]) -> None:
    """Placements of the listed cases in one query."""
    from .models import Placement

    by_case: dict[int, list] = {}
    for p in (
        Placement.objects.filter(case__in=[r.case for r in rows])
        .select_related("resource")
        .only(*PLACEMENT_ROW)
        .order_by("-created_at")
    ):
        by_case.setdefault(p.case_id, []).append(p)
    for r in rows:
        r.placements = by_case.get(r.case.pk, [])


def case_persons(case: SupportCase):
    """Persons a participation sheet may be about: the case's members."""
    ids = set(case.persons.values_list("pk", flat=True))
    ids |= set(
        HouseholdMember.objects.current()
        .filter(household_id=case.household_id)
        .values_list("person_id", flat=True)
    )
    if case.principal_id:
        ids.add(case.principal_id)
    return Person.objects.filter(pk__in=ids).order_by("pk")


@dataclass
class CasePage:
    assessments: list
    old_assessments: list
    names: dict
    placements: list = field(default_factory=list)
    gaps: list = field(default_factory=list)
    plans: list = field(default_factory=list)


def person_names(user, persons) -> dict[int, str]:
    """Names of persons the user may see; others are shown as 世帯員(氏名非表示)."""
    persons = list({p.pk: p for p in persons}.values())
    decisions = person_decisions(user, persons)
    return {
        p.pk: (p.full_name if decisions[p.pk].allowed else _("世帯員(氏名非表示)")) for p in persons
    }


def case_page(user, case: SupportCase) -> CasePage:
    sheets = list(
        ParticipationAssessment.objects.filter(case=case)
        .select_related("person", "author", "agency")
        .order_by("person_id", "-number")
    )
    current = [a for a in sheets if a.is_current]
    page = CasePage(
        assessments=current,
        old_assessments=[a for a in sheets if not a.is_current],
        names=person_names(user, [a.person for a in sheets]),
        plans=list(case.plans.filter(programme="participation").order_by("-number")),
    )
    _case_page_placements(user, case, page)
    return page


def _case_page_placements(user, case, page: CasePage) -> None:
    from .models import Placement, ResourceGap

    page.placements = list(
        Placement.objects.filter(case=case)
        .select_related("resource", "person")
        .order_by("-created_at")
    )
    page.gaps = list(
        ResourceGap.objects.filter(case=case)
        .select_related("community_issue", "resource")
        .order_by("-recorded_on", "-pk")
    )
    page.names.update(person_names(user, [p.person for p in page.placements]))


def assessment_versions(a: ParticipationAssessment) -> list[ParticipationAssessment]:
    return list(
        ParticipationAssessment.objects.filter(case_id=a.case_id, person_id=a.person_id)
        .only("public_id", "number", "assessed_on", "superseded_at")
        .order_by("-number")
    )


def _yes(value: bool) -> str:
    return _("はい") if value else _("いいえ")


def assessment_sections(a: ParticipationAssessment) -> list[tuple[str, list[tuple[str, str]]]]:
    """The sheet as (heading, [(label, value)]) for the page and the print."""
    hours = ""
    if a.hours_from or a.hours_to:
        hours = "{}〜{}".format(
            a.hours_from.strftime("%H:%M") if a.hours_from else "",
            a.hours_to.strftime("%H:%M") if a.hours_to else "",
        )
    f = ParticipationAssessment._meta.get_field

    def label(name):
        return str(f(name).verbose_name)

    return [
        (
            _("関心・強み・経験"),
            [
                (label("interests"), "、".join(a.interest_labels())),
                (label("interests_note"), a.interests_note),
                (label("strengths"), a.strengths),
                (label("past_work"), a.past_work),
            ],
        ),
        (
            _("配慮すること(健康・時間・移動・人への不安)"),
            [
                (label("health"), a.health),
                (label("physical"), a.get_physical_display()),
                (label("days"), a.day_labels()),
                (_("通える時間"), hours),
                (
                    label("max_hours_per_session"),
                    "" if a.max_hours_per_session is None else f"{a.max_hours_per_session:g}",
                ),
                (label("transport"), "、".join(a.transport_labels())),
                (
                    label("max_travel_km"),
                    "" if a.max_travel_km is None else f"{a.max_travel_km:g}",
                ),
                (label("bus_lines"), a.bus_lines),
                (label("withdrawal"), _yes(a.withdrawal)),
                (label("anxiety"), a.get_anxiety_display()),
                (label("anxiety_note"), a.anxiety_note),
                (
                    label("max_cost_yen"),
                    "" if a.max_cost_yen is None else f"{a.max_cost_yen:,}",
                ),
            ],
        ),
        (
            _("本人の希望と世帯"),
            [
                (label("wishes"), a.wishes),
                (label("role_wish"), a.get_role_wish_display()),
                (label("wants_income"), _yes(a.wants_income)),
                (label("household_needs"), a.household_needs),
                (label("view"), a.view),
            ],
        ),
    ]


def person_facts(a: ParticipationAssessment) -> PersonFacts:
    """What the matching needs from the sheet (and the person's age)."""
    home = None
    if a.home_lat is not None and a.home_lng is not None:
        home = (float(a.home_lat), float(a.home_lng))
    return PersonFacts(
        interests=frozenset(a.interests),
        age=a.person.age() if a.person.birth_date else None,
        home=home,
        area_id=a.person.area_id,
        bus_lines=a.bus_line_set(),
        transport=frozenset(a.transport),
        max_travel_km=float(a.max_travel_km) if a.max_travel_km is not None else None,
        days=frozenset(int(d) for d in a.days),
        hours_from=a.hours_from,
        hours_to=a.hours_to,
        max_hours_per_session=(
            float(a.max_hours_per_session) if a.max_hours_per_session is not None else None
        ),
        role_wish=a.role_wish,
        withdrawal=a.withdrawal,
        anxiety=a.anxiety,
        wants_income=a.wants_income,
        max_cost_yen=a.max_cost_yen,
        physical=a.physical,
    )


def visible_outcomes(user) -> list[tuple[str, int]]:
    """Ended placements by outcome over the cases the user sees (persons counted once)."""
    from .choices import Outcome
    from .models import Placement
    from .selectors_matching import outcome_counts

    # The case ids straight from the visibility (an index lookup per id), not `case IN (cases
    # visible)`: that read each visible case again to probe its placements (3.8 → 1.7 ms for a
    # 参加支援 worker's 1,569 cases at city scale).
    counts = outcome_counts(Placement.objects.filter(visible_case_filter(user, prefix="case__")))
    return [(str(label), counts[code]) for code, label in Outcome.choices if counts.get(code)]
