"""Picker fields for 本人, 世帯, 本人同意, 担当者, 機関 and 支援ケース (agencies/combobox.py), shared
by the intake, case, meeting and outreach forms. A form declares the field with one of the
`*_field` functions and binds it to the acting user in __init__ (`bind_pickers`, `bind_case`,
`bind_staff`); the queryset a submitted id is checked against and the typed-text search are the
selectors the picker endpoints use."""

from __future__ import annotations

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from agencies.combobox import PickerField
from agencies.models import Membership, User
from cases.models import Consent
from cases.selectors import pickers


def person_field(**kwargs) -> PickerField:
    kwargs.setdefault("label", _("本人"))
    kwargs.setdefault("required", False)
    return PickerField(
        url=reverse_lazy("cases:person_picker"),
        to_field_name="public_id",
        label_from=pickers.person_label,
        **kwargs,
    )


def household_member_field(*, household: str = "household", **kwargs) -> PickerField:
    """本人 among the living current members of the household chosen in the field named
    `household` (the support case's 本人). Bind with `bind_pickers(form, user, person=…)`."""
    kwargs.setdefault("label", _("本人"))
    kwargs.setdefault("required", False)
    return PickerField(
        url=reverse_lazy("cases:person_picker"),
        depends=household,
        depends_param="household",
        to_field_name="public_id",
        label_from=pickers.person_label,
        **kwargs,
    )


def household_field(**kwargs) -> PickerField:
    kwargs.setdefault("label", _("世帯"))
    kwargs.setdefault("required", False)
    return PickerField(
        url=reverse_lazy("cases:household_picker"), to_field_name="public_id", **kwargs
    )


def consent_field(**kwargs) -> PickerField:
    kwargs.setdefault("label", _("本人同意"))
    kwargs.setdefault("required", False)
    return PickerField(
        url=reverse_lazy("cases:consent_picker"),
        depends="person",
        to_field_name="public_id",
        label_from=pickers.consent_label,
        **kwargs,
    )


def staff_field(*, agency: str = "agency", **kwargs) -> PickerField:
    """担当者: care staff of the agency chosen in the field named `agency`."""
    kwargs.setdefault("label", _("担当者"))
    kwargs.setdefault("required", False)
    return PickerField(
        url=reverse_lazy("agencies:staff_picker"),
        depends=agency,
        depends_param="agency",
        label_from=lambda u: u.display_name or u.username,
        **kwargs,
    )


class AgencyPickerField(PickerField):
    """An agency picker that says why an agency it does not offer cannot be chosen (it was
    deactivated, or nobody there can answer a sheet, since the form was opened): the directory
    is no secret, so the reason is given by name."""

    purpose = "active"

    def to_python(self, value):
        from django.core.exceptions import ValidationError

        from agencies.models import Agency

        try:
            return super().to_python(value)
        except ValidationError as exc:
            chosen = value[0] if isinstance(value, tuple) else value
            if exc.code != "invalid_choice" or not str(chosen or "").isdigit():
                raise
            agency = Agency.objects.filter(pk=int(chosen)).first()
            # An offered agency whose text was edited to something else: the search's answer.
            if agency is None or self.queryset.filter(pk=agency.pk).exists():
                raise
            if not agency.active:
                message = _(
                    "「%(name)s」は現在無効な機関のため選べません。別の機関を選んでください。"
                )
            elif self.purpose == "receiver":
                message = _(
                    "「%(name)s」には回答できる職員が登録されていません。"
                    "機関に確認するか、別の機関を選んでください。"
                )
            else:
                raise
            raise ValidationError(message, code="invalid_choice", params={"name": agency.name})


def agency_field(*, purpose: str = "active", **kwargs) -> PickerField:
    """機関: the agencies a field of `purpose` may be set to (agencies.selectors.agencies_for —
    "active", or "receiver": where someone can answer a つなぐシート). The directory is the same
    for every professional, so the field needs no binding to the user."""
    from agencies.selectors import agencies_for, agency_label, agency_matching

    kwargs.setdefault("label", _("機関"))
    url = "agencies:receiver_picker" if purpose == "receiver" else "agencies:agency_picker"
    field = AgencyPickerField(
        queryset=agencies_for(purpose), url=reverse_lazy(url), label_from=agency_label, **kwargs
    )
    field.purpose = purpose
    field.search = lambda q: agency_matching(q=q, purpose=purpose)
    return field


def agency_filter_field(**kwargs) -> PickerField:
    """機関 as a list filter: the agency picker, not a <select> of the whole directory (140
    agencies at city scale, rendered on every load). Empty: rows of every agency. The picker
    offers the active agencies, but a deactivated one keeps its rows, so its id (a kept link)
    still filters. Clean it with `keep_chosen_shown`."""
    from agencies.models import Agency

    kwargs.setdefault("required", False)
    kwargs.setdefault("help_text", _("機関名・ふりがな・種別・地区で検索"))
    field = agency_field(**kwargs)
    field.queryset = Agency.objects.all()
    return field


