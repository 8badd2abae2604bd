"""Factories of 参加支援: a 多機関協働 case with a 参加支援 agency on its team (consent in force)."""

from __future__ import annotations

from dataclasses import dataclass

from agencies.choices import AgencyKind, OperatorType, Programme, Role
from agencies.tests.factories import AgencyFactory, staff
from cases.models import TeamRole
from cases.services import support as case_svc
from cases.tests.factories import ConsentFactory, multiagency_agency, open_case


def participation_agency(**kwargs):
    kwargs.setdefault("kind", AgencyKind.SHAKYO)
    kwargs.setdefault("programmes", [Programme.PARTICIPATION.value, Programme.COMMUNITY.value])
    return AgencyFactory(**kwargs)


@dataclass
class ParticipationWorld:
    body: object  # the 多機関協働 body
    coordinator: object
    sanka_agency: object
    worker: object  # 参加支援員 on the case team with consent
    sanka_colleague: object  # another 参加支援員 at the same agency
    outsider: object
    admin: object
    case: object
    person: object


def participation_world(*, members=None, summary="50代男性の長期ひきこもり") -> ParticipationWorld:
    body = multiagency_agency(operator_type=OperatorType.MUNICIPAL)
    coordinator = staff(body, Role.COORDINATOR)
    sanka = participation_agency()
    worker = staff(sanka, Role.PARTICIPATION_WORKER)
    colleague = staff(sanka, Role.PARTICIPATION_WORKER)
    outsider = staff(participation_agency(), Role.PARTICIPATION_WORKER)
    admin = staff(AgencyFactory(), Role.ADMIN)
    case = open_case(
        coordinator=coordinator,
        agency=body,
        members=members or [("self", "男", 1972, True), ("parent", "女", 1945, True)],
        summary=summary,
    )
    case_svc.team_add(
        case=case, actor=coordinator, agency=sanka, user=worker, role=TeamRole.PARTICIPATION
    )
    person = case.principal
    ConsentFactory(person=person, agencies=[body, sanka], explained_by=coordinator)
    return ParticipationWorld(
        body=body,
        coordinator=coordinator,
        sanka_agency=sanka,
        worker=worker,
        sanka_colleague=colleague,
        outsider=outsider,
        admin=admin,
        case=case,
        person=person,
    )
