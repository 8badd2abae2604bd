"""The access record of one person: who may see the person's information and on what basis
(current grants, meeting bodies), and the disclosure ledger (提供記録) — on screen and as an A4
PDF that answers a disclosure request or the privacy officer's audit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.forms import apply_service_errors
from agencies.pdf import pdf_response, render_pdf
from agencies.policy import require, require_visible
from audit.services import record

from . import emergency, selectors
from .forms import EmergencyOpenForm, EmergencyReviewForm
from .models import EmergencyAccess


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
            "grants": selectors.current_grants_for_person(person),
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


# --- break-the-glass ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def emergency_open(request):
    from cases.models import SupportCase

    require(request.user, "emergency.open")
    form = EmergencyOpenForm(
        request.POST or None, initial={"case_number": request.GET.get("case", "")}
    )
    if request.method == "POST" and form.is_valid():
        case = SupportCase.objects.filter(number=form.cleaned_data["case_number"].strip()).first()
        if case is None:
            form.add_error("case_number", _("この番号の支援ケースはありません。"))
        else:
            try:
                access = emergency.emergency_access_open(
                    actor=request.user, case=case, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                from .context_processors import SESSION_KEY

                request.session[SESSION_KEY] = access.expires_at.isoformat()
                messages.warning(
                    request,
                    _("緊急時の根拠で開きました。係長と個人情報保護担当に通知しました。"),
                )
                return redirect("cases:case_detail", case_id=case.public_id)
    return render(
        request, "access/emergency_open.html", {"form": form, "min_reason": emergency.MIN_REASON}
    )


@login_required
def emergency_list(request):
    require(request.user, "emergency.list")
    waiting = list(
        emergency.unreviewed_for(request.user).select_related("user", "agency", "case")[:200]
    )
    return render(request, "access/emergency_list.html", {"waiting": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def emergency_review(request, public_id):
    access = get_object_or_404(
        EmergencyAccess.objects.select_related("user", "agency", "case", "reviewed_by"),
        public_id=public_id,
    )
    require_visible(request.user, "emergency.review", access)
    form = EmergencyReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not access.reviewed_at:
        try:
            emergency.emergency_access_review(
                access=access,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["review_note"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("確認の結果を記録しました。"))
            return redirect("access:emergency_list")
    record(actor=request.user, action="emergency.view", obj=access)
    return render(request, "access/emergency_review.html", {"access": access, "form": form})
