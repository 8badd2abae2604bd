"""Volunteers and supporters: registry, record, training and activity hours. Personal records of
the volunteers themselves: community staff of the registering agency (and CSWs) only; views are
audited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.forms import apply_service_errors
from agencies.models import Agency
from agencies.paging import FirstPageCountingPaginator
from agencies.policy import check, require
from audit.services import record, record_list

from .. import services_activity as sa
from ..forms import ActivityForm, TrainingForm, VolunteerForm
from ..models import Volunteer, VolunteerActivity
from ..policy import volunteer_agency_ids
from .common import by_public_id


def _registries(user):
    """The registries the user may put a volunteer in: their own, or None for every active
    agency (CSWs; the form then offers the agency picker)."""
    allowed = volunteer_agency_ids(user)
    if allowed is None:
        return None
    return Agency.objects.active().filter(pk__in=allowed).order_by("kana")


def _visible(user):
    allowed = volunteer_agency_ids(user)
    qs = Volunteer.objects.all()
    return qs if allowed is None else qs.filter(coordinator_agency_id__in=allowed)


@login_required
def volunteer_list(request):
    require(request.user, "volunteer.list")
    q = request.GET.get("q", "").strip()[:50]
    qs = (
        _visible(request.user)
        .select_related("coordinator_agency")
        .prefetch_related("areas")
        .annotate(
            n_trainings=Count("trainings", distinct=True),
            # A subquery, not Sum over a join: joining trainings too would multiply the hours.
            hours=Subquery(
                VolunteerActivity.objects.filter(volunteer=OuterRef("pk"))
                .values("volunteer")
                .annotate(total=Sum("hours"))
                .values("total")[:1]
            ),
        )
        .order_by("kana", "pk")
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(kana__icontains=q) | Q(skills__icontains=q))
    if request.GET.get("path") == "1":
        qs = qs.filter(was_supported=True)
    if request.GET.get("active") != "all":
        qs = qs.filter(active=True)
    page = FirstPageCountingPaginator(qs, 50).get_page(request.GET.get("page"))
    record_list(actor=request.user, action="volunteer.list", objects=page.object_list)
    return render(
        request,
        "community/volunteer_list.html",
        {
            "nav_active": "community",
            "page_obj": page,
            "q": q,
            "can_create": check(request.user, "volunteer.create").allowed,
        },
    )


@login_required
def volunteer_detail(request, public_id):
    volunteer = by_public_id(Volunteer.objects.select_related("coordinator_agency"), public_id)
    return _volunteer_page(request, volunteer)


def _volunteer_page(request, volunteer, *, training_form=None, activity_form=None):
    """The volunteer's page; after a refused 受講歴 or 活動 the form comes back bound, with the
    errors at its fields and what was typed. Every showing is an audited read."""
    decision = require(request.user, "volunteer.view", volunteer)
    record(actor=request.user, action="volunteer.view", obj=volunteer, basis=decision.basis)
    activities = list(volunteer.activities.select_related("resource")[:50])
    totals = volunteer.activities.aggregate(hours=Sum("hours"), n=Count("pk"))
    return render(
        request,
        "community/volunteer_detail.html",
        {
            "nav_active": "community",
            "v": volunteer,
            "areas": list(volunteer.areas.all()),
            "trainings": list(volunteer.trainings.all()),
            "activities": activities,
            "totals": totals,
            "training_form": training_form or TrainingForm(),
            "activity_form": activity_form or ActivityForm(),
            "can_edit": check(request.user, "volunteer.update", volunteer).allowed,
        },
    )


def _form_page(request, form, title, back=None):
    return render(
        request,
        "community/form_page.html",
        {
            "nav_active": "community",
            "form": form,
            "title": title,
            "submit": _("保存する"),
            "back": back,
        },
    )


@login_required
def volunteer_create(request):
    require(request.user, "volunteer.create")
    form = VolunteerForm(request.POST or None, agencies=_registries(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        areas = data.pop("areas")
        try:
            volunteer = sa.volunteer_register(actor=request.user, areas=areas, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("ボランティアを登録しました。"))
            return redirect("community:volunteer_detail", volunteer.public_id)
    return _form_page(request, form, _("ボランティアの登録"))


@login_required
def volunteer_edit(request, public_id):
    volunteer = by_public_id(Volunteer, public_id)
    require(request.user, "volunteer.update", volunteer)
    form = VolunteerForm(
        request.POST or None, instance=volunteer, agencies=_registries(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        areas = data.pop("areas")
        volunteer.refresh_from_db()
        try:
            sa.volunteer_update(actor=request.user, volunteer=volunteer, areas=areas, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("ボランティアの記録を更新しました。"))
            return redirect("community:volunteer_detail", volunteer.public_id)
    return _form_page(request, form, _("ボランティアの記録の編集"))


@login_required
@require_POST
def volunteer_training(request, public_id):
    volunteer = by_public_id(Volunteer.objects.select_related("coordinator_agency"), public_id)
    require(request.user, "volunteer.update", volunteer)
    form = TrainingForm(request.POST)
    if form.is_valid():
        try:
            sa.volunteer_add_training(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("受講歴を追加しました。"))
            return redirect("community:volunteer_detail", volunteer.public_id)
    return _volunteer_page(request, volunteer, training_form=form)


@login_required
@require_POST
def volunteer_activity(request, public_id):
    volunteer = by_public_id(Volunteer.objects.select_related("coordinator_agency"), public_id)
    require(request.user, "volunteer.update", volunteer)
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            sa.volunteer_log_activity(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("活動を記録しました。"))
            return redirect("community:volunteer_detail", volunteer.public_id)
    return _volunteer_page(request, volunteer, activity_form=form)
