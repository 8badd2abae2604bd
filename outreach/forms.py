"""Forms of the outreach pages: input shapes only; rules live in the services."""

from __future__ import annotations

import uuid

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.forms import DateField, DateInput
from agencies.jpdates import format_date
from agencies.models import Area, Membership, User
from cases.choices import IssueCategory
from cases.forms_persons import ConsentForm
from cases.forms_pickers import bind_case, case_field
from cases.models.intake import Urgency

from .models import (
    ClosureReason,
    ContactKind,
    Counterpart,
    Outcome,
    OutreachTarget,
    Professional,
    Source,
    Stage,
)
from .policy import CARE_ROLES


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def workers_for(agency_ids, extra_ids=()) -> forms.models.QuerySet:
    """Staff who may be named on a target or a visit: care-role staff of the agencies, plus the
    users already named (an assignee from another agency). `pk IN (…)` joins nothing, so no
    user appears twice (a DISTINCT would compare whole user rows)."""
    current = Membership.objects.current().filter(agency_id__in=agency_ids, role__in=CARE_ROLES)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=current.values("user_id")) | Q(pk__in=list(extra_ids)))
        .order_by("kana", "pk")
    )


class WorkerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name or obj.username


class WorkerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name or obj.username


class TargetForm(forms.ModelForm):
    class Meta:
        model = OutreachTarget
        fields = [
            "source",
            "source_detail",
            "informant",
            "known_on",
            "approx_name",
            "approx_kana",
            "approx_address",
            "area",
            "approx_age",
            "birth_date",
            "sex",
            "household_note",
            "worry",
            "urgency",
        ]
        field_classes = {"known_on": DateField, "birth_date": DateField}
        widgets = {
            "known_on": DateInput(),
            "birth_date": DateInput(),
            "household_note": forms.Textarea(attrs={"rows": 3}),
            "worry": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "approx_name": _("分かる範囲で(「山田さん」など)。同意の前は最小限に。"),
            "informant": _("民生委員の氏名、近所の方など"),
        }

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.exclude(level=Area.Level.CITY)
        self.fields["source"].choices = Source.choices
        self.fields["urgency"].choices = Urgency.choices


