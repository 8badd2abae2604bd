"""Placements: the two done-when scenarios, transitions and their guards, activity days,
follow-up, occupancy, outcomes counted once, the follow-up reminder, gaps and permissions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from agencies.policy import can
from cases.services import support as case_svc
from cases.tests.factories import ConsentFactory, login_verified
from community.models import CommunityIssue
from community.tests.factories import ResourceFactory
from participation import services as svc
from participation import services_placements as ps
from participation.matching import rank
from participation.models import FollowUp
from participation.selectors import person_facts
from participation.selectors_matching import (
    catalogue_queryset,
    occupancy,
    outcome_counts,
    resource_facts,
)

from .factories import participation_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def farm(**kw):
    kw.setdefault("name", "農福連携ファーム みのり")
    kw.setdefault("kind", "agri_welfare")
    kw.setdefault("interest_tags", ["農作業"])
    kw.setdefault("host_experience", ["withdrawal"])
    kw.setdefault("accepts_helpers", True)
    kw.setdefault("capacity", 6)
    kw.setdefault("latitude", "35.727000")
    kw.setdefault("longitude", "139.500000")
    kw.setdefault("is_place", False)
    return ResourceFactory(**kw)


def cafe(**kw):
    kw.setdefault("name", "コミュニティカフェ ひだまり")
    kw.setdefault("kind", "cafe")
    kw.setdefault("interest_tags", ["接客", "調理"])
    kw.setdefault("host_experience", ["withdrawal", "youth"])
    kw.setdefault("capacity", 4)
    kw.setdefault("latitude", "35.700000")
    kw.setdefault("longitude", "139.500000")
    return ResourceFactory(**kw)


def sheet_for(w, **data):
    a = svc.assessment_create(case=w.case, person=w.person, actor=w.worker)
    return svc.assessment_update(assessment=a, actor=w.worker, lock_version=1, data=data)


def walk(p, actor, *steps):
    for to, on in steps:
        p = ps.placement_move(placement=p, actor=actor, to=to, on=on)
    return p


# --- scenario 1: the withdrawn man in his 50s ------------------------------------------------


def test_withdrawn_man_in_his_fifties_from_contacts_to_first_follow_ups(django_user_model):
    from meetings import services as meetings
    from meetings.choices import AgendaKind, BodyKind, Recurrence

    # No consent yet: only the 多機関協働 body works on the case.
    w = participation_world(summary="50代男性 20年のひきこもり 80代の母と同居")
    w.person.consents.all().delete()
    case = w.case
    # A bulk delete passes no signals: derive the case's grants again, as access_sync_grants does.
    from access.sync import sync_case

    sync_case(case)
    assert not can(w.worker, "case.view", case.__class__.objects.get(pk=case.pk))
    # contacts (アウトリーチの訪問・手紙) are logged on the case
    for n, kind in enumerate(["letter", "visit", "visit"]):
        case_svc.note_create(
            case=case,
            actor=w.coordinator,
            kind=kind,
            content=f"接触{n + 1}回目",
            minutes=30,
            staff_count=2,
        )
    # 支援会議 (art. 106-6): discussed without consent
    from agencies.choices import Role
    from agencies.tests.factories import staff

    supervisor = staff(w.body, Role.SUPERVISOR)
    body = meetings.body_create(
        actor=supervisor,
        name="支援会議(北部)",
        kind=BodyKind.SHIEN_KAIGI,
        convenor=w.body,
        recurrence=Recurrence.MONTHLY_WEEKDAY,
        recur_week=3,
        recur_weekday=2,
    )
    member = meetings.member_add(body=body, actor=supervisor, user=w.coordinator)
    meetings.pledge_record(member=member, actor=supervisor, signed_on=TODAY)
    meeting = meetings.meeting_schedule(
        body=body,
        actor=supervisor,
        starts_at=timezone.now().replace(microsecond=0) + dt.timedelta(days=1),
    )
    item = meetings.agenda_item_add(
        meeting=meeting,
        actor=supervisor,
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title="50代男性 長期ひきこもり",
        household=case.household,
        persons=[w.person],
    )
    assert item.pk
    # consent: the person agrees to 参加支援 (the 社協 agency named)
    ConsentFactory(person=w.person, agencies=[w.body, w.sanka_agency], explained_by=w.coordinator)
    fresh = case.__class__.objects.get(pk=case.pk)
    assert can(w.worker, "participation_assessment.edit", fresh)
    a = svc.assessment_create(case=fresh, person=w.person, actor=w.worker)
    a = svc.assessment_update(
        assessment=a,
        actor=w.worker,
        lock_version=1,
        data={
            "interests": ["farming"],
            "withdrawal": True,
            "anxiety": "strong",
            "physical": "heavy",
            "home_lat": 35.7045,
            "home_lng": 139.5,
            "wishes": "人の少ない所で体を動かしたい",
        },
    )
    target = farm()
    cafe()
    ResourceFactory(name="駅前サロン", interest_tags=["おしゃべり"])
    results = rank(person_facts(a), [resource_facts(r) for r in catalogue_queryset()])
    assert results[0].resource.key == str(target.public_id)
    assert any("ひきこもり" in r.text for r in results[0].reasons_for)
    # the worker proposes; then 見学 → 体験 (trial) → 参加 (active)
    p = ps.placement_propose(assessment=a, resource=target, actor=w.worker, match=results[0])
    assert p.status == "proposed" and p.match_reasons["reasons_for"]
    p = walk(p, w.worker, ("visit", TODAY), ("trial", TODAY))
    assert occupancy([target.pk]) == {target.pk: 1}
    ps.activity_record(placement=p, actor=w.worker, days=[TODAY], hours="2.5")
    p = walk(p, w.worker, ("active", TODAY))
    assert p.started_on == TODAY
    # first follow-up to him and to the host
    ps.follow_up_record(
        placement=p, actor=w.worker, target="person", kind="visit", content="表情が明るい"
    )
    ps.follow_up_record(
        placement=p, actor=w.worker, target="host", kind="consult", content="声かけの工夫"
    )
    assert {f.target for f in FollowUp.objects.filter(placement=p)} == {"person", "host"}
    assert [t.to_status for t in p.transitions.all()] == [
        "proposed",
        "visit",
        "trial",
        "active",
    ]


# --- scenario 2: the youth café scheme ending in 就労 -------------------------------------------


def test_youth_cafe_scheme_ending_in_employment_is_counted_once():
    w = participation_world(
        members=[("self", "男", 2001, True), ("parent", "女", 1970, True)],
        summary="20代男性 就労が続かない",
    )
    a = sheet_for(w, interests=["serving", "cooking"], withdrawal=True, wants_income=True)
    place = cafe()
    start = TODAY - dt.timedelta(days=130)
    # recorded afterwards, back-dated: proposed four months ago
    p = ps.placement_propose(
        assessment=a, resource=place, actor=w.worker, role="helper", proposed_on=start
    )
    p = walk(
        p,
        w.worker,
        ("visit", start),
        ("trial", start + dt.timedelta(days=7)),
        ("active", start + dt.timedelta(days=30)),
    )
    # four months of activity days (twice a week)
    days = [start + dt.timedelta(days=d) for d in range(30, 125, 3)]
    ps.activity_record(placement=p, actor=w.worker, days=days, hours=4, source="host")
    p = ps.placement_move(
        placement=p,
        actor=w.worker,
        to="ended",
        on=start + dt.timedelta(days=125),
        outcome="employed",
        outcome_note="町内の企業に雇用された",
    )
    assert p.outcome == "employed" and p.ended_on
    assert outcome_counts() == {"employed": 1}
    # a second, earlier placement of the same person that ended in 就労 too is still one person
    other = ps.placement_propose(assessment=a, resource=farm(), actor=w.worker)
    ps.placement_move(placement=other, actor=w.worker, to="ended", outcome="employed")
    assert outcome_counts() == {"employed": 1}
    assert occupancy([place.pk]) == {}


def test_the_caseload_counts_outcomes_of_the_cases_the_user_sees_only(w):
    """参加支援 top: ended placements by outcome over the cases the user may see, each person
    once — counted here a second way, from the placements themselves."""
    from participation.choices import Outcome
    from participation.models import Placement
    from participation.selectors import visible_outcomes

    a = sheet_for(w)
    for resource in (farm(), cafe()):
        p = ps.placement_propose(assessment=a, resource=resource, actor=w.worker)
        ps.placement_move(placement=p, actor=w.worker, to="ended", outcome="employed")
    ended = Placement.objects.filter(case=w.case, status="ended", outcome="employed")
    assert ended.count() == 2 and len({p.person_id for p in ended}) == 1
    assert visible_outcomes(w.worker) == [(str(Outcome("employed").label), 1)]
    assert visible_outcomes(w.outsider) == []


def test_the_caseload_prints_placements_without_a_query_each(client, w):
    """The caseload reads of a placement only what it prints (`PLACEMENT_ROW`): a column left
    out would cost a query per placement shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = sheet_for(w)
    ps.placement_propose(assessment=a, resource=farm(), actor=w.worker)
    url = reverse("participation:index")
    client.force_login(w.worker)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for name in ("喫茶 こもれび", "図書館ボランティア"):
        ps.placement_propose(assessment=a, resource=cafe(name=name), actor=w.worker)
    with CaptureQueriesContext(connection) as three:
        html = client.get(url).content.decode()
    assert (
        "農福連携ファーム みのり" in html
        and "喫茶 こもれび" in html
        and "図書館ボランティア" in html
    )
    assert len(three.captured_queries) == len(one.captured_queries)


