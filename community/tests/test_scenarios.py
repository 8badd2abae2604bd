"""The issue's done-when scenarios, end to end through the services."""

import datetime as dt

import pytest
from django.utils import timezone

from agencies.choices import Role
from agencies.tests.factories import staff
from cases.tests.factories import multiagency_agency, open_case
from cases.timeline import timeline_for
from community import selectors
from community import services_activity as sa
from community.choices import ProgramKind
from community.models import Resource
from community.services import resource_create


def _months_back(n: int) -> list[dt.date]:
    today = timezone.localdate()
    out = []
    y, m = today.year, today.month
    for _ in range(n):
        out.append(dt.date(y, m, 1) + dt.timedelta(days=9))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return [d for d in reversed(out) if d <= today]


def test_kodomo_shokudo_course_leads_to_two_new_places_with_monthly_sessions(w):
    """「子ども食堂を作ろう」 (山形: ~70 participants, new 食堂 opened; 玉村: 2 opened)."""
    course = sa.program_create(
        actor=w.csw,
        kind=ProgramKind.COURSE,
        name="子ども食堂を作ろう",
        organiser=w.shakyo,
        started_on=timezone.localdate() - dt.timedelta(days=200),
    )
    lecture = sa.program_session_record(
        actor=w.csw,
        program=course,
        held_on=timezone.localdate() - dt.timedelta(days=190),
        title="立ち上げ講座",
        participants=70,
        organisations=12,
        issues_raised="会場と食材の確保、衛生講習",
    )
    places = []
    for name, area in (("山の子食堂", w.north), ("たまむら子ども食堂", w.south)):
        places.append(
            resource_create(
                actor=w.csw,
                name=name,
                kind="shokudo",
                area=area,
                operator_kind="residents",
                resident_run=True,
                schedule="monthly",
                target_groups=["children", "parents"],
                functions=["food", "exchange"],
                start_date=timezone.localdate() - dt.timedelta(days=150),
                origin_program=course,
            )
        )
    volunteers = []
    for n in range(6):
        v = sa.volunteer_register(
            actor=w.csw,
            name=f"受講者{n}",
            coordinator_agency=w.shakyo,
            skills="料理、配膳",
            registered_on=lecture.held_on,  # at the course: training and help come after
        )
        sa.volunteer_add_training(
            actor=w.csw,
            volunteer=v,
            kind="shokudo",
            taken_on=lecture.held_on,
            program_session=lecture,
        )
        volunteers.append(v)
    months = _months_back(4)
    for place in places:
        for day in months:
            s = sa.session_record(
                actor=w.csw,
                resource=place,
                held_on=day,
                age_under10=18,
                age_10s=4,
                age_30s=6,
                age_70s=2,
                attr_child=22,
                attr_elderly=2,
                attr_other=6,
                volunteers=3,
                volunteer_hours=9,
            )
            for v in volunteers[:3] if place is places[0] else volunteers[3:]:
                sa.volunteer_log_activity(
                    actor=w.csw, volunteer=v, done_on=s.held_on, hours=3, resource=place
                )

    assert course.sessions.get().participants == 70
    assert set(course.created_resources.all()) == set(places)
    start, end = selectors.current_fy_range()
    new_shokudo = Resource.objects.places().filter(kind="shokudo")
    assert new_shokudo.count() == 2
    for place in places:
        assert place.sessions.count() == len(months)
        assert len({(s.held_on.year, s.held_on.month) for s in place.sessions.all()}) == len(months)
        assert place.volunteer_activities.values("volunteer").distinct().count() == 3
        assert place.sessions.first().participants == 30
    assert lecture.trainees.count() == 6


