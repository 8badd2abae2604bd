from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    digest_hour = forms.TypedChoiceField(
        label=_("まとめメールの時刻"),
        choices=[(h, f"{h}:30") for h in range(24)],
        coerce=int,
        help_text=_("毎日この時刻ごろに、まだメールで届いていない通知をまとめて送ります。"),
    )

    class Meta:
        model = NotificationPreference
        fields = ["digest_enabled", "urgent_email", "digest_hour"]
        help_texts = {
            "urgent_email": _("期限超過などの至急の通知を、発生時にすぐメールで受け取ります。"),
        }


class RuleSettingForm(forms.Form):
    enabled = forms.BooleanField(label=_("有効"), required=False)
    threshold_days = forms.IntegerField(label=_("日数"), min_value=0, max_value=365)
    escalation_days = forms.IntegerField(
        label=_("次の段階までの日数"),
        min_value=1,
        max_value=365,
        help_text=_("期限を過ぎてから、次の宛先(上位の担当者)に知らせるまでの日数です。"),
    )

    def __init__(self, *args, spec=None, **kwargs):
        super().__init__(*args, **kwargs)
        if spec is not None:
            self.fields["threshold_days"].label = spec.threshold_label
