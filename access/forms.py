from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EmergencyAccess


class EmergencyOpenForm(forms.Form):
    case_number = forms.CharField(
        label=_("ケース番号"),
        max_length=20,
        help_text=_("開く支援ケースの番号(電話・関係機関から聞いた番号)。"),
    )
    reason = forms.CharField(
        label=_("緊急の理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "誰の生命・身体を、何から守るために、なぜ今この記録が必要かを具体的に書いてください。"
            "係長と個人情報保護担当に直ちに通知され、事後に確認されます。"
        ),
    )


class EmergencyReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("確認の結果"), choices=EmergencyAccess.Outcome.choices, widget=forms.RadioSelect
    )
    review_note = forms.CharField(label=_("確認の所見"), widget=forms.Textarea(attrs={"rows": 3}))