class AssignForm(forms.Form):
    lead_worker = WorkerField(queryset=User.objects.none(), label=_("主担当"), required=False)
    assignees = WorkerChoiceField(
        queryset=User.objects.none(),
        label=_("担当者"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_worker"].queryset = workers
        self.fields["assignees"].queryset = workers


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("移る段階"), choices=())
    on = DateField(label=_("変更日"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
    closure_reason = forms.ChoiceField(
        label=_("終結理由(終結のとき)"),
        choices=[("", "---"), *ClosureReason.choices],
        required=False,
    )
    next_try_on = DateField(
        label=_("次回接触予定日(拒否による終結のとき)"), widget=DateInput(), required=False
    )
    # The version the user saw: a change made since is caught (never applied blind).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        self.fields["to_stage"].choices = [(s, labels[s]) for s in stages]


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("種別"), choices=ContactKind.choices)
    occurred_at = forms.DateTimeField(label=_("日時"), widget=DateTimeInput())
    minutes = forms.IntegerField(label=_("所要時間(分)"), min_value=0, max_value=1440, initial=30)
    staff = WorkerChoiceField(
        queryset=User.objects.none(),
        label=_("対応した職員"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("訪問に行った職員を全員選んでください(延べ訪問人数になります)。"),
    )
    professionals = forms.MultipleChoiceField(
        label=_("同行した専門職"),
        choices=Professional.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    professionals_note = forms.CharField(label=_("同行者(補足)"), max_length=200, required=False)
    counterpart = forms.ChoiceField(label=_("相手"), choices=Counterpart.choices)
    outcome = forms.ChoiceField(label=_("結果"), choices=Outcome.choices)
    content = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    next_step = forms.CharField(label=_("次の対応"), max_length=200, required=False)
    next_on = DateField(label=_("次回予定日"), widget=DateInput(), required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = workers


class VisitForm(forms.Form):
    planned_on = DateField(label=_("予定日"), widget=DateInput())
    planned_time = forms.TimeField(
        label=_("予定時刻"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    kind = forms.ChoiceField(
        label=_("種別"),
        choices=[
            (ContactKind.HOME_VISIT, ContactKind.HOME_VISIT.label),
            (ContactKind.ACCOMPANY, ContactKind.ACCOMPANY.label),
            (ContactKind.PLACE, ContactKind.PLACE.label),
        ],
    )
    staff = WorkerChoiceField(
        queryset=User.objects.none(), label=_("訪問する職員"), widget=forms.CheckboxSelectMultiple
    )
    professionals = forms.MultipleChoiceField(
        label=_("同行予定の専門職"),
        choices=Professional.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.CharField(label=_("目的"), max_length=200, required=False)

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = workers


class PlanForm(forms.Form):
    decided_on = DateField(label=_("決定日"), widget=DateInput(), initial=timezone.localdate)
    agenda_item = forms.ChoiceField(label=_("決定した支援会議"), required=False, choices=())
    approach = forms.CharField(label=_("関わり方の方針"), widget=forms.Textarea(attrs={"rows": 4}))
    owners = WorkerChoiceField(
        queryset=User.objects.none(), label=_("担当者"), widget=forms.CheckboxSelectMultiple
    )
    next_review_on = DateField(label=_("次回見直し日"), widget=DateInput(), required=False)

    def __init__(self, *args, workers=None, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].queryset = workers
        self.fields["agenda_item"].choices = [("", _("(支援会議以外で決定)"))] + [
            (
                str(i.public_id),
                f"{format_date(i.meeting.starts_at)} {i.meeting.body.name}",
            )
            for i in items
        ]


class AgendaRequestForm(forms.Form):
    body = forms.ModelChoiceField(queryset=None, label=_("支援会議"))
    description = forms.CharField(
        label=_("会議で共有する内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("構成員が関わり方を決めるのに必要なことだけを書いてください。"),
    )

    def __init__(self, *args, **kwargs):
        from meetings.choices import BodyKind
        from meetings.models import MeetingBody

        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = MeetingBody.objects.filter(
            kind=BodyKind.SHIEN_KAIGI, active=True
        ).order_by("name")


class RegisterPersonForm(ConsentForm):
    """The person's record, the first consultation and the consent the person gave (cases'
    consent form; the scanned form can be attached on the person's page afterwards)."""

    CONSENT_FIELDS = tuple(n for n in ConsentForm.base_fields if n != "document")

    document = None
    family_name = forms.CharField(label=_("姓"), max_length=50)
    given_name = forms.CharField(label=_("名"), max_length=50, required=False)
    family_name_kana = forms.CharField(label=_("せい(ふりがな)"), max_length=50, required=False)
    given_name_kana = forms.CharField(label=_("めい(ふりがな)"), max_length=50, required=False)
    birth_date = DateField(label=_("生年月日"), widget=DateInput(), required=False)
    sex = forms.CharField(label=_("性別"), max_length=30, required=False)
    address = forms.CharField(label=_("住所"), max_length=200, required=False)
    phone = forms.CharField(label=_("電話番号"), max_length=30, required=False)
    consultation_summary = forms.CharField(
        label=_("相談内容(相談受付として記録)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    categories = forms.MultipleChoiceField(
        label=_("課題の分類(相談受付を記録するとき)"),
        choices=IssueCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = [
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "birth_date",
        "sex",
        "address",
        "phone",
        *CONSENT_FIELDS,
    ]

    def consent_data(self) -> dict:
        return {n: self.cleaned_data[n] for n in self.CONSENT_FIELDS}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("名簿ファイル(CSV または Excel .xlsx)"))
    title = forms.CharField(label=_("名簿の名称"), max_length=200)
    source = forms.ChoiceField(
        label=_("把握の経路"),
        choices=[
            (Source.SURVEY, Source.SURVEY.label),
            (Source.ARREARS, Source.ARREARS.label),
            (Source.CITY_HALL, Source.CITY_HALL.label),
            (Source.OTHER, Source.OTHER.label),
        ],
    )
    dry_run = forms.BooleanField(label=_("確認のみ(登録しない)"), required=False, initial=True)


class CaseLinkForm(forms.Form):
    """対象者 → 支援ケース: a case the worker may see (the service checks the rest)."""

    case = case_field(
        label=_("支援ケース"),
        required=True,
        help_text=_("ケース番号(例: R8-0001)または本人の氏名・ふりがなで検索"),
        error_messages={"required": _("つなぐ支援ケースを選んでください。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_case(self, user)