def keep_chosen_shown(form, name: str):
    """A filter form's clean_<name> for a picker: the list is shown again with the form, so the
    chosen row is shown by its label, also when only its id came (a link) or typed text was
    resolved (without JavaScript). Returns the chosen row."""
    chosen = form.cleaned_data[name]
    if chosen is not None:
        field = form.fields[name]
        form.data = form.data.copy()
        form.data[form.add_prefix(name)] = str(getattr(chosen, field.to_field_name or "pk"))
        form.data[f"{form.add_prefix(name)}_text"] = field.label_from(chosen)
    return chosen


def use_agency_picker(form, name: str, *, purpose: str = "active") -> None:
    """Replace a form's agency <select> (a ModelForm's foreign key, say) by the agency picker,
    keeping its label, help text and whether it is required."""
    old = form.fields[name]
    form.fields[name] = agency_field(
        purpose=purpose,
        label=old.label,
        required=old.required,
        help_text=old.help_text or _("機関名・ふりがな・種別・地区で検索"),
    )


def case_field(*, closed: bool = False, household: str = "", **kwargs) -> PickerField:
    """支援ケース among those the user may see (bind with `bind_case`); `closed` offers only
    closed ones, `household` names a field whose household narrows the cases."""
    kwargs.setdefault("label", _("支援ケース"))
    kwargs.setdefault("required", False)
    url = "cases:closed_case_picker" if closed else "cases:case_picker"
    field = PickerField(
        url=reverse_lazy(url),
        depends=household,
        depends_param="household",
        to_field_name="public_id",
        **kwargs,
    )
    field.closed = closed
    return field


def bind_case(form, user, *, case="case", household="household") -> None:
    """Narrow a `case_field` to the cases `user` may see and give it its label and search."""
    from cases.selectors.support import cases_visible_to

    field = form.fields[case]
    queryset = cases_visible_to(user).select_related("principal", "lead_agency")
    if field.closed:
        queryset = queryset.filter(status__in=pickers.CLOSED_STATUSES)
    field.queryset = queryset
    field.label_from = lambda c: pickers.case_label(actor=user, case=c)
    depends = bool(field.widget.depends)

    def search(q):
        chosen = getattr(form, "cleaned_data", {}).get(household) if depends else None
        if depends and chosen is None:
            return []
        return pickers.case_pick(actor=user, q=q, household=chosen, closed=field.closed)

    field.search = search


def care_staff() -> object:
    """Every active staff member holding a care role somewhere today: what a submitted 担当者
    id is checked against before the form checks it belongs to the chosen agency."""
    from agencies.choices import CARE_ROLES

    return User.objects.filter(
        is_active=True, memberships__in=Membership.objects.current().filter(role__in=CARE_ROLES)
    ).distinct()


def bind_pickers(form, user, *, person="person", household="household", consent="consent"):
    """Narrow the form's picker fields to what `user` may see and give them their search."""
    from cases.policy.persons import households_visible_to, persons_visible_to

    fields = form.fields
    if person in fields:
        fields[person].queryset = persons_visible_to(user).select_related(
            "registered_by_agency", "area"
        )
        if fields[person].widget.depends:  # 本人 among the chosen household's members
            fields[person].search = lambda q: pickers.person_pick(
                actor=user,
                q=q,
                household=getattr(form, "cleaned_data", {}).get(household) or "",
            )
        else:
            fields[person].search = lambda q: pickers.person_pick(actor=user, q=q)
    if household in fields:
        fields[household].queryset = households_visible_to(user).select_related(
            "area", "registered_by_agency"
        )
        fields[household].label_from = lambda h: pickers.household_label(actor=user, household=h)
        fields[household].search = lambda q: pickers.household_pick(actor=user, q=q)
    if consent in fields:
        fields[consent].queryset = Consent.objects.filter(
            person__in=persons_visible_to(user).values("pk")
        )
        # Fields are cleaned in order, so the person is known when the consent is resolved.
        fields[consent].search = lambda q: pickers.consent_pick(
            actor=user, person=getattr(form, "cleaned_data", {}).get(person), q=q
        )


def bind_staff(form, *, staff="staff", agency="agency"):
    """A 担当者 field: care staff; typed text is looked up among the chosen agency's staff."""
    from agencies.selectors import care_staff_matching

    field = form.fields[staff]
    field.queryset = care_staff()

    def search(q):
        chosen = getattr(form, "cleaned_data", {}).get(agency)
        if chosen is None:
            return []
        return care_staff_matching(agency_id=chosen.pk, q=q)

    field.search = search


def check_consent_person(form, *, person="person", consent="consent") -> None:
    data = form.cleaned_data
    chosen = data.get(consent)
    if chosen is not None and chosen.person_id != getattr(data.get(person), "pk", None):
        form.add_error(consent, _("本人同意は、選んだ本人の同意の記録から選んでください。"))


def check_staff_agency(form, *, staff="staff", agency="agency") -> None:
    data = form.cleaned_data
    user, chosen = data.get(staff), data.get(agency)
    if user is None:
        return
    from agencies.selectors import care_staff_of

    if chosen is None or not care_staff_of(chosen.pk).filter(pk=user.pk).exists():
        form.add_error(staff, _("担当者は、選んだ機関に所属している職員から選んでください。"))
