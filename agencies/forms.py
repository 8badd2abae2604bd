"""Forms for the administration pages. They validate input and hand cleaned data to services.

Edit forms carry the record's `version` in a hidden field: the service refuses the save when
someone else saved in between (optimistic concurrency)."""

from datetime import date

from django import forms
from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import jpdates
from agencies.combobox import EMPTY_LABEL

from . import policy
from .choices import Programme, Role
from .csvio import CSV_CONTENT_TYPES
from .models import Agency, Area, Membership, User
from .services import AGENCY_FIELDS, AREA_FIELDS, STAFF_FIELDS


def message_service_errors(request, exc) -> None:
    """Show a service's ValidationError as page messages (for buttons without a form)."""
    for message in exc.messages:
        messages.error(request, message)


def apply_service_errors(form: forms.Form, exc, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError next to the fields it names (else above the form).

    `field_map` maps a model/service field name to the form field that shows it."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


CSV_MAX_BYTES = 2 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def parse_japanese_date(text) -> date:
    """Parse a typed date (agencies.jpdates.parse_date, the product's one parser); raise a
    ValidationError with its Japanese message saying what is wrong."""
    try:
        return jpdates.parse_date(text)
    except jpdates.DateParseError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None


class DateField(forms.DateField):
    """A date picked in the browser (or typed), read by the product's one parser: a date outside
    the years the system knows (1868–2100 — year 1 and 9999 overflow the date arithmetic and
    print as 「1年1月1日」) or an impossible one is refused at the field in Japanese. Every date
    field of the product's forms is one of these (tests/test_form_dates.py)."""

    widget = DateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_japanese_date(value.strip() if isinstance(value, str) else value)


class VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, editable: frozenset[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        if editable is not None:
            for name, field in self.fields.items():
                if name != "version" and name not in editable:
                    field.disabled = True

    def service_data(self) -> dict:
        """Cleaned values of the fields this user may change (disabled ones are left out)."""
        return {
            name: self.cleaned_data[name]
            for name, field in self.fields.items()
            if name in self._meta.fields and not field.disabled and name in self.cleaned_data
        }


class AreaForm(VersionedForm):
    class Meta:
        model = Area
        fields = list(AREA_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Area.objects.order_by("sort_order", "code")
        if self.instance.pk:
            parents = parents.exclude(pk__in=_subtree_ids(self.instance))
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("(なし:最上位)")


def _subtree_ids(area: Area) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Area.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    ids, stack = set(), [area.pk]
    while stack:
        pk = stack.pop()
        if pk not in ids:
            ids.add(pk)
            stack.extend(children.get(pk, []))
    return ids


class AgencyForm(VersionedForm):
    programmes = forms.MultipleChoiceField(
        label=_("実施事業"),
        choices=Programme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Agency
        fields = list(AGENCY_FIELDS)
        help_texts = {
            "code": _("半角英数字とハイフン。CSV取込や他システム連携で使います。"),
            "kana": _("ひらがなで入力してください。一覧の並び順と検索に使います。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.order_by("sort_order", "code")
        self.fields["area"].empty_label = _("(指定なし)")


class StaffForm(VersionedForm):
    class Meta:
        model = User
        fields = list(STAFF_FIELDS)
        help_texts = {
            "username": _("ログインに使うIDです。半角英数字と @ . + - _ が使えます。"),
            "kana": _("ひらがなで入力してください。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["email"].required = False

    def clean_staff_number(self):
        return (self.cleaned_data.get("staff_number") or "").strip()


class StaffCreateForm(StaffForm):
    """A new account with its first membership; a password-setup mail goes out on request."""

    agency = forms.ModelChoiceField(
        label=_("所属機関"), queryset=Agency.objects.none(), required=False
    )
    role = forms.ChoiceField(
        label=_("役割"), choices=[("", EMPTY_LABEL), *Role.choices], required=False
    )
    start_date = DateField(label=_("所属開始日"), required=False, widget=DateInput)
    send_setup_email = forms.BooleanField(
        label=_("パスワード設定メールを送る"),
        required=False,
        initial=True,
        help_text=_("登録したメールアドレスに、パスワードを設定するためのリンクを送ります。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.active().order_by("kana")
        self.fields["start_date"].initial = timezone.localdate

    def clean(self):
        data = super().clean()
        if bool(data.get("agency")) != bool(data.get("role")):
            self.add_error(
                "role" if data.get("agency") else "agency",
                _("所属を登録するときは、機関と役割の両方を選んでください。"),
            )
        if data.get("send_setup_email") and not data.get("email"):
            self.add_error("email", _("パスワード設定メールを送るにはメールアドレスが必要です。"))
        return data

    def membership_data(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("agency"):
            return []
        return [
            {
                "agency": data["agency"],
                "role": data["role"],
                "start_date": data.get("start_date") or timezone.localdate(),
            }
        ]


class StaffDeactivateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    end_memberships = forms.BooleanField(
        label=_("現在の所属をこの日付で終了する"), required=False, initial=True
    )
    end_date = DateField(label=_("所属の終了日"), required=False, widget=DateInput)

    def __init__(self, *args, staff: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        self.fields["version"].initial = staff.version
        self.fields["end_date"].initial = timezone.localdate

    def clean(self):
        data = super().clean()
        if data.get("end_memberships") and not data.get("end_date"):
            self.add_error("end_date", _("終了日を入力してください。"))
        return data


class ActiveToggleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    active = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )


class MembershipStartForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("機関"), queryset=Agency.objects.none())
    role = forms.ChoiceField(label=_("役割"), choices=Role.choices)
    start_date = DateField(label=_("開始日"), widget=DateInput)
    note = forms.CharField(label=_("備考"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.active().order_by("kana")
        self.fields["start_date"].initial = timezone.localdate


class MembershipEndForm(forms.Form):
    end_date = DateField(
        label=_("終了日"), widget=DateInput, help_text=_("所属の最終日を入力してください。")
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["end_date"].initial = timezone.localdate

    def clean_end_date(self):
        end = self.cleaned_data["end_date"]
        if end < self.membership.start_date:
            raise forms.ValidationError(_("終了日は開始日以降の日付にしてください。"))
        return end


def next_april_first(today: date | None = None) -> date:
    today = today or timezone.localdate()
    year = today.year if today < date(today.year, 4, 1) else today.year + 1
    return date(year, 4, 1)


class MembershipTransferForm(forms.Form):
    to_agency = forms.ModelChoiceField(label=_("異動先の機関"), queryset=Agency.objects.none())
    role = forms.ChoiceField(
        label=_("異動後の役割"),
        choices=[("", _("(現在と同じ)")), *Role.choices],
        required=False,
    )
    transfer_date = DateField(
        label=_("異動日"),
        widget=DateInput,
        help_text=_("この日から新しい所属になります。現在の所属は前日で終了します。"),
    )
    note = forms.CharField(label=_("備考"), max_length=200, required=False)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["to_agency"].queryset = Agency.objects.active().order_by("kana")
        self.fields["transfer_date"].initial = next_april_first()

    def clean_transfer_date(self):
        value = self.cleaned_data["transfer_date"]
        if value <= self.membership.start_date:
            raise forms.ValidationError(_("異動日は現在の所属の開始日より後の日付にしてください。"))
        return value


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSVファイル"),
        help_text=_("UTF-8 または Shift_JIS(Excel の「CSV」保存)。上限 2 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("CSVファイル(拡張子 .csv)を選んでください。"))
        if f.size > CSV_MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます(上限 2 MB)。"))
        content_type = (getattr(f, "content_type", "") or "").split(";")[0].strip().lower()
        if content_type and content_type not in CSV_CONTENT_TYPES:
            raise forms.ValidationError(_("CSVファイルを選んでください。"))
        return f


def editable_agency_fields(decision: policy.Decision) -> frozenset[str]:
    return policy.editable_fields(decision, AGENCY_FIELDS, policy.AGENCY_SUPERVISOR_FIELDS)


def editable_staff_fields(decision: policy.Decision) -> frozenset[str]:
    return policy.editable_fields(decision, STAFF_FIELDS, policy.STAFF_SELF_FIELDS)
