"""Forms of the meetings app: input validation only; the services hold the rules."""

import datetime as dt

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.forms import DateField, DateInput
from agencies.models import User
from cases.choices import ClosureReason
from cases.forms_pickers import (
    agency_field,
    bind_case,
    bind_staff,
    case_field,
    check_staff_agency,
    staff_field,
)

from .choices import (
    DECISIONS_BY_AGENDA_KIND,
    AgendaKind,
    AttendanceStatus,
    BodyKind,
    MeetingFormat,
    MemberRole,
    WrittenAnswerKind,
)
from .models import MeetingBody
from .services import BODY_FIELDS, role_due_error


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class BodyForm(forms.ModelForm):
    class Meta:
        model = MeetingBody
        fields = [f for f in BODY_FIELDS]
        widgets = {
            "default_start_time": TimeInput(),
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, convenors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if convenors is not None:
            self.fields["convenor"].queryset = convenors
        self.fields["area"].required = False
        from access.bases import meeting_bases

        self.fields["basis"].queryset = meeting_bases()
        self.fields["basis"].required = False
        self.fields["basis"].help_text = _("空欄なら法的位置付けと位置付けた会議体から決まります。")
        for name in ("recur_week", "recur_weekday", "recur_day"):
            self.fields[name].required = False


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("職員"),
        queryset=User.objects.filter(is_active=True).order_by("kana"),
        required=False,
        help_text=_("職員の場合は選んでください。外部の方は下の欄に入力します。"),
    )
    agency = agency_field(
        label=_("所属機関"), required=False, help_text=_("機関名・ふりがな・種別・地区で検索")
    )
    external_name = forms.CharField(label=_("氏名(外部構成員)"), max_length=100, required=False)
    external_organisation = forms.CharField(
        label=_("所属団体(外部構成員)"), max_length=150, required=False
    )
    title = forms.CharField(label=_("役職"), max_length=60, required=False)
    role = forms.ChoiceField(
        label=_("会議での役割"), choices=MemberRole.choices, initial=MemberRole.MEMBER
    )
    email = forms.EmailField(label=_("連絡先メール"), required=False)
    joined_on = DateField(label=_("就任日"), widget=DateInput(), initial=timezone.localdate)


