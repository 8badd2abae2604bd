"""Forms for community work. They validate input only; services do the writes."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.forms import DateField
from agencies.models import Agency, Area, User
from cases.forms_pickers import bind_staff, check_staff_agency, staff_field, use_agency_picker

from .choices import (
    AGE_BANDS,
    ATTRIBUTES,
    Function,
    FundingSource,
    HostExperience,
    TargetGroup,
    TrainingKind,
)
from .models import Agreement, CommunityIssue, IssueAction, Program, Resource, Volunteer
from .models.resources import range_errors

DATE = forms.DateInput(attrs={"type": "date"})
CHECKS = forms.CheckboxSelectMultiple


class TagsField(forms.CharField):
    """Free tags typed as 「料理、農作業」 (読点 or comma separated) → a list of strings."""

    def to_python(self, value):
        value = super().to_python(value) or ""
        tags = [t.strip() for t in value.replace("、", ",").replace("，", ",").split(",")]
        return list(dict.fromkeys(t for t in tags if t))

    def prepare_value(self, value):
        if isinstance(value, list):
            return "、".join(value)
        return value

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if any(len(t) > 30 for t in value):
            raise forms.ValidationError(_("1語30文字以内で入れてください。"))


def spheres():
    return Area.objects.filter(level=Area.Level.SPHERE).order_by("sort_order", "code")


def districts():
    return Area.objects.filter(level=Area.Level.DISTRICT).order_by("sort_order", "code")


def csws():
    from agencies.choices import Role
    from agencies.models import Membership

    ids = Membership.objects.current().filter(role=Role.CSW).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("kana")


class ResourceForm(forms.ModelForm):
    target_groups = forms.MultipleChoiceField(
        label=_("対象"), choices=TargetGroup.choices, widget=CHECKS, required=False
    )
    functions = forms.MultipleChoiceField(
        label=_("機能"), choices=Function.choices, widget=CHECKS, required=False
    )
    host_experience = forms.MultipleChoiceField(
        label=_("受け入れ経験"), choices=HostExperience.choices, widget=CHECKS, required=False
    )
    funding_sources = forms.MultipleChoiceField(
        label=_("財源"), choices=FundingSource.choices, widget=CHECKS, required=False
    )
    interest_tags = TagsField(
        label=_("関心タグ"), required=False, help_text=_("読点(、)区切り。例: 料理、農作業")
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Resource
        fields = [
            "name",
            "kana",
            "kind",
            "is_place",
            "status",
            "description",
            "operator_name",
            "operator_kind",
            "resident_run",
            "operating_agency",
            "contact_name",
            "contact_phone",
            "area",
            "small_area",
            "address",
            "latitude",
            "longitude",
            "schedule",
            "schedule_note",
            "capacity",
            "target_groups",
            "mixes_generations",
            "functions",
            "min_age",
            "max_age",
            "min_hours_per_week",
            "max_hours_per_week",
            "transport",
            "cost_yen",
            "cost_note",
            "accessibility",
            "activities",
            "interest_tags",
            "accepts_helpers",
            "helper_roles",
            "host_needs",
            "host_experience",
            "csw",
            "shafuku_involvement",
            "shafuku_name",
            "funding_sources",
            "start_date",
            "end_date",
            "note",
        ]
        field_classes = {"start_date": DateField, "end_date": DateField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "activities": forms.Textarea(attrs={"rows": 3}),
            "host_needs": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = spheres()
        self.fields["small_area"].queryset = districts()
        use_agency_picker(self, "operating_agency")
        self.fields["csw"].queryset = csws()
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def _post_clean(self):
        # Model validation happens in the service (one place); keep ModelForm from running it
        # on a half-built instance. The rules between fields are shown now, beside the others.
        for field, message in range_errors(self.cleaned_data.get).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("expected_version", None)
        return data


class SessionForm(forms.Form):
    """The tally: counts only, no names."""

    held_on = DateField(label=_("開催日"))
    title = forms.CharField(label=_("内容・テーマ"), max_length=120, required=False)
    new_participants = forms.IntegerField(label=_("うち初参加"), min_value=0, initial=0)
    volunteers = forms.IntegerField(label=_("ボランティア数"), min_value=0, initial=0)
    volunteer_hours = forms.DecimalField(
        label=_("ボランティア活動時間(延べ)"),
        min_value=0,
        max_digits=6,
        decimal_places=1,
        initial=0,
    )
    became_helpers = forms.IntegerField(
        label=_("参加者から担い手になった人"), min_value=0, initial=0
    )
    consultations = forms.IntegerField(label=_("相談・気づきの件数"), min_value=0, initial=0)
    note = forms.CharField(
        label=_("メモ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("個人が特定できることは書かないでください。"),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in AGE_BANDS + ATTRIBUTES:
            self.fields[name] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=9999,
                initial=0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "tally__input"}),
            )
        self.fields["held_on"].initial = timezone.localdate

    @property
    def age_fields(self):
        return [self[name] for name, _l in AGE_BANDS]

    @property
    def attribute_fields(self):
        return [self[name] for name, _l in ATTRIBUTES]

    @property
    def other_fields(self):
        names = (
            "new_participants",
            "volunteers",
            "volunteer_hours",
            "became_helpers",
            "consultations",
            "note",
        )
        return [self[n] for n in names]


class VolunteerForm(forms.ModelForm):
    skills = TagsField(label=_("得意なこと"), required=False, help_text=_("読点(、)区切り"))
    areas = forms.ModelMultipleChoiceField(
        label=_("活動できる地域"), queryset=Area.objects.none(), required=False, widget=CHECKS
    )

    class Meta:
        model = Volunteer
        fields = [
            "name",
            "kana",
            "phone",
            "email",
            "coordinator_agency",
            "areas",
            "skills",
            "availability",
            "registered_on",
            "active",
            "was_supported",
            "path_consent_on",
            "path_note",
            "note",
        ]
        field_classes = {"registered_on": DateField, "path_consent_on": DateField}

    def __init__(self, *args, agencies=None, **kwargs):
        """`agencies`: the registries the user may put a volunteer in (their own, a short
        <select>); None for every active agency (CSWs), picked through the agency picker."""
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Area.objects.exclude(level=Area.Level.CITY)
        if agencies is None:
            use_agency_picker(self, "coordinator_agency")
        else:
            self.fields["coordinator_agency"].queryset = agencies

    def _post_clean(self):
        pass


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("研修"), choices=TrainingKind.choices)
    taken_on = DateField(label=_("受講日"))


class ActivityForm(forms.Form):
    done_on = DateField(label=_("活動日"))
    hours = forms.DecimalField(label=_("時間"), min_value=0, max_digits=5, decimal_places=1)
    resource = forms.ModelChoiceField(
        label=_("活動先"), queryset=Resource.objects.places().order_by("kana"), required=False
    )
    description = forms.CharField(label=_("内容"), max_length=200, required=False)


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["kind", "name", "purpose", "area", "organiser", "members", "started_on", "active"]
        field_classes = {"started_on": DateField}
        widgets = {"members": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = spheres()
        self.fields["organiser"].queryset = Agency.objects.active().order_by("kana")

    def _post_clean(self):
        pass


class ProgramSessionForm(forms.Form):
    held_on = DateField(label=_("開催日"))
    title = forms.CharField(label=_("テーマ"), max_length=120, required=False)
    participants = forms.IntegerField(label=_("参加者数"), min_value=0, initial=0)
    organisations = forms.IntegerField(label=_("参加・働きかけ団体数"), min_value=0, initial=0)
    minutes = forms.CharField(
        label=_("議事要旨"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    issues_raised = forms.CharField(
        label=_("出された課題"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("地域課題として管理するものは、あとで「地域課題を登録」から登録できます。"),
    )


class IssueForm(forms.ModelForm):
    class Meta:
        model = CommunityIssue
        fields = ["title", "description", "source", "area", "owner_agency", "raised_on"]
        field_classes = {"raised_on": DateField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = spheres()
        use_agency_picker(self, "owner_agency")

    def _post_clean(self):
        pass


class IssueActionForm(forms.ModelForm):
    # Care-role staff of the chosen 担当機関 (never residents or admin-only accounts), as on a
    # meeting's role form; the service checks again.
    owner = staff_field(
        agency="owner_agency", help_text=_("担当機関の職員から、氏名・ふりがなで検索")
    )

    class Meta:
        model = IssueAction
        fields = ["title", "owner_agency", "owner", "starts_on", "due_on", "note"]
        field_classes = {"starts_on": DateField, "due_on": DateField}
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_agency_picker(self, "owner_agency")
        bind_staff(self, staff="owner", agency="owner_agency")

    def clean(self):
        data = super().clean()
        check_staff_agency(self, staff="owner", agency="owner_agency")
        return data

    def _post_clean(self):
        pass


class IssueStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状態"), choices=CommunityIssue.Status.choices)


class LinkResourceForm(forms.Form):
    resource = forms.ModelChoiceField(
        label=_("生まれた資源"), queryset=Resource.objects.order_by("kana")
    )


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "partner_name",
            "partner_kind",
            "kind",
            "title",
            "our_agency",
            "signed_on",
            "ends_on",
            "contact_name",
            "contact_phone",
            "partner_does",
            "we_do",
        ]
        field_classes = {"signed_on": DateField, "ends_on": DateField}
        widgets = {
            "partner_does": forms.Textarea(attrs={"rows": 3}),
            "we_do": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_agency_picker(self, "our_agency")

    def _post_clean(self):
        pass


def parse_month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


class PlaceConcernForm(forms.Form):
    """A resident host's 気づき from a place: where, to whom, and what they noticed (no record of
    the person beyond the free text, as in every 気づきシート)."""

    resource = forms.ModelChoiceField(
        label=_("気づいた居場所"),
        queryset=Resource.objects.places().active().order_by("kana"),
    )
    to_agency = forms.ModelChoiceField(label=_("届け先"), queryset=Agency.objects.none())
    subject_description = forms.CharField(
        label=_("気になる方・世帯"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("わかる範囲で。例: いつも来る70代くらいの男性"),
    )
    noticed = forms.CharField(label=_("気づいたこと"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, destinations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if destinations is not None:
            self.fields["to_agency"].queryset = destinations