# --- guards --------------------------------------------------------------------------------------


@pytest.fixture
def w():
    return participation_world()


@pytest.fixture
def placement(w):
    a = sheet_for(w, interests=["farming"])
    # Proposed a week ago: the tests record days (up to 3 back) that follow the proposal.
    return ps.placement_propose(
        assessment=a, resource=farm(), actor=w.worker, proposed_on=TODAY - dt.timedelta(days=7)
    )


def test_transitions_follow_the_table(w, placement):
    with pytest.raises(ValidationError):
        ps.placement_move(placement=placement, actor=w.worker, to="active")
    with pytest.raises(ValidationError) as exc:
        ps.placement_move(placement=placement, actor=w.worker, to="ended")
    assert "outcome" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ps.placement_move(placement=placement, actor=w.worker, to="ended", outcome="dropped")
    assert "outcome_note" in exc.value.message_dict
    with pytest.raises(ValidationError):
        ps.placement_move(
            placement=placement, actor=w.worker, to="visit", on=TODAY + dt.timedelta(days=1)
        )
    p = ps.placement_move(
        placement=placement,
        actor=w.worker,
        to="ended",
        outcome="dropped",
        outcome_note="体調を崩したため",
    )
    assert p.status == "ended"
    with pytest.raises(ValidationError):
        ps.placement_move(placement=p, actor=w.worker, to="trial")


