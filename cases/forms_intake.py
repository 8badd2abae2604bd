"""Forms of the intake side. They validate input and hand cleaned values to the services;
the services re-check everything (the API uses them too)."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.forms import DateField
from agencies.models import Agency, Area, User
from agencies.selectors import care_staff_of
from cases.choices import IssueCategory, Route
from cases.forms_pickers import (
    agency_field,
    agency_filter_field,
    bind_pickers,
    check_consent_person,
    consent_field,
    household_field,
    keep_chosen_shown,
    person_field,
)
from cases.models import (
    ConcernSlip,
    ConsultationOutcome,
    ConsulterKind,
    Referral,
    ReferralTrigger,
    Urgency,
)
from cases.policy.intake import staff_agency_ids


class TokenMixin(forms.Form):
    """A hidden token per rendered form: a double-clicked submit is recognised by the service."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def init_token(self):
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


# --- 相談受付 ------------------------------------------------------------------------------------


class ConsultationForm(TokenMixin):
    received_at = forms.DateTimeField(
        label=_("受付日時"),
        widget=DateTimeLocalInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    agency = forms.ModelChoiceField(
        label=_("受付機関"), queryset=Agency.objects.none(), empty_label=None
    )
    route = forms.ChoiceField(label=_("相談経路"), choices=Route.choices)
    consulter_kind = forms.ChoiceField(label=_("相談者"), choices=ConsulterKind.choices)
    consulter_note = forms.CharField(
        label=_("相談者(補足)"),
        required=False,
        max_length=100,
        help_text=_("例: 長女、ケアマネジャー、隣人"),
    )
    person = person_field(help_text=_("氏名・ふりがな・生年で検索。匿名・未登録の場合は空欄"))
    household = household_field(help_text=_("世帯主の氏名・ふりがな、または住所で検索"))
    categories = forms.MultipleChoiceField(
        label=_("課題の分類(複数可)"),
        choices=IssueCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(label=_("相談内容"), widget=forms.Textarea(attrs={"rows": 5}))
    urgency = forms.ChoiceField(label=_("緊急度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    response = forms.CharField(
        label=_("対応内容"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.ChoiceField(label=_("対応結果"), choices=ConsultationOutcome.choices)
    minutes_spent = forms.IntegerField(
        label=_("対応時間(分)"), min_value=0, max_value=24 * 60, initial=30
    )
    staff_count = forms.IntegerField(label=_("対応職員数"), min_value=1, max_value=20, initial=1)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=staff_agency_ids(user))
        bind_pickers(self, user)
        self.initial.setdefault(
            "received_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        self.init_token()

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("受付日時に未来の日時は入力できません。"))
        return value

    def clean(self):
        data = super().clean()
        if data.get("consulter_kind") == ConsulterKind.ANONYMOUS and data.get("person"):
            self.add_error("person", _("匿名の相談では本人を登録できません。"))
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "received_at": d["received_at"],
            "route": d["route"],
            "consulter_kind": d["consulter_kind"],
            "consulter_note": d["consulter_note"],
            "person": d["person"],
            "household": d["household"],
            "summary": d["summary"],
            "urgency": d["urgency"],
            "response": d["response"],
            "outcome": d["outcome"],
            "minutes_spent": d["minutes_spent"],
            "staff_count": d["staff_count"],
        }


class ConsultationFilterForm(forms.Form):
    date_from = DateField(label=_("受付日(から)"), required=False)
    date_to = DateField(label=_("受付日(まで)"), required=False)
    agency = forms.ModelChoiceField(
        label=_("受付機関"), queryset=Agency.objects.none(), required=False, empty_label=_("すべて")
    )
    route = forms.ChoiceField(
        label=_("相談経路"), required=False, choices=[("", _("すべて")), *Route.choices]
    )
    category = forms.ChoiceField(
        label=_("課題の分類"), required=False, choices=[("", _("すべて")), *IssueCategory.choices]
    )
    urgency = forms.ChoiceField(
        label=_("緊急度"), required=False, choices=[("", _("すべて")), *Urgency.choices]
    )
    outcome = forms.ChoiceField(
        label=_("対応結果"),
        required=False,
        choices=[("", _("すべて")), *ConsultationOutcome.choices],
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=staff_agency_ids(user))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("終了日は開始日以降の日付にしてください。"))
        return data


# --- つなぐシート ----------------------------------------------------------------------------------


class ReferralForm(TokenMixin):
    from_agency = forms.ModelChoiceField(
        label=_("つなぎ元機関"), queryset=Agency.objects.none(), empty_label=None
    )
    # Only agencies where someone can answer the sheet (the rule referral_send checks).
    to_agency = agency_field(
        purpose="receiver",
        label=_("つなぎ先機関"),
        help_text=_(
            "通常は多機関協働の実施機関(福祉相談課・社会福祉協議会)。"
            "機関名・ふりがな・種別・地区で検索"
        ),
    )
    variant = forms.ChoiceField(
        label=_("様式"),
        choices=Referral.Variant.choices,
        widget=forms.RadioSelect,
        initial=Referral.Variant.WITH_CONSENT,
    )
    person = person_field(help_text=_("氏名・ふりがな・生年で検索"))
    household = household_field(help_text=_("世帯主の氏名・ふりがな、または住所で検索"))
    consent = consent_field(
        help_text=_(
            "同意ありの様式では必須。選んだ本人の同意から、つなぎ先が共有先に含まれているものを"
            "選んでください(同意日でも検索できます)。"
        ),
    )
    route = forms.ChoiceField(
        label=_("相談経路(気づいたきっかけ)"), choices=[("", "—"), *Route.choices], required=False
    )
    triggers = forms.MultipleChoiceField(
        label=_("つなぐ理由(複数可)"),
        choices=ReferralTrigger.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    reason_note = forms.CharField(
        label=_("つなぐ理由(補足)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    person_says = forms.CharField(
        label=_("本人・家族の訴え"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    done_so_far = forms.CharField(
        label=_("これまでの対応"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    meeting_summary = forms.CharField(
        label=_("支援会議用の概要"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("同意なしの様式では、つなぎ先にはこの欄だけが開示されます。"),
    )
    urgency = forms.ChoiceField(label=_("緊急度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    accompanied = forms.BooleanField(label=_("同行(つなぎ元が本人に同行する)"), required=False)
    accompanied_note = forms.CharField(label=_("同行の内容"), required=False, max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["from_agency"].queryset = Agency.objects.filter(pk__in=staff_agency_ids(user))
        bind_pickers(self, user)
        self.init_token()

    def clean(self):
        data = super().clean()
        if not data.get("person") and not data.get("household"):
            self.add_error("person", _("本人または世帯を選んでください。"))
        check_consent_person(self)
        if data.get("variant") == Referral.Variant.WITH_CONSENT and not data.get("consent"):
            self.add_error("consent", _("本人同意ありの様式では、同意の記録を選んでください。"))
        if data.get("variant") == Referral.Variant.WITHOUT_CONSENT and data.get("consent"):
            self.add_error("consent", _("本人同意なしの様式では同意の記録は選べません。"))
        if data.get("accompanied") and not data.get("accompanied_note"):
            self.add_error("accompanied_note", _("同行した場合は、同行の内容を記入してください。"))
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            f: d[f]
            for f in (
                "to_agency",
                "variant",
                "person",
                "household",
                "consent",
                "route",
                "triggers",
                "reason_note",
                "person_says",
                "done_so_far",
                "meeting_summary",
                "urgency",
                "accompanied",
                "accompanied_note",
            )
        }


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("差し戻しの理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("差し戻しの理由を入力してください。")},
    )
    next_step = forms.CharField(
        label=_("今後の対応の提案"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例: 〇〇課の支援調整会議で検討してください"),
        error_messages={
            "required": _("今後の対応の提案(どこに・どうつなぐか)を入力してください。")
        },
    )


class RequestInfoForm(forms.Form):
    question = forms.CharField(
        label=_("確認したいこと"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("依頼する内容(確認したいこと)を入力してください。")},
    )


class AnswerInfoForm(forms.Form):
    answer = forms.CharField(
        label=_("回答"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("回答を入力してください。")},
    )
    # Asked only of a sheet without consent that has no summary yet (one the receiver treated
    # as 支援会議 material): the sheet cannot be sent again without it.
    meeting_summary = forms.CharField(
        label=_("支援会議用の概要"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("つなぎ先に開示されるのはこの欄だけです。"),
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        if referral.with_consent or (referral.meeting_summary or "").strip():
            del self.fields["meeting_summary"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("取り下げの理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("取り下げの理由を入力してください。")},
    )


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=_("受理時のメモ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AcceptOwnForm(forms.Form):
    """受理・自機関で対応: the sheet becomes a consultation record of the receiving agency."""

    categories = forms.MultipleChoiceField(
        label=_("課題の分類(複数可)"),
        choices=IssueCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("課題の分類を1つ以上選んでください。")},
    )
    handed_over = forms.BooleanField(
        label=_("つなぎ元の同行を受けて引き継いだ(同行して引継ぎ)"), required=False
    )
    note = forms.CharField(
        label=_("対応の予定・つなぎ元への連絡"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConvertForm(forms.Form):
    note = forms.CharField(
        label=_("つなぎ元への連絡事項"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("担当者"),
        queryset=User.objects.none(),
        error_messages={"required": _("担当者を選んでください。")},
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = care_staff_of(referral.to_agency_id)


class InboxFilterForm(forms.Form):
    urgency = forms.ChoiceField(
        label=_("緊急度"), required=False, choices=[("", _("すべて")), *Urgency.choices]
    )
    # Empty: sheets from every agency; a deactivated agency's id still finds what it sent.
    from_agency = agency_filter_field(label=_("つなぎ元機関"))

    def clean_from_agency(self):
        return keep_chosen_shown(self, "from_agency")


# --- 気づきシート ----------------------------------------------------------------------------------


class ConcernSlipForm(TokenMixin):
    to_agency = forms.ModelChoiceField(
        label=_("届け先"),
        queryset=Agency.objects.none(),
        error_messages={"required": _("届け先を選んでください。")},
    )
    subject_description = forms.CharField(
        label=_("気になる方・世帯"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例: ○○町の角の家に住む80代くらいの男性。お名前がわかれば記入してください。"),
        error_messages={"required": _("気になる方・世帯について記入してください。")},
    )
    location = forms.CharField(label=_("場所・住所の目安"), required=False, max_length=200)
    area = forms.ModelChoiceField(
        label=_("地区"), queryset=Area.objects.all(), required=False, empty_label=_("わからない")
    )
    noticed = forms.CharField(
        label=_("気づいたこと"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("気づいたことを記入してください。")},
    )
    urgency = forms.ChoiceField(label=_("緊急度"), choices=Urgency.choices, initial=Urgency.NORMAL)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        from cases.services.intake import concern_slip_destinations

        destinations = concern_slip_destinations()
        self.fields["to_agency"].queryset = destinations
        own = [m.agency_id for m in user.current_memberships()]
        default = destinations.filter(pk__in=own).first()
        if default is not None:
            self.initial.setdefault("to_agency", default.pk)
        self.init_token()


class SlipToConsultationForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=_("課題の分類(複数可)"),
        choices=IssueCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("課題の分類を1つ以上選んでください。")},
    )


class SlipLinkForm(forms.Form):
    case_number = forms.CharField(
        label=_("支援ケース番号"),
        max_length=20,
        help_text=_("例: R8-0001(あなたの機関が支援チームに入っているケース)"),
        error_messages={"required": _("支援ケース番号を入力してください。")},
    )


class ConcernSlipHandleForm(forms.Form):
    status = forms.ChoiceField(label=_("状態"), choices=ConcernSlip.Status.choices)
    note = forms.CharField(
        label=_("対応メモ(機関内のみ)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
