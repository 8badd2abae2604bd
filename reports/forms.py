from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import jpdates
from agencies.forms import DateField

FORMATS = (("xlsx", "Excel (XLSX)"), ("csv", "CSV"), ("pdf", "PDF"), ("json", "JSON"))


def fiscal_year_choices():
    current = jpdates.fiscal_year(timezone.localdate())
    return [(fy, jpdates.fiscal_year_label(fy)) for fy in range(current, current - 6, -1)]


class ReportQueryForm(forms.Form):
    fy = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())
    as_of = DateField(
        label=_("基準日"),
        required=False,
        help_text=_("空欄なら今日(年度が終わっていれば年度末)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fy"].choices = fiscal_year_choices()

    def clean(self):
        data = super().clean()
        fy, as_of = data.get("fy"), data.get("as_of")
        if fy and as_of:
            from .figures import Period

            error = Period.as_of_error(fy, as_of)
            if error:
                self.add_error("as_of", error)
        return data


class DownloadForm(ReportQueryForm):
    format = forms.ChoiceField(label=_("形式"), choices=FORMATS)
    public = forms.BooleanField(label=_("公表用(少数秘匿)"), required=False)


def figure_choices():
    from . import figures

    choices = []
    for f in figures.all_figures():
        label = f"{f.label}({f.basis_text})"
        if f.group:
            parent = figures.get(f.group)
            label = f"{parent.label if parent else f.group} / {f.group_label}: {label}"
        choices.append((f.code, label))
    return choices


class TargetForm(forms.Form):
    figure_code = forms.ChoiceField(label=_("指標"), choices=())
    kind = forms.ChoiceField(label=_("目標の種類"), choices=())
    value = forms.DecimalField(
        label=_("目標値(量的目標)"), required=False, min_value=0, max_digits=12, decimal_places=1
    )
    text = forms.CharField(
        label=_("目標(質的目標)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(label=_("備考"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        from .models import Target

        super().__init__(*args, **kwargs)
        self.fields["figure_code"].choices = figure_choices()
        self.fields["kind"].choices = Target.Kind.choices


class ProfileForm(forms.ModelForm):
    class Meta:
        from .models import MunicipalityProfile

        model = MunicipalityProfile
        fields = [
            "population",
            "households",
            "aging_rate",
            "welfare_rate",
            "area_km2",
            "neighbourhood_rate",
            "elementary_schools",
            "junior_high_schools",
            "houkatsu_centres",
            "livelihood_agencies",
            "features",
            "as_of",
        ]
        field_classes = {"as_of": DateField}
        widgets = {
            "features": forms.Textarea(attrs={"rows": 4}),
        }


class NarrativeForm(forms.ModelForm):
    class Meta:
        from .models import ReportNarrative

        model = ReportNarrative
        fields = ["aim", "change", "community", "multiagency", "meetings", "achievement"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("aim", "change", "community", "multiagency", "meetings", "achievement")
        }