def test_one_open_placement_per_person_and_resource(w, placement):
    with pytest.raises(ValidationError):
        ps.placement_propose(
            assessment=placement.assessment, resource=placement.resource, actor=w.worker
        )


def test_activity_days_overwrite_and_validate(w, placement):
    with pytest.raises(ValidationError):  # still only proposed
        ps.activity_record(placement=placement, actor=w.worker, days=[TODAY], hours=2)
    p = walk(placement, w.worker, ("trial", TODAY))
    ps.activity_record(placement=p, actor=w.worker, days=[TODAY], hours=2)
    ps.activity_record(placement=p, actor=w.worker, days=[TODAY], hours=3, source="host")
    assert list(p.days.values_list("hours", flat=True)) == [3]
    for bad in ("0", "25", "abc", "NaN"):
        with pytest.raises(ValidationError):
            ps.activity_record(placement=p, actor=w.worker, days=[TODAY], hours=bad)
    with pytest.raises(ValidationError):
        ps.activity_record(
            placement=p, actor=w.worker, days=[TODAY + dt.timedelta(days=1)], hours=1
        )


def test_host_support_kinds_only_for_the_host(w, placement):
    with pytest.raises(ValidationError):
        ps.follow_up_record(placement=placement, actor=w.worker, target="person", kind="training")
    f = ps.follow_up_record(placement=placement, actor=w.worker, target="host", kind="training")
    assert f.is_host_support


