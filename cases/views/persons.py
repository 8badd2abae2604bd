"""HTML views for persons, households and consents. Thin: parse, call a selector or service,
render. Every page of personal data asks the policy and is audited by the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agencies import uploads
from agencies.forms import apply_service_errors
from agencies.models import Agency
from agencies.paging import FirstPageCountingPaginator, all_rows
from agencies.policy import can, require
from audit.services import record, record_list
from audit.views_of import recent_views
from cases.choices import InfoKind
from cases.forms_persons import (
    ConsentForm,
    ConsentWithdrawForm,
    HouseholdForm,
    HouseholdMemberForm,
    MemberLeaveForm,
    MergeForm,
    PersonForm,
    PersonSearchForm,
)
from cases.history import format_entry_date, person_history
from cases.models import Consent, Household, HouseholdMember, Person
from cases.policy.persons import (
    care_agency_ids,
    person_access,
    person_decisions,
    person_fields_for,
    persons_visible_to,
)
from cases.selectors.persons import (
    household_members,
    person_consents,
    person_find_duplicates,
    person_households,
    person_search,
    recent_persons,
)
from cases.services import persons as services

NAV = "persons"
PAGE_SIZE = 50


def _care_agencies(user) -> list[Agency]:
    return list(Agency.objects.filter(pk__in=care_agency_ids(user)).order_by("kana"))


def _person_or_redirect(request, public_id):
    """The person, or a redirect to the record it was merged into."""
    person = get_object_or_404(
        Person.objects.select_related("registered_by_agency"), public_id=public_id
    )
    if person.merged_into_id:
        kept = person.merged_into
        while kept.merged_into_id:
            kept = kept.merged_into
        if can(request.user, "person.view", kept):
            messages.info(request, _("この記録は統合されました。統合先の記録を表示しています。"))
            return person, redirect(request.resolver_match.view_name, public_id=kept.public_id)
        raise PermissionDenied
    return person, None


# --- search ---------------------------------------------------------------------------------


# What a row of search.html prints and the decision per row reads (a person has 28 columns).
SEARCH_ROW = (
    "public_id",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "birth_date",
    "registered_by_agency__name",
)


@login_required
def person_search_view(request):
    require(request.user, "person.search")
    form = PersonSearchForm(request.GET or None)
    result = None
    page = None
    decisions = {}
    elsewhere = []
    if form.is_bound and form.is_valid():
        result = person_search(actor=request.user, **form.cleaned_data)
        if result.searched:
            page = FirstPageCountingPaginator(
                result.persons.select_related(None)
                .select_related("registered_by_agency")
                .only(*SEARCH_ROW),
                PAGE_SIZE,
            ).get_page(request.GET.get("page"))
            decisions = person_decisions(request.user, page.object_list)
            record_list(actor=request.user, action="person.search", objects=page.object_list)
            elsewhere = result.elsewhere(visible=all_rows(page))
    recent = recent_persons(actor=request.user) if result is None or not result.searched else []
    rows = [(p, decisions[p.pk]) for p in page.object_list] if page else []
    return render(
        request,
        "cases/persons/search.html",
        {
            "form": form,
            "result": result,
            "page_obj": page,
            "rows": rows,
            "elsewhere": elsewhere,
            "recent": recent,
            "nav_active": NAV,
        },
    )


# --- create with the duplicate step ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    require(request.user, "person.create")
    # From a household's 世帯員を追加 page: come back there with the new person chosen.
    household = None
    ref = request.GET.get("household") or request.POST.get("household")
    if ref and _is_uuid(ref):
        household = Household.objects.filter(public_id=ref).first()
        if household is not None and not can(request.user, "household.add_member", household):
            household = None
    agencies = _care_agencies(request.user)
    form = PersonForm(request.POST or None, agencies=agencies)
    matches = None
    if request.method == "POST" and form.is_valid():
        data = form.person_data()
        if not request.POST.get("confirm_new"):
            matches = person_find_duplicates(actor=request.user, data=data)
        if not matches:
            try:
                person = services.person_create(
                    actor=request.user, data=data, agency=form.cleaned_data.get("agency")
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if household is not None:
                    messages.success(
                        request, _("対象者を登録しました。続柄を選んで世帯員に追加してください。")
                    )
                    url = reverse("cases:household_member_add", args=[household.public_id])
                    return redirect(f"{url}?person={person.public_id}")
                messages.success(request, _("対象者を登録しました。"))
                return redirect("cases:person_detail", public_id=person.public_id)
    return render(
        request,
        "cases/persons/person_form.html",
        {
            "form": form,
            "matches": matches,
            "creating": True,
            "household": household,
            "nav_active": NAV,
        },
    )


# --- detail, edit ---------------------------------------------------------------------------


@login_required
def person_detail(request, public_id):
    person, redirect_to = _person_or_redirect(request, public_id)
    if redirect_to:
        return redirect_to
    decision = services.person_record_view(actor=request.user, person=person)
    sections = decision.sections
    links = person_households(person) if InfoKind.HOUSEHOLD in sections else []
    link_access = {}
    if links:
        from cases.policy.persons import household_access

        link_access = {m.household_id: household_access(request.user, m.household) for m in links}
    history = person_history(request.user, person)
    can_update = can(request.user, "person.update", person)
    consents, consent_total = person_consents(person, everything="consents" in request.GET)
    return render(
        request,
        "cases/persons/person_detail.html",
        {
            "person": person,
            "history": [(e, format_entry_date(e)) for e in history],
            "can_consult": can(request.user, "consultation.create"),
            "can_refer": can(request.user, "referral.create"),
            "decision": decision,
            "sections": sections,
            "show_basic": InfoKind.BASIC in sections,
            "show_household": InfoKind.HOUSEHOLD in sections,
            "show_notes": InfoKind.OTHER in sections,
            "links": [(m, link_access.get(m.household_id)) for m in links],
            "consents": consents,
            "consent_total": consent_total,
            "can_update": can_update,
            # "Who viewed this": for those responsible for the record (who may edit it).
            "views": recent_views(person) if can_update else None,
            "can_merge": can(request.user, "person.merge", person),
            "can_see_access_record": can(request.user, "person.disclosures", person),
            "can_create_household": can(request.user, "household.create"),
            "merged_from": list(person.merged_from.all().only("public_id", "merged_at")),
            "nav_active": NAV,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, public_id):
    person, redirect_to = _person_or_redirect(request, public_id)
    if redirect_to:
        return redirect_to
    decision = require(request.user, "person.update", person)
    if request.method == "GET":  # the form shows the record: reading it is audited too
        record(actor=request.user, action="person.view", obj=person, basis=decision.basis)
    fields = person_fields_for(decision.sections)
    form = PersonForm(request.POST or None, instance=person, fields=fields)
    version = request.POST.get("version") or person.version
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            expected = int(version)
        except (TypeError, ValueError):
            expected = -1
        try:
            services.person_update(
                actor=request.user,
                person=person,
                data=form.person_data(),
                expected_version=expected,
            )
        except services.ConflictError as exc:
            conflict = exc
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("対象者の情報を更新しました。"))
            return redirect("cases:person_detail", public_id=person.public_id)
    return render(
        request,
        "cases/persons/person_form.html",
        {
            "form": form,
            "person": person,
            "version": conflict.current_version if conflict else version,
            "conflict": conflict,
            "conflict_rows": [
                (form.fields[name].label if name in form.fields else name, mine, theirs)
                for name, mine, theirs in (conflict.differences if conflict else [])
            ],
            "nav_active": NAV,
        },
    )


# --- merge ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def person_merge(request, public_id):
    keep, redirect_to = _person_or_redirect(request, public_id)
    if redirect_to:
        return redirect_to
    require(request.user, "person.merge", keep)
    data = {
        f: getattr(keep, f)
        for f in (
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "birth_date",
            "phone",
        )
    }
    candidates = [
        m
        for m in person_find_duplicates(actor=request.user, data=data, exclude=keep, limit=20)
        if m.visible and can(request.user, "person.merge", m.person)
    ]
    absorb = None
    selected = request.POST.get("absorb") or request.GET.get("absorb")
    if selected:
        absorb = next((m.person for m in candidates if str(m.person.public_id) == selected), None)
        if absorb is None:
            absorb = (
                Person.objects.active().filter(public_id=selected).first()
                if _is_uuid(selected)
                else None
            )
            if (
                absorb is None
                or not can(request.user, "person.merge", absorb)
                or absorb.pk == keep.pk
            ):
                raise Http404
    form = MergeForm(request.POST or None, initial={"absorb": selected})
    if request.method == "POST" and absorb is not None and form.is_valid():
        try:
            services.person_merge(
                keep=keep, absorb=absorb, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("2つの記録を統合しました。"))
            return redirect("cases:person_detail", public_id=keep.public_id)
    return render(
        request,
        "cases/persons/merge.html",
        {"keep": keep, "absorb": absorb, "candidates": candidates, "form": form, "nav_active": NAV},
    )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# --- households -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request):
    require(request.user, "household.create")
    principal = None
    if request.GET.get("person") or request.POST.get("person"):
        ref = request.GET.get("person") or request.POST.get("person")
        if not _is_uuid(ref):
            raise Http404
        principal = get_object_or_404(Person.objects.active(), public_id=ref)
        require(request.user, "person.view", principal)
    agencies = _care_agencies(request.user)
    form = HouseholdForm(
        request.POST or None,
        agencies=agencies,
        choose_principal_for=request.user if principal is None else None,
    )
    if request.method == "POST" and form.is_valid():
        data = {
            k: form.cleaned_data[k]
            for k in ("postal_code", "address", "area", "type_tags", "notes")
        }
        try:
            household = services.household_create(
                actor=request.user,
                data=data,
                agency=form.cleaned_data.get("agency"),
                principal=principal or form.cleaned_data.get("person"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("世帯を登録しました。"))
            return redirect("cases:household_detail", public_id=household.public_id)
    if principal is not None and not form.is_bound:
        form.initial.update(
            postal_code=principal.postal_code, address=principal.address, area=principal.area_id
        )
    return render(
        request,
        "cases/persons/household_form.html",
        {"form": form, "principal": principal, "creating": True, "nav_active": NAV},
    )


def _household(public_id) -> Household:
    return get_object_or_404(
        Household.objects.select_related("registered_by_agency", "area"), public_id=public_id
    )


@login_required
def household_detail(request, public_id):
    household = _household(public_id)
    decision = require(request.user, "household.view", household)
    record(actor=request.user, action="household.view", obj=household, basis=decision.basis)
    rows = household_members(actor=request.user, household=household)
    return render(
        request,
        "cases/persons/household_detail.html",
        {
            "household": household,
            "decision": decision,
            "current_rows": [r for r in rows if r.member.is_current],
            "past_rows": [r for r in rows if not r.member.is_current],
            "can_update": can(request.user, "household.update", household),
            "can_consult": can(request.user, "consultation.create"),
            "can_refer": can(request.user, "referral.create"),
            "nav_active": NAV,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, public_id):
    household = _household(public_id)
    decision = require(request.user, "household.update", household)
    if request.method == "GET":  # the form shows the record: reading it is audited too
        record(actor=request.user, action="household.view", obj=household, basis=decision.basis)
    form = HouseholdForm(request.POST or None, instance=household)
    version = request.POST.get("version") or household.version
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {
            k: form.cleaned_data[k]
            for k in ("postal_code", "address", "area", "type_tags", "notes")
        }
        try:
            services.household_update(
                actor=request.user, household=household, data=data, expected_version=int(version)
            )
        except services.ConflictError as exc:
            conflict = exc
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("世帯の情報を更新しました。"))
            return redirect("cases:household_detail", public_id=household.public_id)
    return render(
        request,
        "cases/persons/household_form.html",
        {
            "form": form,
            "household": household,
            "version": conflict.current_version if conflict else version,
            "conflict": conflict,
            "nav_active": NAV,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_member_add(request, public_id):
    household = _household(public_id)
    require(request.user, "household.add_member", household)
    chosen = request.GET.get("person", "")
    search = PersonSearchForm(
        request.GET
        if request.GET.get("q") or request.GET.get("phone") or request.GET.get("birth_date")
        else None
    )
    found = []
    if search.is_bound and search.is_valid():
        found = list(person_search(actor=request.user, **search.cleaned_data).persons[:20])
    elif chosen and _is_uuid(chosen):  # just registered from this page (person_create)
        found = list(persons_visible_to(request.user).filter(public_id=chosen)[:1])
    form = HouseholdMemberForm(
        request.POST or None, initial={"person": found[0].public_id} if len(found) == 1 else None
    )
    if request.method == "POST" and form.is_valid():
        person = (
            persons_visible_to(request.user).filter(public_id=form.cleaned_data["person"]).first()
        )
        if person is None:
            form.add_error("person", _("世帯員を選んでください。"))
        else:
            try:
                services.household_add_member(
                    actor=request.user,
                    household=household,
                    person=person,
                    **{k: v for k, v in form.cleaned_data.items() if k != "person"},
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("世帯員を追加しました。"))
                return redirect("cases:household_detail", public_id=household.public_id)
    return render(
        request,
        "cases/persons/member_add.html",
        {"household": household, "search": search, "found": found, "form": form, "nav_active": NAV},
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_member_leave(request, public_id, person_id):
    household = _household(public_id)
    require(request.user, "household.member_leave", household)
    member = get_object_or_404(
        HouseholdMember.objects.current().select_related("person"),
        household=household,
        person__public_id=person_id,
    )
    form = MemberLeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_member_leave(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("世帯員が世帯を離れたことを記録しました。"))
            return redirect("cases:household_detail", public_id=household.public_id)
    shown = person_access(request.user, member.person).allowed
    return render(
        request,
        "cases/persons/member_leave.html",
        {"household": household, "member": member, "shown": shown, "form": form, "nav_active": NAV},
    )


# --- consent --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consent_create(request, public_id):
    person, redirect_to = _person_or_redirect(request, public_id)
    if redirect_to:
        return redirect_to
    require(request.user, "consent.create", person)
    form = ConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.consent_record(actor=request.user, person=person, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("本人同意を記録しました。"))
            return redirect(
                reverse("cases:person_detail", kwargs={"public_id": person.public_id}) + "#consents"
            )
    return render(
        request,
        "cases/persons/consent_form.html",
        {"form": form, "person": person, "nav_active": NAV},
    )


def _consent(public_id) -> Consent:
    return get_object_or_404(
        Consent.objects.select_related("person", "recorded_by_agency"), public_id=public_id
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, public_id):
    consent = _consent(public_id)
    require(request.user, "consent.withdraw", consent)
    form = ConsentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person_id = consent.person.public_id
        try:
            services.consent_withdraw(
                actor=request.user, consent=consent, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("同意の撤回を記録しました。撤回は直ちに有効です。"))
            if can(request.user, "person.view", consent.person):
                return redirect(
                    reverse("cases:person_detail", kwargs={"public_id": person_id}) + "#consents"
                )
            return redirect("cases:person_search")
    return render(
        request,
        "cases/persons/consent_withdraw.html",
        {"consent": consent, "form": form, "nav_active": NAV},
    )


@login_required
def consent_document(request, public_id):
    consent = _consent(public_id)
    try:
        handle = services.consent_document_open(actor=request.user, consent=consent)
    except Consent.DoesNotExist:
        raise Http404
    kind = uploads.kind_for(consent.document_content_type)
    return uploads.private_file_response(
        handle,
        content_type=consent.document_content_type,
        filename=f"consent-{consent.public_id}{kind.suffix if kind else ''}",
    )


@login_required
@require_POST
def consent_attach(request, public_id):
    consent = _consent(public_id)
    require(request.user, "consent.document", consent)
    upload = request.FILES.get("document")
    if upload is None:
        messages.error(request, _("ファイルを選んでください。"))
    else:
        try:
            services.consent_attach_document(actor=request.user, consent=consent, document=upload)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("同意書を添付しました。"))
    return redirect(
        reverse("cases:person_detail", kwargs={"public_id": consent.person.public_id}) + "#consents"
    )
