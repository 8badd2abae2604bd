"""Keep the derived grants in step with the rows they are derived from.

Why signals here (house style keeps logic out of them): the derived grants are an index of the
team, 主担当 and consent rows, and an index must follow *every* write path of its source — the
services, the CSV imports, the demo data, data fixes in the admin. A path that forgot to call the
sync would silently leak (a consent withdrawn but still readable) or deny. Grants given by work
items (meeting roles, referral receipts, outreach visits, emergencies) are not derived: the
services of that work give and end them (access.services).
"""

from django.db.models.signals import m2m_changed, post_save

from .sync import cases_covering_person, sync_case, sync_cases


def _sync_ids(case_ids) -> None:
    from cases.models import SupportCase

    sync_cases(SupportCase.objects.filter(pk__in=case_ids))


def _team_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _sync_ids([instance.case_id])


def _case_saved(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if raw:
        return
    relevant = {"lead_agency", "coordinating_agency", "principal", "household", "opened_on"}
    if created or update_fields is None or relevant & set(update_fields):
        sync_case(instance)


def _case_persons_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        _sync_ids(pk_set or [])
    else:
        sync_case(instance)


def _consent_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.withdrawn_at is not None:
        # Grants given by work on this consent (a 重層的支援会議 role) end with it too.
        from .services import consent_withdrawn

        consent_withdrawn(consent=instance, actor=instance.withdrawn_by)
    _sync_ids(cases_covering_person(instance.person_id))


def _consent_agencies_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        from cases.models import Consent

        person_ids = Consent.objects.filter(pk__in=pk_set or []).values_list("person_id", flat=True)
        ids = set()
        for person_id in set(person_ids):
            ids |= cases_covering_person(person_id)
        _sync_ids(ids)
    else:
        _sync_ids(cases_covering_person(instance.person_id))


def _member_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from cases.models import SupportCase

    _sync_ids(
        SupportCase.objects.filter(household_id=instance.household_id).values_list("pk", flat=True)
    )


def connect() -> None:
    from cases.models import CaseTeamMember, Consent, HouseholdMember, SupportCase

    post_save.connect(_team_saved, sender=CaseTeamMember, dispatch_uid="access.team")
    post_save.connect(_case_saved, sender=SupportCase, dispatch_uid="access.case")
    post_save.connect(_consent_saved, sender=Consent, dispatch_uid="access.consent")
    post_save.connect(_member_saved, sender=HouseholdMember, dispatch_uid="access.member")
    m2m_changed.connect(
        _case_persons_changed, sender=SupportCase.persons.through, dispatch_uid="access.persons"
    )
    m2m_changed.connect(
        _consent_agencies_changed,
        sender=Consent.agencies.through,
        dispatch_uid="access.consent_agencies",
    )


connect()