def test_permissions_three_users_and_admin(w, placement):
    assert can(w.worker, "placement.transition", placement)
    assert can(w.coordinator, "placement.view", placement)
    assert can(w.sanka_colleague, "placement.log", placement)
    for user in (w.outsider, w.admin):
        assert not can(user, "placement.view", placement)
        assert not can(user, "placement.log", placement)
        with pytest.raises(Exception):
            ps.placement_move(placement=placement, actor=user, to="visit")


PAGES = ["participation:placement", "participation:placement_pdf"]


@pytest.mark.parametrize("name", PAGES)
def test_placement_pages_200_for_team_404_for_outsider_and_admin(client, w, placement, name):
    url = reverse(name, args=[placement.public_id])
    client.force_login(w.worker)
    assert client.get(url).status_code == 200
    client.force_login(w.outsider)
    assert client.get(url).status_code == 404
    login_verified(client, w.admin)
    assert client.get(url).status_code == 404


def test_placement_page_forms_move_log_and_follow_up(client, w, placement):
    client.force_login(w.worker)
    base = reverse("participation:placement", args=[placement.public_id])
    r = client.post(base + "move/", {"to": "trial", "on": TODAY.isoformat(), "note": "初日"})
    assert r.status_code == 302
    r = client.post(
        base + "activity/",
        {"on": TODAY.isoformat(), "also": ["1", "2"], "hours": "2.5", "source": "worker"},
    )
    assert r.status_code == 302
    assert placement.days.count() == 3
    r = client.post(
        base + "follow-up/",
        {"target": "host", "kind": "adjust", "on": TODAY.isoformat(), "content": "作業の調整"},
    )
    assert r.status_code == 302
    response = client.get(base)
    body = response.content.decode()
    assert "作業の調整" in body and "体験" in body
    # The figures read with the placement equal the days and placements counted apart.
    days = placement.days.aggregate(n=Count("pk"), hours=Sum("hours"))
    assert response.context["totals"] == days == {"n": 3, "hours": Decimal("7.5")}
    assert (
        response.context["occupied"]
        == occupancy([placement.resource_id])[placement.resource_id]
        == 1
    )
    assert "3日 ・ 7.5時間" in body
    client.force_login(w.outsider)
    assert client.post(base + "move/", {"to": "active"}).status_code == 404


