"""The agenda: queue, consent guard, 支援会議-only items, ordering and the optimistic lock."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.policy import PolicyDenied
from audit.models import AuditEvent
from cases.models import SupportCase
from cases.tests.factories import HouseholdMemberFactory, open_case
from meetings import selectors, services
from meetings.choices import AgendaKind, MeetingStatus, RequestStatus
from meetings.models import AgendaItem, AgendaRequest

from .conftest import schedule, submitted_plan, verified

pytestmark = pytest.mark.django_db


def test_queue_lists_submitted_plans_and_blocks_those_without_consent(
    supervisor, coordinator, city, juso
):
    with_consent, plan_a = submitted_plan(coordinator, city)
    without, plan_b = submitted_plan(coordinator, city, consent=False)
    queue = selectors.agenda_queue(juso)
    by_key = {e.key: e for e in queue.plans}
    assert by_key[f"plan:{plan_a.public_id}"].has_consent
    blocked = by_key[f"plan:{plan_b.public_id}"]
    assert not blocked.has_consent and "本人同意" in blocked.blocked_reason


def test_non_consented_case_never_goes_on_a_juso_agenda(supervisor, coordinator, city, juso):
    case, plan = submitted_plan(coordinator, city, consent=False)
    meeting = schedule(juso, supervisor)
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}")
    assert "本人同意" in str(exc.value)
    assert not AgendaItem.objects.exists()
    meeting.refresh_from_db()
    assert meeting.version == 1  # nothing half-written


def test_consented_plan_goes_on_the_agenda_with_a_paper(supervisor, coordinator, city, juso):
    case, plan = submitted_plan(coordinator, city)
    meeting = schedule(juso, supervisor)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}", time_box_minutes=20
    )
    assert item.kind == AgendaKind.PLAN_APPROVAL and item.case == case and item.subject == plan
    assert "【プラン案】" in item.paper and "父子が安心して暮らせる" in item.paper
    assert case.principal.family_name not in item.paper  # persons by relation and age, not by name
    assert set(item.persons.all()) == set(case.persons.all())
    case.refresh_from_db()
    assert case.status == SupportCase.Status.IN_MEETING
    # It leaves the queue and cannot be added twice.
    assert not selectors.agenda_queue(juso).plans
    with pytest.raises(ValidationError):
        services.agenda_item_add(meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}")


def test_shien_kaigi_takes_a_worrying_situation_without_consent(
    supervisor, partner_worker, coordinator, city, shien, juso
):
    member = HouseholdMemberFactory()
    request = services.agenda_request_create(
        body=shien,
        actor=partner_worker,
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title="北部 高齢の親と無職の子の世帯",
        description="郵便物がたまっている",
        household=member.household,
        persons=[member.person],
    )
    meeting = schedule(shien, supervisor)
    assert [e.key for e in selectors.agenda_queue(shien).worrying] == [
        f"request:{request.public_id}"
    ]
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"request:{request.public_id}"
    )
    assert list(item.persons.all()) == [member.person]
    request.refresh_from_db()
    assert request.status == RequestStatus.PLACED
    # ...but the same kind of item is refused on a 重層的支援会議.
    with pytest.raises(ValidationError) as exc:
        services.agenda_request_create(
            body=juso, actor=partner_worker, kind=AgendaKind.WORRYING_NO_CONSENT, title="x"
        )
    assert "支援会議にのみ" in str(exc.value)
    juso_meeting = schedule(juso, supervisor)
    with pytest.raises(ValidationError):
        services.agenda_item_add(
            meeting=juso_meeting, actor=supervisor, kind=AgendaKind.WORRYING_NO_CONSENT, title="x"
        )


def test_plans_are_not_discussed_at_a_shien_kaigi(supervisor, coordinator, city, shien):
    case, plan = submitted_plan(coordinator, city)
    meeting = schedule(shien, supervisor)
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}")
    assert "重層的支援会議" in str(exc.value)


def test_two_supervisors_fixing_the_same_agenda_second_gets_a_japanese_message(
    supervisor, city, juso
):
    from agencies.choices import Role
    from agencies.tests.factories import staff

    other = staff(city, Role.SUPERVISOR)
    meeting = schedule(juso, supervisor)
    services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.RESOURCE_GAP, title="移動手段の不足"
    )
    meeting.refresh_from_db()
    seen_by_both = meeting.version
    services.agenda_fix(meeting=meeting, actor=supervisor, expected_version=seen_by_both)
    stale = type(meeting).objects.get(pk=meeting.pk)
    with pytest.raises(services.AgendaConflict) as exc:
        services.agenda_fix(meeting=stale, actor=other, expected_version=seen_by_both)
    assert "他の職員が先に" in exc.value.messages[0]
    stale.refresh_from_db()
    assert stale.status == MeetingStatus.AGENDA_FIXED and stale.agenda_fixed_by == supervisor


def test_stale_form_cannot_add_an_item(supervisor, juso):
    meeting = schedule(juso, supervisor)
    services.agenda_item_add(
        meeting=meeting,
        actor=supervisor,
        kind=AgendaKind.INFO_SHARING,
        title="a",
        expected_version=1,
    )
    with pytest.raises(services.AgendaConflict):
        services.agenda_item_add(
            meeting=meeting,
            actor=supervisor,
            kind=AgendaKind.INFO_SHARING,
            title="b",
            expected_version=1,
        )
    assert AgendaItem.objects.count() == 1


def test_agenda_cannot_change_after_it_is_fixed(supervisor, juso):
    meeting = schedule(juso, supervisor)
    services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="a"
    )
    meeting.refresh_from_db()
    services.agenda_fix(meeting=meeting, actor=supervisor, expected_version=meeting.version)
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(
            meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="b"
        )
    assert "議題確定" in str(exc.value)


def test_reorder_and_time_boxes(supervisor, juso):
    meeting = schedule(juso, supervisor)
    a = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="a"
    )
    b = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="b"
    )
    meeting.refresh_from_db()
    services.agenda_reorder(
        meeting=meeting,
        actor=supervisor,
        order=[str(b.public_id), str(a.public_id)],
        time_boxes={str(b.public_id): 30},
        expected_version=meeting.version,
    )
    assert list(meeting.items.values_list("title", "order", "time_box_minutes")) == [
        ("b", 1, 30),
        ("a", 2, 15),
    ]


def test_removing_an_item_returns_the_request_to_the_queue(supervisor, partner_worker, shien):
    request = services.agenda_request_create(
        body=shien, actor=partner_worker, kind=AgendaKind.INFO_SHARING, title="情報共有"
    )
    meeting = schedule(shien, supervisor)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"request:{request.public_id}"
    )
    services.agenda_item_remove(item=item, actor=supervisor)
    assert AgendaRequest.objects.get(pk=request.pk).status == RequestStatus.WAITING


def test_paper_edit_and_regenerate(supervisor, coordinator, city, juso):
    case, plan = submitted_plan(coordinator, city)
    meeting = schedule(juso, supervisor)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    services.paper_update(item=item, actor=supervisor, paper="推進員による要約")
    assert AgendaItem.objects.get(pk=item.pk).paper == "推進員による要約"
    services.paper_generate(item=item, actor=supervisor)
    assert "【プラン案】" in AgendaItem.objects.get(pk=item.pk).paper


def test_a_plan_already_on_this_agenda_says_so(supervisor, coordinator, city, juso):
    case, plan = submitted_plan(coordinator, city)
    meeting, other = schedule(juso, supervisor), schedule(juso, supervisor, days=21)
    services.agenda_item_add(meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}")
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}")
    assert exc.value.messages == ["この会議の議題にすでに入っています。"]
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(meeting=other, actor=supervisor, source=f"plan:{plan.public_id}")
    assert exc.value.messages == ["この項目はすでに別の会議の議題になっています。"]


# --- requests (付議申込) ------------------------------------------------------------------------


def test_a_case_waits_for_a_body_once(client, coordinator, city, shien):
    """「会議に付議」 twice for the same case and body: the second is refused with the reason;
    once the first is withdrawn the case may ask again."""
    case = open_case(coordinator=coordinator, agency=city)
    client.force_login(coordinator)
    submit = reverse("meetings:case_submit", args=[case.public_id])
    client.post(submit, {"body": str(shien.public_id)})
    r = client.post(submit, {"body": str(shien.public_id)}, follow=True)
    assert (
        f"ケース {case.number} は「{shien.name}」への付議をすでに申し込んでいます(付議待ち)。"
        in r.content.decode()
    )
    [first] = AgendaRequest.objects.filter(case=case)
    services.agenda_request_withdraw(request=first, actor=coordinator)
    client.post(submit, {"body": str(shien.public_id)})
    assert AgendaRequest.objects.filter(case=case, status=RequestStatus.WAITING).count() == 1


def test_a_request_of_an_ended_case_leaves_the_queue(supervisor, coordinator, city, shien):
    case = open_case(coordinator=coordinator, agency=city)
    request = services.agenda_request_create(
        body=shien,
        actor=coordinator,
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title=f"{case.number} 見守りの協議",
        case=case,
    )
    assert [e.key for e in selectors.agenda_queue(shien).worrying] == [
        f"request:{request.public_id}"
    ]
    SupportCase.objects.filter(pk=case.pk).update(status=SupportCase.Status.CLOSED)
    case.refresh_from_db()
    assert not selectors.agenda_queue(shien).worrying
    meeting = schedule(shien, supervisor)
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(
            meeting=meeting, actor=supervisor, source=f"request:{request.public_id}"
        )
    assert "終結(またはつなぎもどし)しているため、議題にできません" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.agenda_request_create(
            body=shien,
            actor=coordinator,
            kind=AgendaKind.WORRYING_NO_CONSENT,
            title=f"{case.number} 見守りの協議",
            case=case,
        )
    assert "case" in exc.value.message_dict
    assert not AgendaItem.objects.exists()


def test_the_secretariat_withdraws_a_request_from_the_queue(
    client, supervisor, partner_worker, stranger, juso
):
    request = services.agenda_request_create(
        body=juso, actor=partner_worker, kind=AgendaKind.INFO_SHARING, title="北地区の見守り体制"
    )
    meeting = schedule(juso, supervisor)
    withdraw = reverse("meetings:request_withdraw", args=[meeting.public_id, request.public_id])
    with pytest.raises(PolicyDenied):
        services.agenda_request_withdraw(request=request, actor=stranger)
    verified(client, supervisor)
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.public_id])).content
    queue = page.decode().split('data-testid="queue"')[1]
    assert f'action="{withdraw}"' in queue and "data-confirm" in queue
    r = client.post(withdraw, follow=True)
    assert "付議の申込を取り下げました。" in r.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    assert not selectors.agenda_queue(juso).info_sharing
    assert AuditEvent.objects.filter(action="agendarequest.withdraw", actor=supervisor).exists()
    r = client.post(withdraw, follow=True)  # twice: refused, nothing changes
    assert "取り下げられています" in r.content.decode()
