from django import forms
from django.utils.translation import gettext_lazy as _


class RetentionRuleForm(forms.Form):
    years_after_closure = forms.IntegerField(
        label=_("終結後の保存年数"), min_value=1, max_value=100
    )
    legal_basis = forms.CharField(
        label=_("根拠(法令・規程)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    enabled = forms.BooleanField(label=_("有効(毎月の抽出の対象にする)"), required=False)
