"""Forms of the 多機関協働 case: they validate input and hand clean values to the services."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.combobox import EMPTY_LABEL
from agencies.forms import DateField, DateInput, apply_service_errors
from agencies.models import Agency, User
from cases.choices import ClosureReason, IssueCategory
from cases.forms_pickers import (
    agency_field,
    agency_filter_field,
    bind_case,
    bind_pickers,
    bind_staff,
    case_field,
    check_staff_agency,
    household_field,
    household_member_field,
    keep_chosen_shown,
    staff_field,
    use_agency_picker,
)
from cases.models import (
    ActivityNote,
    Assessment,
    AssessmentRelation,
    Evaluation,
    EvaluationItem,
    Monitoring,
    Plan,
    TeamRole,
)
from cases.selectors.support import case_coordinator_choices, named_case_coordinator

DATE = DateInput()


def _staff():
    return (
        User.objects.filter(is_active=True, memberships__isnull=False).distinct().order_by("kana")
    )


class PersonChoiceField(forms.ModelChoiceField):
    """Household members by relation and age (names appear only where the page shows them)."""

    def __init__(self, *args, labels: dict | None = None, **kwargs):
        self.labels = labels or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.labels.get(obj.pk, str(obj))


def member_labels(members) -> dict[int, str]:
    labels = {}
    for m in members:
        age = m.person.age()
        relation = m.get_relation_display()
        if age is not None:
            relation = f"{relation}・{_('%(age)s歳') % {'age': age}}"
        labels[m.person_id] = f"{m.person.full_name}({relation})"
    return labels


class LockVersionMixin(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class SheetRowForm(forms.Form):
    """A row of a sheet's table (plan items, assessment issues and relations). A row left empty is
    skipped; a row with something typed in it must have its `REQUIRED` fields, each refused next to
    the field, so what was typed is never dropped silently."""

    CONTENT: tuple[str, ...] = ()
    REQUIRED: tuple[tuple[str, str], ...] = ()

    def has_content(self) -> bool:
        d = self.cleaned_data
        return any(d.get(name) for name in self.CONTENT)

    def is_kept(self) -> bool:
        """Something typed in it and not marked 削除: the row is checked and saved."""
        return not self.cleaned_data.get("DELETE") and self.has_content()

    def clean(self):
        data = super().clean()
        if self.is_kept():
            for name, message in self.REQUIRED:
                if not data.get(name):
                    self.add_error(name, message)
        return data


def kept_forms(formset) -> list[SheetRowForm]:
    """The forms of a valid formset of `SheetRowForm`s that are saved: not the empty or deleted
    ones, in order (the n-th is the service's row n)."""
    return [f for f in formset.forms if f.cleaned_data and f.is_kept()]


def sheet_rows(formset) -> list[dict]:
    """The rows of a valid formset of `SheetRowForm`s to save: not the empty or deleted ones."""
    return [{k: v for k, v in f.cleaned_data.items() if k != "DELETE"} for f in kept_forms(formset)]


def apply_sheet_errors(form: forms.Form, exc: ValidationError, **formsets) -> None:
    """A sheet service's ValidationError on the page: an error the service names
    "<rows>.<n>.<field>" (the API's shape, e.g. "items.1.due_on") goes to that field of the n-th
    kept row of the formset passed as `<rows>=`; the rest as `apply_service_errors`."""
    if not hasattr(exc, "error_dict"):
        apply_service_errors(form, exc)
        return
    rows = {name: kept_forms(formset) for name, formset in formsets.items()}
    rest: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        name, _dot, tail = key.partition(".")
        index, _dot, field = tail.partition(".")
        kept = rows.get(name, [])
        if index.isdigit() and int(index) < len(kept) and field in kept[int(index)].fields:
            kept[int(index)].add_error(field, messages)
        else:
            rest[key] = messages
    if rest:
        apply_service_errors(form, ValidationError(rest))


# --- case -------------------------------------------------------------------------------------------


class CoordinatorFilterField(forms.ModelChoiceField):
    """担当推進員 as a list filter: a <select> of the coordinators the list offers
    (`case_coordinator_choices`), which also takes the id of someone it no longer offers but who
    is named on a case (a kept link: `named_case_coordinator`). Anything else — not a number, nobody
    named on a case — is a field error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("すべて"))
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("この担当推進員では絞り込めません。一覧から選び直してください。")},
        )
        super().__init__(queryset=User.objects.none(), **kwargs)

    def label_from_instance(self, obj):
        return obj.display_name or obj.username

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value)
        if not (value.isascii() and value.isdigit()):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        try:
            return super().to_python(value)
        except forms.ValidationError:
            kept = named_case_coordinator(int(value))
            if kept is None:
                raise
            return kept


class CaseListFilterForm(forms.Form):
    """The case list's filters that need resolving: the 主担当機関 picker and the 担当推進員 choice
    (the other filters are plain values read in views.support._case_filters). The list and its
    export both read it."""

    lead_agency = agency_filter_field(label=_("主担当機関"))
    coordinator = CoordinatorFilterField(label=_("担当推進員"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["coordinator"].queryset = case_coordinator_choices(user)

    def clean_lead_agency(self):
        return keep_chosen_shown(self, "lead_agency")

    def clean_coordinator(self):
        """A coordinator the list no longer offers (a kept link) stays shown as chosen."""
        chosen = self.cleaned_data["coordinator"]
        if chosen is not None:
            self.fields["coordinator"].queryset = case_coordinator_choices(
                self.user, also=chosen.pk
            )
        return chosen


class CaseCreateForm(forms.Form):
    household = household_field(
        required=True, help_text=_("世帯主の氏名・ふりがな、または住所で検索")
    )
    coordinating_agency = forms.ModelChoiceField(label=_("多機関協働の実施機関"), queryset=None)
    lead_agency = agency_field(
        label=_("主担当機関"),
        required=False,
        help_text=_("空欄のときは多機関協働の実施機関。機関名・ふりがな・種別・地区で検索"),
    )
    principal = household_member_field(
        label=_("本人(このケースの対象となる方)"),
        help_text=_(
            "選んだ世帯の世帯員から選びます(氏名・ふりがなで検索)。"
            "空欄のときは世帯主(亡くなった方を除く)。世帯主とは限りません。"
        ),
    )
    previous_case = case_field(
        closed=True,
        household="household",
        label=_("前の支援(終結したケース)"),
        help_text=_(
            "同じ世帯の終結したケースに続く支援のとき選びます(例: 遺された家族の支援)。"
            "ケース番号・本人の氏名で検索"
        ),
    )
    opened_on = DateField(label=_("受付日"), initial=timezone.localdate)
    summary = forms.CharField(label=_("主訴・ケースの概要"), max_length=200)

    def __init__(self, *args, user, households, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user, person="principal")
        bind_case(self, user, case="previous_case")
        self.fields["household"].queryset = households
        own = Agency.objects.filter(pk__in=user.agency_ids(), programmes__includes="multiagency")
        self.fields["coordinating_agency"].queryset = own

    def clean(self):
        data = super().clean()
        household, principal = data.get("household"), data.get("principal")
        # The picker offers only the chosen household's living members; a typed or stale id
        # that is not one is refused here (the service refuses it too).
        if household is not None and principal is not None:
            members = household.members.current().filter(person=principal)
            if principal.deceased_on is not None or not members.exists():
                self.add_error(
                    "principal", _("本人は、選んだ世帯の世帯員(存命の方)から選んでください。")
                )
        previous = data.get("previous_case")
        if household is not None and previous is not None and previous.household_id != household.pk:
            self.add_error(
                "previous_case", _("前の支援には、同じ世帯の終結したケースを選んでください。")
            )
        return data

    def clean_opened_on(self):
        value = self.cleaned_data["opened_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("受付日に未来の日付は指定できません。"))
        return value


class CaseEditForm(forms.Form):
    summary = forms.CharField(label=_("主訴・ケースの概要"), max_length=200)
    programmes = forms.MultipleChoiceField(
        label=_("関わる事業"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        choices=[
            ("multiagency", _("多機関協働事業")),
            ("participation", _("参加支援事業")),
            ("outreach", _("アウトリーチ等事業")),
        ],
    )
    persons = forms.ModelMultipleChoiceField(
        label=_("対象となる世帯員"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        from cases.models import Person

        labels = member_labels(members)
        self.fields["persons"].queryset = Person.objects.filter(
            pk__in=[m.person_id for m in members]
        )
        self.fields["persons"].label_from_instance = lambda p: labels.get(p.pk, str(p))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ExceptionalCloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("終結理由"),
        choices=[
            (ClosureReason.DIED.value, ClosureReason.DIED.label),
            (ClosureReason.MOVED.value, ClosureReason.MOVED.label),
        ],
    )
    closed_on = DateField(label=_("終結日"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("申し送り"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class TeamAddForm(forms.Form):
    agency = agency_field(help_text=_("機関名・ふりがな・種別・地区で検索"))
    user = staff_field(help_text=_("選んだ機関の職員から、氏名・ふりがなで検索"))
    role = forms.ChoiceField(
        label=_("ケースでの役割"), choices=TeamRole.choices, initial=TeamRole.SUPPORT
    )
    duties = forms.CharField(label=_("担う内容"), max_length=200, required=False)
    joined_on = DateField(label=_("参加日"), initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bind_staff(self, staff="user")

    def clean(self):
        data = super().clean()
        check_staff_agency(self, staff="user")
        return data


class TeamLeaveForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    left_on = DateField(label=_("離脱日"), initial=timezone.localdate)
    note = forms.CharField(label=_("理由"), max_length=200, required=False)


class LeadAgencyForm(forms.Form):
    agency = agency_field(
        label=_("新しい主担当機関"), help_text=_("機関名・ふりがな・種別・地区で検索")
    )
    on = DateField(label=_("変更日"), initial=timezone.localdate)
    reason = forms.CharField(label=_("理由"), max_length=200)


# --- assessment ------------------------------------------------------------------------------------


class AssessmentForm(LockVersionMixin, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = Assessment.CONTENT_FIELDS
        field_classes = {"assessed_on": DateField}
        widgets = {
            "assessed_on": DATE,
            **{
                f: forms.Textarea(attrs={"rows": 3})
                for f in (
                    "chief_complaint",
                    "household_note",
                    "life_history",
                    "health_note",
                    "economy_note",
                    "housing_note",
                    "work_school_note",
                    "social_note",
                    "wishes",
                    "strengths",
                    "risk_note",
                    "view",
                )
            },
        }

    SECTIONS = [
        (
            _("1. 相談経路・相談者"),
            ["assessed_on", "route", "consulter_kind", "consulter_note", "chief_complaint"],
        ),
        (_("2. 基本情報・世帯・生活歴"), ["principal", "household_note", "life_history"]),
        (
            _("3. 健康・障がい・介護"),
            ["care_level", "cert_physical", "cert_intellectual", "cert_mental", "health_note"],
        ),
        (
            _("4. 収入・債務・滞納・給付"),
            [
                "income_work",
                "income_pension",
                "on_welfare",
                "other_benefits",
                "has_debts",
                "has_arrears",
                "economy_note",
            ],
        ),
        (_("5. 住まい"), ["housing_type", "housing_problem", "housing_note"]),
        (_("6. 就労・就学"), ["work_status", "school_status", "work_school_note"]),
        (_("7. 社会関係"), ["social_note"]),
        (
            _("8. 希望・強み・緊急性・見立て"),
            ["wishes", "strengths", "risk_level", "risk_note", "view"],
        ),
    ]

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        from cases.models import Person

        labels = member_labels(members)
        field = self.fields["principal"]
        field.queryset = Person.objects.filter(pk__in=[m.person_id for m in members])
        field.label_from_instance = lambda p: labels.get(p.pk, str(p))
        if self.instance.pk and not self.is_bound:
            self.initial["lock_version"] = self.instance.lock_version

    def clean_assessed_on(self):
        value = self.cleaned_data["assessed_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("アセスメント日に未来の日付は指定できません。"))
        return value

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


class IssueForm(SheetRowForm):
    person = PersonChoiceField(
        label=_("世帯員"), queryset=None, required=False, empty_label=_("世帯全体")
    )
    category = forms.ChoiceField(
        label=_("課題の分類"), choices=[("", EMPTY_LABEL)] + IssueCategory.choices, required=False
    )
    note = forms.CharField(label=_("内容"), max_length=300, required=False)

    CONTENT = ("person", "category", "note")
    REQUIRED = (("category", _("課題の分類を選んでください。")),)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        from cases.models import Person

        field = self.fields["person"]
        field.queryset = Person.objects.filter(pk__in=[m.person_id for m in members])
        field.labels = member_labels(members)


class RelationForm(SheetRowForm):
    kind = forms.ChoiceField(
        label=_("種類"),
        choices=[("", EMPTY_LABEL)] + AssessmentRelation.Kind.choices,
        required=False,
    )
    label = forms.CharField(label=_("名称・続柄"), max_length=100, required=False)
    agency = agency_field(required=False, help_text=_("機関名・ふりがな・種別・地区で検索"))
    strength = forms.ChoiceField(
        label=_("関係"), choices=AssessmentRelation.Strength.choices, required=False
    )
    note = forms.CharField(label=_("備考"), max_length=200, required=False)

    # 関係 always has a value (普通 by default): it alone does not make a row.
    CONTENT = ("kind", "label", "agency", "note")
    REQUIRED = (("kind", _("種類を選んでください。")),)

    def clean(self):
        data = super().clean()
        if self.is_kept() and not data.get("label"):
            if data.get("agency"):
                data["label"] = data["agency"].short_name or data["agency"].name
            else:
                self.add_error("label", _("名称・続柄を入力してください。"))
        return data


class _MemberFormSet(forms.BaseFormSet):
    def __init__(self, *args, members=(), **kwargs):
        self.members = members
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"members": self.members}


IssueFormSet = forms.formset_factory(IssueForm, formset=_MemberFormSet, extra=3, can_delete=True)
RelationFormSet = forms.formset_factory(RelationForm, extra=2, can_delete=True)


# --- plan ------------------------------------------------------------------------------------------


class PlanForm(LockVersionMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = [f for f in Plan.CONTENT_FIELDS if f != "programme"]
        field_classes = dict.fromkeys(
            ("drafted_on", "period_start", "period_end", "next_monitoring_on", "consent_on"),
            DateField,
        )
        widgets = {
            "drafted_on": DATE,
            "period_start": DATE,
            "period_end": DATE,
            "next_monitoring_on": DATE,
            "consent_on": DATE,
            "wishes": forms.Textarea(attrs={"rows": 3}),
            "overall_goal": forms.Textarea(attrs={"rows": 2}),
            "policy": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["lock_version"] = self.instance.lock_version

    def _get_validation_exclusions(self):
        # The order of the plan's dates is the service's to check (cases.services.support.
        # _check_plan_dates), with the items' 期限 this form does not see, and said at the field:
        # not here by the model's plan_period_ordered constraint, whose message names none.
        return super()._get_validation_exclusions() | {"period_end"}

    def clean(self):
        data = super().clean()
        if data.get("consent_on") and not data.get("consent_method"):
            self.add_error("consent_method", _("同意の方法を選んでください。"))
        return data


class PlanItemForm(SheetRowForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    person = PersonChoiceField(
        label=_("対象"), queryset=None, required=False, empty_label=_("世帯全体")
    )
    category = forms.ChoiceField(
        label=_("課題の分類"), choices=[("", EMPTY_LABEL)] + IssueCategory.choices, required=False
    )
    issue = forms.CharField(
        label=_("課題"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    goal = forms.CharField(
        label=_("目標"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    action = forms.CharField(
        label=_("支援内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    agency = agency_field(
        label=_("担当機関"), required=False, help_text=_("機関名・ふりがな・種別・地区で検索")
    )
    staff = staff_field(help_text=_("担当機関の職員から、氏名・ふりがなで検索"))
    frequency = forms.CharField(label=_("頻度"), max_length=50, required=False)
    due_on = DateField(label=_("期限"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        from cases.models import Person

        self.fields["person"].queryset = Person.objects.filter(
            pk__in=[m.person_id for m in members]
        )
        self.fields["person"].labels = member_labels(members)
        bind_staff(self)

    CONTENT = ("issue", "goal", "action", "agency")
    REQUIRED = (
        ("issue", _("課題を入力してください。")),
        ("goal", _("目標を入力してください。")),
        ("action", _("支援内容を入力してください。")),
        ("agency", _("担当機関を選んでください。")),
    )

    def clean(self):
        data = super().clean()
        if self.is_kept():
            check_staff_agency(self)
        return data


PlanItemFormSet = forms.formset_factory(
    PlanItemForm, formset=_MemberFormSet, extra=3, can_delete=True
)


# --- monitoring and evaluation -----------------------------------------------------------------------


class MonitoringForm(forms.Form):
    item = forms.ModelChoiceField(label=_("プランの項目"), queryset=None)
    monitored_on = DateField(label=_("モニタリング日"), initial=timezone.localdate)
    progress = forms.ChoiceField(label=_("進捗"), choices=Monitoring.Progress.choices)
    note = forms.CharField(
        label=_("状況"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    next_on = DateField(label=_("次回予定日"), required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        from cases.models import PlanItem

        self.fields["item"].queryset = PlanItem.objects.filter(pk__in=[i.pk for i in items])
        labels = {i.pk: f"{i.goal[:40]}({i.agency.short_name or i.agency.name})" for i in items}
        self.fields["item"].label_from_instance = lambda i: labels.get(i.pk, str(i))


class EvaluationForm(LockVersionMixin, forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = Evaluation.CONTENT_FIELDS
        field_classes = {"evaluated_on": DateField}
        widgets = {
            "evaluated_on": DATE,
            "change_note": forms.Textarea(attrs={"rows": 3}),
            "overall": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_agency_picker(self, "proposed_lead_agency")
        if self.instance.pk and not self.is_bound:
            self.initial["lock_version"] = self.instance.lock_version


class EvaluationItemForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput)
    achievement = forms.ChoiceField(
        label=_("達成度"),
        required=False,
        choices=[("", EMPTY_LABEL)] + EvaluationItem.Achievement.choices,
    )
    note = forms.CharField(
        label=_("評価・所見"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


EvaluationItemFormSet = forms.formset_factory(EvaluationItemForm, extra=0)


# --- activity notes ----------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("種別"), choices=ActivityNote.Kind.choices)
    occurred_at = forms.DateTimeField(
        label=_("日時"),
        initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes = forms.IntegerField(label=_("所要時間(分)"), min_value=0, max_value=1440, initial=30)
    staff_count = forms.IntegerField(label=_("対応職員数"), min_value=1, max_value=20, initial=1)
    with_whom = forms.CharField(label=_("相手"), max_length=200, required=False)
    persons = forms.ModelMultipleChoiceField(
        label=_("関わった世帯員"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    content = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))
    visibility = forms.ChoiceField(label=_("公開範囲"), choices=ActivityNote.Visibility.choices)
    restricted_body = forms.ModelChoiceField(
        label=_("構成員限りとする会議体"),
        queryset=None,
        required=False,
        help_text=_("公開範囲が「会議体の構成員限り」のとき選びます(今年度誓約済みの会議体のみ)。"),
    )
    files = MultipleFileField(label=_("添付ファイル(PDF・JPEG・PNG・docx・xlsx)"), required=False)

    def __init__(self, *args, members=(), user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from cases.models import Person
        from cases.policy.support import _pledged_restricting_bodies
        from meetings.models import MeetingBody

        bodies = _pledged_restricting_bodies(user) if user is not None else set()
        self.fields["restricted_body"].queryset = MeetingBody.objects.filter(pk__in=bodies)
        if not bodies:
            # Nobody without a seat may choose it: the option and the field disappear.
            del self.fields["restricted_body"]
            self.fields["visibility"].choices = [
                c for c in ActivityNote.Visibility.choices if c[0] != ActivityNote.Visibility.BODY
            ]

        labels = member_labels(members)
        self.fields["persons"].queryset = Person.objects.filter(
            pk__in=[m.person_id for m in members]
        )
        self.fields["persons"].label_from_instance = lambda p: labels.get(p.pk, str(p))

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("未来の日時は記録できません。"))
        return value

    def clean_files(self):
        from cases.services.support import attachment_check

        files = self.cleaned_data.get("files") or []
        for f in files:
            try:
                attachment_check(f)
            except ValidationError as exc:
                raise forms.ValidationError(f"{f.name}: {exc.messages[0]}")
        return files


# --- handover ------------------------------------------------------------------------------------------


class HandoverRowForm(forms.Form):
    case = forms.IntegerField(widget=forms.HiddenInput)
    to_user = forms.ModelChoiceField(label=_("後任者"), queryset=None, required=False)
    note = forms.CharField(
        label=_("引継ぎ事項"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, successors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = successors if successors is not None else _staff()


class _SuccessorFormSet(forms.BaseFormSet):
    def __init__(self, *args, successors=None, **kwargs):
        self.successors = successors
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"successors": self.successors}


HandoverFormSet = forms.formset_factory(HandoverRowForm, formset=_SuccessorFormSet, extra=0)


class HandoverMetaForm(forms.Form):
    effective_on = DateField(label=_("引継ぎ日"), initial=timezone.localdate)
