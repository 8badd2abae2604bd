"""The access record of one person: who may see the person's information and on what basis
(current grants, meeting bodies), and the disclosure ledger (提供記録) — on screen and as an A4
PDF that answers a disclosure request or the privacy officer's audit."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from agencies.pdf import pdf_response, render_pdf
from agencies.policy import require_visible
from audit.services import record

from . import selectors


def _context(request, public_id):
    from cases.models import Person

    person = get_object_or_404(
        Person.objects.select_related("registered_by_agency"), public_id=public_id
    )
    decision = require_visible(request.user, "person.disclosures", person)
    return (
        person,
        decision,
        {
            "person": person,
            "grants": list(selectors.current_grants_for_person(person)),
            "bodies": selectors.meeting_bodies_for_person(person),
            "ledger": list(selectors.ledger_for_person(person)),
            "print_date": timezone.localdate(),
            "nav_active": "persons",
        },
    )


@login_required
def person_access_record(request, public_id):
    person, decision, ctx = _context(request, public_id)
    record(actor=request.user, action="person.disclosures", obj=person, basis=decision.basis)
    return render(request, "access/person_access_record.html", ctx)


@login_required
def person_access_record_pdf(request, public_id):
    person, decision, ctx = _context(request, public_id)
    pdf = render_pdf("access/person_access_record_pdf.html", ctx, request=request)
    record(actor=request.user, action="person.disclosures_print", obj=person, basis=decision.basis)
    return pdf_response(pdf, f"提供記録_{timezone.localdate():%Y%m%d}.pdf")
