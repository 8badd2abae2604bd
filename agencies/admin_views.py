"""Administration pages for agencies, areas, staff and memberships (in the app, in Japanese).

Views are thin: the policy decides, a form validates, one service writes. Staff are addressed by
their public UUID, never by a sequential id or a name.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.paging import FirstPageCountingPaginator
from audit.services import record

from . import imports, selectors, services
from .filters import AgencyFilter, StaffFilter
from .forms import (
    ActiveToggleForm,
    AgencyForm,
    AreaForm,
    CsvImportForm,
    MembershipEndForm,
    MembershipStartForm,
    MembershipTransferForm,
    StaffCreateForm,
    StaffDeactivateForm,
    StaffForm,
    apply_service_errors,
    editable_agency_fields,
    editable_staff_fields,
)
from .models import Agency, Area, Membership, User
from .policy import Basis, can, check, require
from .tabular import csv_response

AGENCY_PAGE_SIZE = 25
STAFF_PAGE_SIZE = 25


def _page(request, queryset, size):
    return FirstPageCountingPaginator(queryset, size).get_page(request.GET.get("page"))


def _conflict(request, form_class, obj, fields, **form_kwargs):
    """Re-show the editor's input after a concurrent save, with the latest saved values beside it
    and the new version, so that saving again is a deliberate choice."""
    manager = type(obj)._default_manager
    latest = manager.get(pk=obj.pk)
    data = request.POST.copy()
    data["version"] = str(latest.version)
    # The form gets its own copy: validating a ModelForm writes the input onto its instance.
    form = form_class(data, instance=manager.get(pk=obj.pk), **form_kwargs)
    form.is_valid()
    differences = []
    for name in fields:
        if name not in form.fields or form.fields[name].disabled:
            continue
        submitted = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        current = getattr(latest, name)
        if isinstance(submitted, list | tuple):
            submitted = list(submitted)
        if hasattr(submitted, "pk"):
            submitted = submitted.pk
            current = getattr(latest, f"{name}_id")
        if submitted != current and not (submitted in (None, "") and current in (None, "")):
            display = getattr(latest, f"get_{name}_display", None)
            differences.append(
                (form.fields[name].label, display() if callable(display) else (current or "—"))
            )
    form.add_error(None, str(services.ConcurrentEditError(latest)))
    return form, differences


# --- home -------------------------------------------------------------------------------


@login_required
def admin_home(request):
    require(request.user, "settings.manage")
    return render(
        request,
        "agencies/admin_home.html",
        {
            "nav_active": "admin",
            "agency_count": Agency.objects.active().count(),
            "staff_count": User.objects.filter(is_active=True).count(),
            "without_membership": selectors.staff_without_current_membership().count(),
            "area_count": Area.objects.count(),
            "outbox": _outbox_state(),
        },
    )


def _outbox_state() -> dict:
    """Background work waiting for the broker (outbox/): a count that stays above zero means
    Redis or the workers are down — the work is kept and sent once they are back."""
    from django.db.models import Min

    from outbox.models import OutboxMessage

    return OutboxMessage.objects.pending().aggregate(waiting=Count("pk"), oldest=Min("created_at"))


# --- agencies ---------------------------------------------------------------------------


@login_required
def agency_list(request):
    require(request.user, "agency.view")
    today = timezone.localdate()
    current = (
        Q(memberships__start_date__lte=today)
        & (Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today))
        & Q(memberships__user__is_active=True)
    )
    qs = (
        selectors.agencies_visible_to(request.user)
        .annotate(staff_count=Count("memberships__user", filter=current, distinct=True))
        .order_by("kana", "pk")
    )  # GROUP BY drops Meta.ordering
    filterset = AgencyFilter(request.GET or None, queryset=qs)
    page = _page(request, filterset.qs, AGENCY_PAGE_SIZE)
    return render(
        request,
        "agencies/agency_list.html",
        {
            "page_obj": page,
            "filter": filterset,
            "can_create": can(request.user, "agency.create"),
            "can_import": can(request.user, "agency.import"),
            "nav_active": "admin",
        },
    )


@login_required
def agency_detail(request, pk: int):
    require(request.user, "agency.view")
    agency = get_object_or_404(selectors.agencies_visible_to(request.user), pk=pk)
    history = check(request.user, "agency.view_history", agency)
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": agency,
            "current": selectors.agency_current_memberships(agency),
            "past": selectors.agency_past_memberships(agency) if history else None,
            "can_edit": can(request.user, "agency.update", agency),
            "can_toggle": can(request.user, "agency.set_active", agency),
            "toggle_form": ActiveToggleForm(
                initial={"version": agency.version, "active": "0" if agency.active else "1"}
            ),
            "nav_active": "admin",
        },
    )


@login_required
def agency_create(request):
    require(request.user, "agency.create")
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("機関「%(name)s」を登録しました。") % {"name": agency.name})
            return redirect("agencies:agency_detail", pk=agency.pk)
    return render(
        request,
        "agencies/agency_form.html",
        {"form": form, "title": _("機関の登録"), "nav_active": "admin"},
    )


@login_required
def agency_edit(request, pk: int):
    agency = get_object_or_404(Agency, pk=pk)
    decision = require(request.user, "agency.update", agency)
    editable = editable_agency_fields(decision)
    form = AgencyForm(request.POST or None, instance=agency, editable=editable)
    differences = []
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(
                actor=request.user,
                agency=agency,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except services.ConcurrentEditError:
            form, differences = _conflict(
                request, AgencyForm, agency, services.AGENCY_FIELDS, editable=editable
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("機関の情報を更新しました。"))
            return redirect("agencies:agency_detail", pk=agency.pk)
    return render(
        request,
        "agencies/agency_form.html",
        {
            "form": form,
            "agency": agency,
            "differences": differences,
            "title": _("機関情報の編集"),
            "limited": decision.basis != Basis.ADMIN,
            "basis_label": decision.basis_label,
            "nav_active": "admin",
        },
    )


@login_required
@require_POST
def agency_set_active(request, pk: int):
    agency = get_object_or_404(Agency, pk=pk)
    require(request.user, "agency.set_active", agency)
    form = ActiveToggleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("操作を受け付けられませんでした。もう一度お試しください。"))
        return redirect("agencies:agency_detail", pk=pk)
    try:
        agency = services.agency_set_active(
            actor=request.user,
            agency=agency,
            active=form.cleaned_data["active"],
            expected_version=form.cleaned_data["version"],
        )
    except services.ConcurrentEditError as exc:
        messages.error(request, str(exc))
    else:
        if agency.active:
            messages.success(request, _("機関を有効にしました。"))
        else:
            messages.success(request, _("機関を無効にしました。履歴と所属の記録は残ります。"))
    return redirect("agencies:agency_detail", pk=pk)


# --- areas ------------------------------------------------------------------------------


@login_required
def area_list(request):
    require(request.user, "area.view")
    return render(
        request,
        "agencies/area_list.html",
        {
            "nodes": selectors.area_tree(request.user),
            "can_manage": can(request.user, "area.manage"),
            "nav_active": "admin",
        },
    )


@login_required
def area_create(request):
    require(request.user, "area.manage")
    form = AreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.area_create(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("圏域「%(name)s」を登録しました。") % {"name": area.name})
            return redirect("agencies:area_list")
    return render(
        request,
        "agencies/area_form.html",
        {"form": form, "title": _("圏域の登録"), "nav_active": "admin"},
    )


@login_required
def area_edit(request, pk: int):
    area = get_object_or_404(Area, pk=pk)
    require(request.user, "area.manage", area)
    form = AreaForm(request.POST or None, instance=area)
    differences = []
    if request.method == "POST" and form.is_valid():
        try:
            services.area_update(
                actor=request.user,
                area=area,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except services.ConcurrentEditError:
            form, differences = _conflict(request, AreaForm, area, services.AREA_FIELDS)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("圏域を更新しました。"))
            return redirect("agencies:area_list")
    return render(
        request,
        "agencies/area_form.html",
        {
            "form": form,
            "area": area,
            "differences": differences,
            "title": _("圏域の編集"),
            "nav_active": "admin",
        },
    )


# --- staff ------------------------------------------------------------------------------


@login_required
def staff_list(request):
    require(request.user, "staff.list")
    filterset = StaffFilter(request.GET or None, queryset=selectors.staff_visible_to(request.user))
    page = _page(request, filterset.qs, STAFF_PAGE_SIZE)
    rows = list(page.object_list)
    selectors.prime_membership_cache(rows)
    return render(
        request,
        "agencies/staff_list.html",
        {
            "page_obj": page,
            "rows": [(u, can(request.user, "staff.view", u)) for u in rows],
            "filter": filterset,
            "is_admin_view": can(request.user, "staff.create"),
            "nav_active": "admin",
        },
    )


def _staff(public_id) -> User:
    return get_object_or_404(User, public_id=public_id)


@login_required
def staff_detail(request, public_id):
    staff = _staff(public_id)
    decision = require(request.user, "staff.view", staff)
    record(actor=request.user, action="staff.view", obj=staff, basis=decision.basis)
    manage = can(request.user, "membership.manage", staff)
    return render(
        request,
        "agencies/staff_detail.html",
        {
            "staff": staff,
            "basis_label": decision.basis_label,
            "memberships": selectors.staff_memberships(staff),
            "today": timezone.localdate(),
            "can_edit": can(request.user, "staff.update", staff),
            "can_manage_memberships": manage,
            "can_set_active": can(request.user, "staff.set_active", staff),
            "can_send_setup": can(request.user, "staff.password_setup", staff),
            "activate_form": ActiveToggleForm(initial={"version": staff.version, "active": "1"}),
            "nav_active": "admin",
        },
    )


@login_required
def staff_create(request):
    require(request.user, "staff.create")
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff = services.staff_create(
                actor=request.user, data=form.service_data(), memberships=form.membership_data()
            )
            if form.cleaned_data.get("send_setup_email"):
                services.staff_send_password_setup(
                    actor=request.user, staff=staff, base_url=request.build_absolute_uri("/")
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("職員を登録しました。"))
            if form.cleaned_data.get("send_setup_email"):
                messages.info(request, _("パスワード設定メールを送信しました。"))
            return redirect("agencies:staff_detail", public_id=staff.public_id)
    return render(
        request,
        "agencies/staff_form.html",
        {"form": form, "title": _("職員の登録"), "nav_active": "admin"},
    )


@login_required
def staff_edit(request, public_id):
    staff = _staff(public_id)
    decision = require(request.user, "staff.update", staff)
    editable = editable_staff_fields(decision)
    form = StaffForm(request.POST or None, instance=staff, editable=editable)
    differences = []
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(
                actor=request.user,
                staff=staff,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except services.ConcurrentEditError:
            form, differences = _conflict(
                request, StaffForm, staff, services.STAFF_FIELDS, editable=editable
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("職員情報を更新しました。"))
            return redirect("agencies:staff_detail", public_id=staff.public_id)
    return render(
        request,
        "agencies/staff_form.html",
        {
            "form": form,
            "staff": staff,
            "differences": differences,
            "title": _("職員情報の編集"),
            "limited": decision.basis != Basis.ADMIN,
            "nav_active": "admin",
        },
    )


@login_required
def staff_deactivate(request, public_id):
    staff = _staff(public_id)
    require(request.user, "staff.set_active", staff)
    if not staff.is_active:
        raise Http404
    form = StaffDeactivateForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_set_active(
                actor=request.user,
                staff=staff,
                active=False,
                expected_version=form.cleaned_data["version"],
                end_memberships_on=(
                    form.cleaned_data["end_date"] if form.cleaned_data["end_memberships"] else None
                ),
            )
        except services.ConcurrentEditError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("アカウントを無効にしました。ログインとAPIトークンは使えなくなります。")
            )
            return redirect("agencies:staff_detail", public_id=staff.public_id)
    return render(
        request,
        "agencies/staff_deactivate.html",
        {
            "form": form,
            "staff": staff,
            "open_memberships": Membership.objects.filter(user=staff, end_date__isnull=True)
            .select_related("agency")
            .order_by("agency__kana"),
            "nav_active": "admin",
        },
    )


@login_required
@require_POST
def staff_activate(request, public_id):
    staff = _staff(public_id)
    require(request.user, "staff.set_active", staff)
    form = ActiveToggleForm(request.POST)
    if form.is_valid():
        try:
            services.staff_set_active(
                actor=request.user,
                staff=staff,
                active=True,
                expected_version=form.cleaned_data["version"],
            )
        except services.ConcurrentEditError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("アカウントを有効にしました。必要なら所属を追加してください。")
            )
    return redirect("agencies:staff_detail", public_id=staff.public_id)


@login_required
@require_POST
def staff_password_setup(request, public_id):
    staff = _staff(public_id)
    require(request.user, "staff.password_setup", staff)
    try:
        services.staff_send_password_setup(
            actor=request.user, staff=staff, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("パスワード設定メールを送信しました。"))
    return redirect("agencies:staff_detail", public_id=staff.public_id)


# --- memberships ------------------------------------------------------------------------


@login_required
def membership_add(request, public_id):
    staff = _staff(public_id)
    require(request.user, "membership.manage", staff)
    form = MembershipStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_start(actor=request.user, user=staff, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("所属を追加しました。"))
            return redirect("agencies:staff_detail", public_id=staff.public_id)
    return render(
        request,
        "agencies/membership_form.html",
        {"form": form, "staff": staff, "title": _("所属の追加"), "nav_active": "admin"},
    )


def _membership(pk: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user", "agency"), pk=pk)


@login_required
def membership_end(request, pk: int):
    membership = _membership(pk)
    require(request.user, "membership.manage", membership.user)
    if membership.end_date is not None:
        messages.info(request, _("この所属は既に終了しています。"))
        return redirect("agencies:staff_detail", public_id=membership.user.public_id)
    form = MembershipEndForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(
                actor=request.user, membership=membership, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("所属を終了しました。"))
            return redirect("agencies:staff_detail", public_id=membership.user.public_id)
    return render(
        request,
        "agencies/membership_form.html",
        {
            "form": form,
            "staff": membership.user,
            "membership": membership,
            "title": _("所属の終了"),
            "nav_active": "admin",
        },
    )


@login_required
def membership_transfer(request, pk: int):
    membership = _membership(pk)
    require(request.user, "membership.manage", membership.user)
    form = MembershipTransferForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_transfer(
                actor=request.user,
                membership=membership,
                to_agency=data["to_agency"],
                transfer_date=data["transfer_date"],
                role=data["role"] or None,
                note=data["note"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("異動を登録しました。前の所属は異動日の前日で終了しました。")
            )
            return redirect("agencies:staff_detail", public_id=membership.user.public_id)
    return render(
        request,
        "agencies/membership_form.html",
        {
            "form": form,
            "staff": membership.user,
            "membership": membership,
            "title": _("異動(所属の切替)"),
            "transfer": True,
            "nav_active": "admin",
        },
    )


# --- CSV import -------------------------------------------------------------------------

_IMPORTS = {
    "agency": {
        "action": "agency.import",
        "columns": imports.AGENCY_COLUMNS,
        "title": gettext_lazy("機関のCSV取込"),
        "filename": "機関取込テンプレート.csv",
        "list_url": "agencies:agency_list",
    },
    "staff": {
        "action": "staff.import",
        "columns": imports.STAFF_COLUMNS,
        "title": gettext_lazy("職員・所属のCSV取込"),
        "filename": "職員取込テンプレート.csv",
        "list_url": "agencies:staff_list",
    },
}


def _import_view(request, kind: str):
    spec = _IMPORTS[kind]
    require(request.user, spec["action"])
    form = CsvImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        dry_run = "validate" in request.POST
        if kind == "agency":
            report = imports.import_agencies(
                actor=request.user, file=form.cleaned_data["file"], dry_run=dry_run
            )
        else:
            report = imports.import_staff(
                actor=request.user,
                file=form.cleaned_data["file"],
                dry_run=dry_run,
                base_url=request.build_absolute_uri("/"),
                send_setup_email=bool(request.POST.get("send_setup_email")),
            )
        if report.imported:
            messages.success(request, _("%(n)d件を取り込みました。") % {"n": report.created})
    context = {
        "form": form,
        "report": report,
        "kind": kind,
        "columns": spec["columns"],
        "title": spec["title"],
        "list_url": reverse(spec["list_url"]),
        "template_url": reverse(f"agencies:{kind}_import_template"),
        "nav_active": "admin",
    }
    if kind == "agency":
        from .choices import AgencyKind, OperatorType, Programme

        context["code_tables"] = [
            (_("機関種別"), AgencyKind.choices),
            (_("設置・運営形態"), OperatorType.choices),
            (_("実施事業"), Programme.choices),
        ]
    else:
        from .choices import Role

        context["code_tables"] = [(_("役割"), Role.choices)]
    return render(request, "agencies/import.html", context)


@login_required
def agency_import(request):
    return _import_view(request, "agency")


@login_required
def staff_import(request):
    return _import_view(request, "staff")


def _template_download(request, kind: str):
    spec = _IMPORTS[kind]
    require(request.user, spec["action"])
    header, rows = imports.template_rows(spec["columns"])
    return csv_response(spec["filename"], header, rows)


@login_required
def agency_import_template(request):
    return _template_download(request, "agency")


@login_required
def staff_import_template(request):
    return _template_download(request, "staff")
