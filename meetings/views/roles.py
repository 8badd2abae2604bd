"""会議で割り当てられた役割: the user's role assignments from meeting decisions, and marking
one done (the owner, or care staff of the owner agency)."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.paging import FirstPageCountingPaginator
from agencies.policy import check, require

from .. import selectors, services
from ..forms import RoleCompleteForm
from ..models import RoleAssignment

PAGE_SIZE = 50
STATUSES = ("open", "done")


@login_required
def my_roles(request):
    """Open (or done) role assignments the user answers for, due first, with a 完了 button."""
    require(request.user, "meeting.list")
    return _roles_page(request, request.GET)


def _roles_page(request, query, failed=None):
    """The list for `query` (status, page); `failed`: the row whose 完了 was refused, with the
    date typed and the errors, shown at that row."""
    status = query.get("status")
    status = status if status in STATUSES else "open"
    page = FirstPageCountingPaginator(
        selectors.roles_owned_by(request.user, status=status), PAGE_SIZE
    ).get_page(query.get("page"))
    return render(
        request,
        "meetings/my_roles.html",
        {
            "page_obj": page,
            "roles": page.object_list,
            "status": status,
            "today": timezone.localdate(),
            "form": RoleCompleteForm(),
            "failed": failed,
            "nav_active": "meetings",
        },
    )


@login_required
def role_open(request, public_id):
    """A role's own address (reminders link here): to the owner's list where it is marked done,
    else to the decision's agenda item."""
    role = get_object_or_404(
        RoleAssignment.objects.select_related(
            "owner_agency", "decision__item__meeting__body", "decision__item__case"
        ),
        public_id=public_id,
    )
    require(request.user, "roleassignment.view", role)
    anchor = f"#role-{role.public_id}"
    if role.is_task and check(request.user, "roleassignment.complete", role):
        status = "done" if role.done_on else "open"
        return redirect(f"{reverse('meetings:my_roles')}?status={status}{anchor}")
    return redirect(role.decision.item.get_absolute_url() + anchor)


@login_required
@require_POST
def role_complete(request, public_id):
    role = get_object_or_404(
        RoleAssignment.objects.select_related("decision", "owner_agency"), public_id=public_id
    )
    require(request.user, "roleassignment.complete", role)
    form = RoleCompleteForm(request.POST)
    errors = []
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    else:
        try:
            services.role_assignment_complete(
                assignment=role, actor=request.user, done_on=form.cleaned_data["done_on"]
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("役割を完了として記録しました。"))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    list_path = reverse("meetings:my_roles")
    if errors and (not target or urlsplit(target).path == list_path):
        # From the list: the error at the row, with the date as typed (not a banner above a
        # field reset to today, which a second click would record).
        failed = {"id": role.public_id, "value": request.POST.get("done_on", ""), "errors": errors}
        return _roles_page(request, QueryDict(urlsplit(target).query), failed)
    for e in errors:
        messages.error(request, e)
    return redirect(target or "meetings:my_roles")
