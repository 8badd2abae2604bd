"""The 異動・引継ぎ page: a supervisor (or the administrator) picks a colleague's membership, sees
everything the colleague holds at that agency, names successors and completes the transfer.
The administrator sees numbers and titles only (`cases.services.transfer.describe`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.choices import CARE_ROLES, Role
from agencies.forms import apply_service_errors
from agencies.jpdates import format_date
from agencies.models import Membership
from agencies.policy import is_admin, require
from cases.forms_transfer import TransferForm
from cases.models import WorkHandover
from cases.services import transfer as svc


def transferable_memberships(user):
    """Current care-role memberships the user may transfer out: all for the administrator, a
    supervisor's colleagues at the agencies they supervise."""
    qs = Membership.objects.current().filter(role__in=CARE_ROLES, user__is_active=True)
    if not is_admin(user):
        supervised = {m.agency_id for m in user.current_memberships() if m.role == Role.SUPERVISOR}
        qs = qs.filter(agency_id__in=supervised).exclude(user=user)
    return qs.select_related("user", "agency").order_by("agency__kana", "user__kana")


@login_required
def transfer(request):
    require(request.user, "caseload.handover")
    memberships = transferable_memberships(request.user)
    raw = request.POST.get("membership") or request.GET.get("membership") or ""
    membership = form = None
    items: list[svc.WorkItem] = []
    history = []
    if raw:
        if not raw.isdigit():
            from django.http import Http404

            raise Http404
        membership = get_object_or_404(memberships, pk=int(raw))
        require(request.user, "membership.transfer_out", membership)
        items = svc.describe(svc.pending_work(membership), request.user)
        successors = svc.successors_for(membership, timezone.localdate())
        form = TransferForm(request.POST or None, successors=successors, items=items)
        if request.method == "POST" and form.is_valid():
            to, notes = form.assignments()
            try:
                result = svc.staff_transfer(
                    actor=request.user,
                    membership=membership,
                    transfer_date=form.cleaned_data["transfer_date"],
                    successor=form.cleaned_data["successor"],
                    assignments=to,
                    notes=notes,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "異動を登録しました(引継ぎ %(n)s件、%(date)s から元の所属では閲覧できません)。"
                    )
                    % {
                        "n": len(result.handed_over),
                        "date": format_date(form.cleaned_data["transfer_date"]),
                    },
                )
                return redirect(reverse("cases:transfer"))
        history = WorkHandover.objects.filter(
            from_user=membership.user, agency=membership.agency
        ).select_related("to_user")[:50]
    return render(
        request,
        "cases/support/transfer.html",
        {
            "memberships": memberships,
            "membership": membership,
            "form": form,
            "items": items,
            "history": history,
            "nav_active": "multiagency",
        },
    )