def test_placement_page_reads_its_lists_with_the_placement(client, w, placement):
    """Transitions, activity days and follow-ups come in the placement's own statement
    (selectors_matching.with_page_figures) and print as read apart: same rows, order, values."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ps.placement_move(placement=placement, actor=w.worker, to="trial", note="初日")
    placement.refresh_from_db()
    ps.activity_record(placement=placement, actor=w.worker, days=[TODAY], hours=Decimal("2.3"))
    ps.activity_record(
        placement=placement,
        actor=w.worker,
        days=[TODAY - dt.timedelta(days=3)],
        hours=Decimal("0.5"),
        note="雨天=短め",
    )
    for target, kind, back in (("person", "visit", 2), ("host", "adjust", 1), ("host", "phone", 1)):
        ps.follow_up_record(
            placement=placement,
            actor=w.worker,
            target=target,
            kind=kind,
            on=TODAY - dt.timedelta(days=back),
            minutes=30,
            content=f"{kind}の記録",
        )
    client.force_login(w.worker)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("participation:placement", args=[placement.public_id]))
    assert response.status_code == 200
    lists = (
        "participation_activityday",
        "participation_followup",
        "participation_placementtransition",
    )
    reads = [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in lists)]
    assert len(reads) == 1 and reads[0].startswith('SELECT "participation_placement"')

    c = response.context
    assert [(d.on, d.hours, d.source, d.note) for d in c["days"]] == [
        (d.on, d.hours, d.source, d.note) for d in placement.days.order_by("-on")
    ]
    assert [d.hours for d in c["days"]] == [Decimal("2.3"), Decimal("0.5")]
    assert [
        (f.on, f.target, f.kind, f.minutes, f.content, f.staff.display_name)
        for f in c["follow_ups"]
    ] == [
        (f.on, f.target, f.kind, f.minutes, f.content, f.staff.display_name)
        for f in placement.follow_ups.order_by("-on", "-pk")
    ]
    assert (c["person_follow_ups"], c["host_follow_ups"], c["host_support"]) == (1, 2, 1)
    assert [(t.on, t.to_status, t.note, t.by.display_name) for t in c["transitions"]] == [
        (t.on, t.to_status, t.note, t.by.display_name) for t in placement.transitions.all()
    ]
    body = response.content.decode()
    assert "雨天=短め" in body and "<td>2.3</td>" in body and w.worker.display_name in body


def test_plan_pdf_and_plan_through_the_shared_plan_model(client, w, placement):
    client.force_login(w.coordinator)
    # a participation plan on the case's shared plan sheet (needs the case's assessment first)
    case_svc.assessment_create(case=w.case, actor=w.coordinator)
    plan = case_svc.plan_create(case=w.case, actor=w.coordinator, programme="participation")
    assert plan.programme == "participation"
    r = client.get(reverse("participation:plan_pdf", args=[w.case.public_id]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    client.force_login(w.outsider)
    assert client.get(reverse("participation:plan_pdf", args=[w.case.public_id])).status_code == 404


# --- the reminder ----------------------------------------------------------------------------------


def test_reminder_when_a_placement_has_no_follow_up_for_n_days(w):
    from notifications.rules import RuleContext, get_rule

    rule = get_rule("placement_follow_up_gap")
    setting = rule.default_setting()  # 14 days, then 7 more to the supervisors
    a = sheet_for(w, interests=["farming"])
    p = ps.placement_propose(
        assessment=a, resource=farm(), actor=w.worker, proposed_on=TODAY - dt.timedelta(days=30)
    )
    p = walk(p, w.worker, ("trial", TODAY - dt.timedelta(days=20)))

    def hits(on=TODAY):
        return list(rule.evaluate(RuleContext.build(today=on), setting))

    assert hits(TODAY - dt.timedelta(days=7)) == []  # 13 days after the trial began
    due = hits()
    assert len(due) == 1 and due[0].recipients == {w.worker.pk} and due[0].step == 0
    assert due[0].url == p.get_absolute_url() and due[0].params["n"].startswith("R8-")
    ps.follow_up_record(placement=p, actor=w.worker, target="host", kind="visit")
    assert hits() == []
    assert len(hits(TODAY + dt.timedelta(days=15))) == 1  # and again 14 days after that visit
    ended = ps.placement_move(placement=p, actor=w.worker, to="ended", outcome="settled")
    assert ended.status == "ended" and hits(TODAY + dt.timedelta(days=60)) == []


# --- gaps ------------------------------------------------------------------------------------------


def test_gap_becomes_a_community_issue_and_leads_to_a_resource(client, w):
    a = sheet_for(w, interests=["animals"])
    gap = ps.gap_record(
        actor=w.worker, assessment=a, title="動物と関われる居場所がない", interests=["animals"]
    )
    issue = ps.gap_raise_issue(gap=gap, actor=w.worker)
    assert issue.participation_gaps.get() == gap
    with pytest.raises(ValidationError):
        ps.gap_raise_issue(gap=gap, actor=w.worker)
    new = ResourceFactory(name="保護猫カフェ", interest_tags=["動物"])
    ps.gap_link_resource(gap=gap, resource=new, actor=w.worker)
    issue.refresh_from_db()
    assert issue.status == CommunityIssue.Status.RESOURCE_CREATED
    assert new.filled_gaps.get() == gap
    client.force_login(w.sanka_colleague)
    body = client.get(gap.get_absolute_url()).content.decode()
    assert "保護猫カフェ" in body and w.case.number in body
    client.force_login(w.outsider)  # another 社協 worker: sees the gap, not the case
    body = client.get(gap.get_absolute_url()).content.decode()
    assert "動物と関われる居場所がない" in body and w.case.number not in body
    login_verified(client, w.admin)
    assert client.get(gap.get_absolute_url()).status_code == 403


def test_gaps_tab_only_for_users_who_may_open_the_gaps(client, w):
    """QA: admin's 参加支援 pages showed 「資源の不足」, which answers 403 for admin."""
    gaps_url = reverse("participation:gap_list")
    pages = [reverse("participation:catalogue"), reverse("participation:index")]
    login_verified(client, w.admin)
    for page in pages:
        assert gaps_url not in client.get(page).content.decode()
    assert client.get(gaps_url).status_code == 403
    client.force_login(w.worker)
    for page in pages:
        assert gaps_url in client.get(page).content.decode()
    assert client.get(gaps_url).status_code == 200