class PledgeForm(forms.Form):
    signed_on = DateField(label=_("誓約日"), widget=DateInput(), initial=timezone.localdate)
    document = forms.FileField(
        label=_("誓約書(スキャン)"),
        required=False,
        help_text=_("PDF・JPEG・PNG。原本は所定の場所で保管してください。"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    note = forms.CharField(label=_("備考"), max_length=200, required=False)


class MeetingForm(forms.Form):
    date = DateField(label=_("開催日"), widget=DateInput())
    start_time = forms.TimeField(label=_("開始時刻"), widget=TimeInput())
    duration_minutes = forms.IntegerField(label=_("所要時間(分)"), min_value=15, max_value=480)
    place = forms.CharField(label=_("開催場所"), max_length=120, required=False)
    format = forms.ChoiceField(
        label=_("開催方法"),
        choices=MeetingFormat.choices,
        initial=MeetingFormat.IN_PERSON,
        help_text=_(
            "書面開催: 構成員が議題ごとに書面で回答し、全員の回答がそろってから決定を記録します。"
        ),
    )
    online = forms.BooleanField(label=_("オンライン開催"), required=False)
    online_note = forms.CharField(label=_("オンライン参加方法"), max_length=200, required=False)

    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(
            self.cleaned_data["date"],
            self.cleaned_data["start_time"],
            tzinfo=timezone.get_current_timezone(),
        )


class GenerateForm(forms.Form):
    count = forms.IntegerField(label=_("作成する回数"), min_value=1, max_value=24, initial=6)


class AgendaRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("種別"))
    title = forms.CharField(
        label=_("件名"),
        max_length=120,
        help_text=_("氏名は書かず、ケース番号や地区・世帯の特徴で表してください。"),
    )
    description = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    case = case_field(
        label=_("支援ケース(あれば)"),
        help_text=_(
            "ケース番号(例: R8-0001)または本人の氏名・ふりがなで検索"
            "(あなたの機関が支援チームに入っているケース)"
        ),
    )

    def __init__(self, *args, body: MeetingBody, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [AgendaKind.INFO_SHARING, AgendaKind.RESOURCE_GAP]
        if body.kind == BodyKind.SHIEN_KAIGI:
            kinds.append(AgendaKind.WORRYING_NO_CONSENT)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        bind_case(self, user)


class DirectItemForm(forms.Form):
    """A general item (一般議題): no person is linked, so no name belongs in it. Items about a
    person come from the queue with the case or persons linked (and the basis's consent guard)."""

    kind = forms.ChoiceField(label=_("種別"))
    title = forms.CharField(
        label=_("件名(一般議題)"),
        max_length=120,
        help_text=_(
            "個人名・住所など個人が分かることは書かないでください。"
            "個人に関する議題は、ケース・対象者を紐付けて「付議待ち」から追加します。"
        ),
    )
    time_box_minutes = forms.IntegerField(
        label=_("持ち時間(分)"), min_value=1, max_value=180, initial=15
    )

    def __init__(self, *args, body: MeetingBody, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [AgendaKind.INFO_SHARING, AgendaKind.RESOURCE_GAP]
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]


class PaperForm(forms.Form):
    title = forms.CharField(label=_("件名"), max_length=120)
    paper = forms.CharField(
        label=_("会議資料(概要)"), widget=forms.Textarea(attrs={"rows": 18}), required=False
    )


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("決定"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("決定内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    changes = forms.CharField(
        label=_("修正内容"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("「修正のうえ承認」のときに入力します。"),
    )
    notes = forms.CharField(
        label=_("協議内容(議事メモ)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    decided_on = DateField(label=_("決定日"), widget=DateInput())
    next_review_on = DateField(label=_("次回確認日"), widget=DateInput(), required=False)
    lead_agency = agency_field(
        label=_("終結後の主担当機関"),
        required=False,
        help_text=_("「終結承認」のときに選びます(機関名・ふりがな・種別・地区で検索)。"),
    )
    closure_reason = forms.ChoiceField(
        label=_("終結理由"), choices=[("", "---------"), *ClosureReason.choices], required=False
    )
    issue_title = forms.CharField(
        label=_("地域課題の件名"),
        max_length=120,
        required=False,
        help_text=_("「社会資源の不足」のときに入力すると地域課題として記録されます。"),
    )
    issue_description = forms.CharField(
        label=_("地域課題の内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = DECISIONS_BY_AGENDA_KIND[AgendaKind(item.kind)]
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        if item.kind not in (AgendaKind.EVALUATION,):
            del self.fields["lead_agency"]
            del self.fields["closure_reason"]
        if item.kind not in (AgendaKind.RESOURCE_GAP, AgendaKind.INFO_SHARING):
            del self.fields["issue_title"]
            del self.fields["issue_description"]
        if item.kind != AgendaKind.PLAN_APPROVAL:
            del self.fields["changes"]


class RoleForm(forms.Form):
    owner_agency = agency_field(
        label=_("担当機関"), required=False, help_text=_("機関名・ふりがな・種別・地区で検索")
    )
    # A picker of the chosen agency's care-role staff (never residents or admin-only accounts);
    # the service checks again that the person works at the chosen agency.
    owner_user = staff_field(agency="owner_agency")
    task = forms.CharField(label=_("役割・タスク"), max_length=200, required=False)
    due_on = DateField(label=_("期限"), widget=DateInput(), required=False)

    def __init__(self, *args, decided_on: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.decided_on = decided_on  # the decision's date, once the decision form has it
        bind_staff(self, staff="owner_user", agency="owner_agency")

    def clean(self):
        data = super().clean()
        if data.get("task") and not data.get("owner_agency"):
            self.add_error("owner_agency", _("担当機関を選んでください。"))
        if data.get("task") and not data.get("due_on"):
            self.add_error("due_on", _("期限を入力してください。"))
        if self.decided_on and (message := role_due_error(data.get("due_on"), self.decided_on)):
            self.add_error("due_on", message)
        if data.get("owner_agency") and not data.get("task"):
            self.add_error("task", _("役割・タスクを入力してください。"))
        check_staff_agency(self, staff="owner_user", agency="owner_agency")
        return data


RoleFormSet = formset_factory(RoleForm, extra=3, max_num=10)


class AttendanceForm(forms.Form):
    externals = forms.CharField(
        label=_("構成員以外の出席者"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("1行に1人、「氏名/所属」の形で入力します(例: 山田/北部地域包括支援センター)。"),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for m in members:
            self.fields[f"status_{m.pk}"] = forms.ChoiceField(
                label=m.display_name,
                choices=AttendanceStatus.choices,
                initial=AttendanceStatus.PRESENT,
            )
            self.fields[f"proxy_{m.pk}"] = forms.CharField(
                label=_("代理出席者"), max_length=100, required=False
            )

    def rows(self):
        for m in self.members:
            yield m, self[f"status_{m.pk}"], self[f"proxy_{m.pk}"]

    def clean_externals(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["externals"].splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, org = line.partition("/")
            if not sep:
                name, sep, org = line.partition("／")
            if not sep or not name.strip() or not org.strip():
                raise forms.ValidationError(
                    _("%(n)s行目: 「氏名/所属」の形で入力してください。") % {"n": n}
                )
            rows.append({"name": name.strip(), "organisation": org.strip()})
        return rows

    def member_rows(self):
        return {
            m: (self.cleaned_data[f"status_{m.pk}"], self.cleaned_data[f"proxy_{m.pk}"], "")
            for m in self.members
        }


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("議事録(全体)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )


class AddendumForm(forms.Form):
    item = forms.ChoiceField(label=_("対象の議題"), required=False)
    text = forms.CharField(label=_("補足・訂正の内容"), widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label=_("理由"), max_length=200)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("会議全体"))] + [
            (str(i.public_id), i.title) for i in items
        ]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("中止の理由"), max_length=200)


class RoleCompleteForm(forms.Form):
    done_on = DateField(
        label=_("完了日"),
        widget=DateInput(),
        required=False,
        help_text=_("空欄なら今日の日付で記録します。"),
    )


class WrittenAnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("回答"), choices=WrittenAnswerKind.choices)
    comment = forms.CharField(
        label=_("意見"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