def test_engawa_host_passes_a_kizuki_and_the_places_consultations_go_up_by_one(w):
    engawa = resource_create(
        actor=w.csw,
        name="まちの縁側 わかば",
        kind="engawa",
        area=w.north,
        small_area=w.north_1,
        schedule="permanent",
        functions=["exchange", "consultation"],
        target_groups=["all"],
        mixes_generations=True,
        csw=w.csw,
    )
    before = selectors.consultations_arising(engawa)
    concern = sa.place_concern_submit(
        actor=w.resident,
        resource=engawa,
        to_agency=w.shakyo,
        subject_description="毎日来ていた80代の女性",
        noticed="この2週間来ていない。近所の方も姿を見ていない",
    )
    assert concern.concern_slip.to_agency == w.shakyo
    assert concern.concern_slip.location == engawa.name
    assert selectors.consultations_arising(engawa) == before  # a 気づき is not yet a consultation
    consultation = _consultation(w)
    sa.place_concern_link_consultation(actor=w.csw, concern=concern, consultation=consultation)
    assert selectors.consultations_arising(engawa) == before + 1
    start, end = selectors.current_fy_range()
    assert selectors.place_figures(engawa, start=start, end=end).consultations_arising == 1


def _consultation(w):
    from cases.tests.factories import ConsultationFactory

    return ConsultationFactory(agency=w.shakyo, staff=w.csw, route="ibasho")


def test_a_cases_resource_gap_becomes_an_issue_then_a_place_linked_both_ways(w):
    body = multiagency_agency()
    coordinator = staff(body, Role.COORDINATOR)
    case = open_case(coordinator=coordinator, agency=body)
    issue = sa.community_issue_raise(
        actor=coordinator,
        title="50代のひきこもりの人が日中通える場がない",
        source_case=case,
        area=w.north,
        owner_agency=w.shakyo,
    )
    assert issue.source == "case" and issue.case == case
    sa.issue_action_add(
        actor=w.csw,
        issue=issue,
        title="農家と法人に畑作業の受け入れを相談",
        owner_agency=w.shakyo,
        owner=w.csw,
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    issue.refresh_from_db()
    assert issue.status == "examining"
    farm = resource_create(
        actor=w.csw,
        name="わかば畑の居場所",
        kind="agri_welfare",
        area=w.north,
        host_experience=["withdrawal"],
        accepts_helpers=True,
    )
    sa.community_issue_link_resource(actor=w.csw, issue=issue, resource=farm)
    farm.refresh_from_db()
    issue.refresh_from_db()
    assert farm.origin_issue == issue
    assert list(issue.created_resources.all()) == [farm]
    assert issue.status == "resource_created"
    # The case shows the new place on its timeline.
    titles = [e.title for e in timeline_for(case, coordinator)]
    assert any(farm.name in t for t in titles)
    assert any(issue.title in t for t in titles)


def test_raising_an_issue_from_a_case_needs_access_to_the_case(w):
    from agencies.policy import PolicyDenied

    body = multiagency_agency()
    case = open_case(coordinator=staff(body, Role.COORDINATOR), agency=body)
    with pytest.raises(PolicyDenied):
        sa.community_issue_raise(actor=w.other, title="x", source_case=case)


def test_an_issues_action_goes_only_to_care_staff_of_its_agency(w):
    """A 民生委員 offered as 担当者 got an action on an issue they could not open (403)."""
    from django.core.exceptions import ValidationError

    from community.forms import IssueActionForm

    issue = sa.community_issue_raise(
        actor=w.csw, title="買い物の足がない", area=w.north, owner_agency=w.shakyo
    )
    assert w.resident not in IssueActionForm().fields["owner"].queryset
    assert w.csw in IssueActionForm().fields["owner"].queryset
    with pytest.raises(ValidationError) as exc:
        sa.issue_action_add(
            actor=w.csw,
            issue=issue,
            title="移動販売の相談",
            owner_agency=w.shakyo,
            owner=w.resident,
        )
    assert "owner" in exc.value.message_dict
    assert not issue.actions.exists()


def test_records_of_things_done_carry_no_future_date(w):
    """A volunteer registered, a 協議の場 held and an issue raised next year were saved, and the
    annual report then counted them."""
    from django.core.exceptions import ValidationError

    next_year = timezone.localdate() + dt.timedelta(days=60)
    with pytest.raises(ValidationError) as exc:
        sa.community_issue_raise(
            actor=w.csw, title="買い物の足がない", area=w.north, raised_on=next_year
        )
    assert "未来の日付" in exc.value.message_dict["raised_on"][0]
    with pytest.raises(ValidationError) as exc:
        sa.volunteer_register(
            actor=w.csw, name="ボラ 花子", coordinator_agency=w.shakyo, registered_on=next_year
        )
    assert "registered_on" in exc.value.message_dict
