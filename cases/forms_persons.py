"""Forms for persons, households and consents. Validation messages in Japanese, next to the field.

Dates are typed (not picked) because staff copy them from papers: 1950-04-01, 1950/4/1,
1950年4月1日 and 和暦 (昭和25年4月1日, S25.4.1) are all accepted (agencies.jpdates.parse_date), and an
impossible date such as 2月30日 or 平成32年 is named as such instead of a generic "invalid" message.
"""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import parse_japanese_date
from agencies.models import Agency, Area
from cases.choices import InfoKind
from cases.models import Consent, Household, HouseholdMember, Person
from cases.services.persons import validate_birth_date


class JapaneseDateField(forms.CharField):
    widget = forms.TextInput(
        attrs={"placeholder": "1950-04-01", "inputmode": "text", "autocomplete": "off"}
    )

    def to_python(self, value):
        if isinstance(value, dt.date):
            return value
        value = super().to_python(value)
        if not value:
            return None
        return parse_japanese_date(value)

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return value.isoformat()
        return value


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("氏名・ふりがな"), required=False, max_length=60)
    birth_date = JapaneseDateField(label=_("生年月日"), required=False)
    phone = forms.CharField(label=_("電話番号"), required=False, max_length=30)
    case_number = forms.CharField(label=_("ケース番号"), required=False, max_length=20)


class PersonForm(forms.ModelForm):
    birth_date = JapaneseDateField(label=_("生年月日"), required=False)
    deceased_on = JapaneseDateField(label=_("死亡日"), required=False)
    moved_out_on = JapaneseDateField(label=_("転出日"), required=False)

    class Meta:
        model = Person
        fields = [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "birth_date",
            "sex",
            "postal_code",
            "address",
            "area",
            "phone",
            "email",
            "language",
            "needs_interpreter",
            "notes",
            "deceased_on",
            "moved_out_on",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"sex": _("自由記述(空欄可)")}

    def __init__(self, *args, fields=None, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.all()
        if fields is not None:
            for name in list(self.fields):
                if name not in fields:
                    del self.fields[name]
        if agencies is not None and len(agencies) > 1:
            self.fields["agency"] = forms.ModelChoiceField(
                label=_("登録する機関"),
                queryset=Agency.objects.filter(pk__in=[a.pk for a in agencies]),
            )

    def clean_family_name(self):
        value = (self.cleaned_data.get("family_name") or "").strip()
        if not value:
            raise forms.ValidationError(_("姓を入力してください。"))
        return value

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        try:
            validate_birth_date(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["birth_date"])
        return value

    def person_data(self) -> dict:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k in self._meta.fields and k in self.fields
        }


PRINCIPAL_REQUIRED = _(
    "世帯は最初の世帯員（本人）と一緒に登録してください。対象者の画面から世帯を登録できます。"
)


class HouseholdForm(forms.ModelForm):
    type_tags = forms.MultipleChoiceField(
        label=_("世帯類型"),
        choices=Household.TypeTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Household
        fields = ["postal_code", "address", "area", "type_tags", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, agencies=None, choose_principal_for=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_principal_for is not None:
            # Registered without coming from a person's page: the first member is picked here.
            from cases.forms_pickers import bind_pickers, person_field

            self.fields = {
                "person": person_field(
                    required=True,
                    help_text=_("この世帯の本人(最初の世帯員)。氏名・ふりがな・生年で検索"),
                    error_messages={"required": PRINCIPAL_REQUIRED},
                ),
                **self.fields,
            }
            bind_pickers(self, choose_principal_for)
        if agencies is not None and len(agencies) > 1:
            self.fields["agency"] = forms.ModelChoiceField(
                label=_("登録する機関"),
                queryset=Agency.objects.filter(pk__in=[a.pk for a in agencies]),
            )


class HouseholdMemberForm(forms.Form):
    person = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": _("世帯員を選んでください。")}
    )
    relation = forms.ChoiceField(label=_("続柄"), choices=HouseholdMember.Relation.choices)
    relation_note = forms.CharField(label=_("続柄(補足)"), required=False, max_length=50)
    is_key_person = forms.BooleanField(label=_("主たる相談者"), required=False)
    lives_together = forms.BooleanField(label=_("同居"), required=False, initial=True)
    is_main_carer = forms.BooleanField(label=_("主たる介護者・養育者"), required=False)
    joined_on = JapaneseDateField(label=_("世帯に加わった日"), required=False)


class MemberLeaveForm(forms.Form):
    left_on = JapaneseDateField(label=_("世帯を離れた日"))
    reason = forms.CharField(
        label=_("理由(転出・死亡・世帯分離など)"), max_length=100, required=False
    )


class ConsentForm(forms.Form):
    given_on = JapaneseDateField(label=_("同意日"))
    method = forms.ChoiceField(
        label=_("同意の方法"), choices=Consent.Method.choices, widget=forms.RadioSelect
    )
    proxy_name = forms.CharField(label=_("代理人氏名"), required=False, max_length=100)
    proxy_relation = forms.CharField(label=_("代理人の続柄・立場"), required=False, max_length=50)
    agencies = forms.ModelMultipleChoiceField(
        label=_("情報共有先の機関"),
        queryset=Agency.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("情報を共有する機関を1つ以上選んでください。")},
    )
    info_kinds = forms.MultipleChoiceField(
        label=_("共有する情報の種類"),
        choices=InfoKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("共有する情報の種類を1つ以上選んでください。")},
    )
    valid_until = JapaneseDateField(
        label=_("有効期限"), required=False, help_text=_("空欄は期限なし")
    )
    document = forms.FileField(
        label=_("同意書(スキャン)"), required=False, help_text=_("PDF・JPEG・PNG(上限 10MB)")
    )
    note = forms.CharField(
        label=_("備考"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsentWithdrawForm(forms.Form):
    note = forms.CharField(label=_("撤回の理由・経緯"), required=False, max_length=200)


class MergeForm(forms.Form):
    absorb = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("統合の理由"),
        max_length=200,
        help_text=_("同一人物と判断した根拠(生年月日・住所・本人への確認など)"),
        error_messages={"required": _("統合の理由を入力してください。")},
    )
    confirm = forms.BooleanField(
        label=_("2つの記録が同一人物のものであることを確認しました"),
        error_messages={"required": _("同一人物であることを確認してください。")},
    )
