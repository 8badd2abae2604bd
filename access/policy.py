"""Who may read the access record of a person (grants and the disclosure ledger).

The agency that registered the person answers the person's disclosure request (保有個人情報の
開示請求): its care staff read the record. Those who only see the person through a grant do not
learn who else sees them.
"""

from agencies.policy import DENY, Basis, Decision, allow, rule


@rule("person.disclosures")
def _person_disclosures(user, person) -> Decision:
    if person is None:
        return DENY
    from cases.policy.persons import care_agency_ids

    if person.registered_by_agency_id in care_agency_ids(user):
        return allow(Basis.SAME_AGENCY)
    return DENY
