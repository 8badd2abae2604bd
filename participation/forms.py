"""Forms of 参加支援. They validate input only; services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import DateField, DateInput

from .choices import Interest, Transport, Weekday
from .matching import CRITERIA, DEFAULT_WEIGHTS, MAX_WEIGHT
from .models import ParticipationAssessment


class AssessmentStartForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("本人"),
        queryset=None,
        empty_label=None,
        error_messages={
            "required": _("本人を選んでください。"),
            "invalid_choice": _("本人を選んでください。"),
        },
    )

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class AssessmentForm(forms.ModelForm):
    interests = forms.MultipleChoiceField(
        label=_("関心のあること"),
        choices=Interest.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.TypedMultipleChoiceField(
        label=_("通える曜日"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    transport = forms.MultipleChoiceField(
        label=_("移動手段"),
        choices=Transport.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ParticipationAssessment
        fields = [f for f in ParticipationAssessment.CONTENT_FIELDS]
        field_classes = {"assessed_on": DateField}
        widgets = {
            "assessed_on": DateInput(),
            "hours_from": forms.TimeInput(attrs={"type": "time"}),
            "hours_to": forms.TimeInput(attrs={"type": "time"}),
            "role_wish": forms.RadioSelect,
            "anxiety": forms.RadioSelect,
            "physical": forms.RadioSelect,
        }
        for name in (
            "interests_note",
            "strengths",
            "past_work",
            "health",
            "anxiety_note",
            "wishes",
            "household_needs",
            "view",
        ):
            widgets[name] = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lock_version"].initial = self.instance.lock_version

    def clean(self):
        data = super().clean()
        start, end = data.get("hours_from"), data.get("hours_to")
        if start and end and end <= start:
            self.add_error("hours_to", _("終わりの時刻は始まりの時刻より後にしてください。"))
        return data

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "lock_version"}


class WeightsForm(forms.Form):
    """The worker's weights (0–3) and exclusions for one matching run (in the query string, so a
    ranking can be bookmarked and compared; nothing is stored until a placement is proposed)."""

    LABELS = {
        "interest": _("関心との一致"),
        "distance": _("距離・交通"),
        "hours": _("曜日・時間"),
        "role": _("参加のかたち(担い手)"),
        "withdrawal": _("ひきこもり・不安への配慮"),
        "capacity": _("空き"),
        "conditions": _("年齢・費用・体力の条件"),
        "income": _("収入"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CRITERIA:
            self.fields[name] = forms.FloatField(
                label=self.LABELS[name],
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=DEFAULT_WEIGHTS[name],
                required=False,
                widget=forms.NumberInput(attrs={"step": "0.5", "min": 0, "max": MAX_WEIGHT}),
            )

    def weights(self) -> dict[str, float]:
        if not self.is_bound or not self.is_valid():
            return dict(DEFAULT_WEIGHTS)
        return {
            k: (v if v is not None else DEFAULT_WEIGHTS[k])
            for k, v in self.cleaned_data.items()
            if k in CRITERIA
        }
