import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import jpdates

FORMATS = (("xlsx", "Excel (XLSX)"), ("csv", "CSV"), ("pdf", "PDF"), ("json", "JSON"))


def fiscal_year_choices():
    current = jpdates.fiscal_year(timezone.localdate())
    return [(fy, jpdates.fiscal_year_label(fy)) for fy in range(current, current - 6, -1)]


class ReportQueryForm(forms.Form):
    fy = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())
    as_of = forms.DateField(
        label=_("基準日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("空欄なら今日(年度が終わっていれば年度末)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fy"].choices = fiscal_year_choices()

    def clean(self):
        data = super().clean()
        fy, as_of = data.get("fy"), data.get("as_of")
        if fy and as_of and as_of < dt.date(fy, 4, 1):
            self.add_error("as_of", _("基準日は年度の初日(4月1日)以降にしてください。"))
        return data


class DownloadForm(ReportQueryForm):
    format = forms.ChoiceField(label=_("形式"), choices=FORMATS)
    public = forms.BooleanField(label=_("公表用(少数秘匿)"), required=False)