def test_the_catalogue_facts_are_kept_until_the_catalogue_changes(
    settings, django_assert_num_queries
):
    from community import services as community_svc
    from participation import selectors_matching as msel

    settings.MATCHING_CACHE_SECONDS = 300
    msel._memo.update(signature=None, facts=None)
    w = participation_world()
    a = sheet_for(w, interests=["farming"])
    target = farm()
    first = {f.key: f for f in msel.catalogue_facts()}
    assert first[str(target.public_id)].occupied == 0
    with django_assert_num_queries(3):  # the signature only: the facts are not read again
        again = msel.catalogue_facts(exclude=[target.public_id])
    assert str(target.public_id) not in {f.key for f in again}
    # A placement that takes a place: seen at once.
    p = ps.placement_propose(assessment=a, resource=target, actor=w.worker)
    walk(p, w.worker, ("visit", TODAY), ("trial", TODAY))
    facts = {f.key: f for f in msel.catalogue_facts()}
    assert facts[str(target.public_id)].occupied == 1
    # A resource edited through the community service (an UPDATE, no save()): seen at once.
    admin = w.admin
    target.refresh_from_db()
    community_svc.resource_update(actor=admin, resource=target, name="みのりファーム(新)")
    facts = {f.key: f for f in msel.catalogue_facts()}
    assert facts[str(target.public_id)].name == "みのりファーム(新)"


def test_the_catalogues_places_taken_count_trial_and_active_placements_only(client, w, placement):
    """定員・参加中: the catalogue's count per resource (a subquery per row of the page) and
    `occupancy` (one aggregate over many resources) agree for every status of a placement."""
    from participation.models import Placement

    resource = placement.resource
    for status in Placement.S.values:
        ended = status == Placement.S.ENDED
        Placement.objects.filter(pk=placement.pk).update(
            status=status, outcome="employed" if ended else ""
        )
        expected = 1 if status in Placement.OCCUPYING else 0
        listed = catalogue_queryset().get(pk=resource.pk).occupied
        assert listed == occupancy([resource.pk]).get(resource.pk, 0) == expected, status
    Placement.objects.filter(pk=placement.pk).update(status="active", outcome="")
    login_verified(client, w.worker)
    row = next(
        line
        for line in client.get(reverse("participation:catalogue")).content.decode().splitlines()
        if "<td>6 / " in line
    )
    assert "<td>6 / 1</td>" in row
