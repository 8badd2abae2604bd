"""会議で割り当てられた役割: the user's role assignments from meeting decisions, and marking
one done (the owner, or care staff of the owner agency)."""

from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
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
    return _roles_page(request, request.GET, request.session.pop(FAILED_KEY, None))


# A refused 完了 comes back to the list through a redirect (the list's own address, so its
# chips and pager links work), carrying the row, the date as typed and the errors here.
FAILED_KEY = "meetings.role_refused"


def _list_url(query) -> str:
    """The roles list with only its own query (status, page): where a 完了 returns to. Never the
    POST-only address of the form that re-rendered the list after a refusal."""
    params = {k: query[k] for k in ("status", "page") if query.get(k)}
    url = reverse("meetings:my_roles")
    return f"{url}?{urlencode(params)}" if params else url


def _roles_page(request, query, failed=None):
    """The list for `query` (status, page); `failed`: the row whose 完了 was refused, with the
    date typed and the errors, shown at that row."""
    status = query.get("status")
    status = status if status in STATUSES else "open"
    page = FirstPageCountingPaginator(
        selectors.roles_owned_by(request.user, status=status), PAGE_SIZE
    ).get_page(query.get("page"))
    here = {"status": status, "page": page.number if page.number > 1 else ""}
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
            "next_url": _list_url(here),
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
        RoleAssignment.objects.select_related("decision__item", "owner_agency"),
        public_id=public_id,
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
    # Back to where the form was: the roles list (its status and page only) or the role's agenda
    # item page. Anything else — another site, the POST-only address of a re-rendered list —
    # comes back to the list.
    target = urlsplit(request.POST.get("next", ""))
    local = not (target.scheme or target.netloc)
    to_item = local and target.path == role.decision.item.get_absolute_url()
    query = QueryDict(target.query if local and target.path == reverse("meetings:my_roles") else "")
    if errors and not to_item:
        # From the list: the error at the row, with the date as typed (not a banner above a
        # field reset to today, which a second click would record).
        request.session[FAILED_KEY] = {
            "id": str(role.public_id),
            "value": request.POST.get("done_on", "")[:20],
            "errors": [str(e) for e in errors],
        }
        return redirect(_list_url(query) + f"#role-{role.public_id}")
    for e in errors:
        messages.error(request, e)
    return redirect(target.path if to_item else _list_url(query))
