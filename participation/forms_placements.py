"""Forms of matching, placements, the catalogue and gaps. They validate input; services write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.forms import DateField, DateInput
from agencies.models import Area

from .choices import (
    ActivitySource,
    FollowUpKind,
    FollowUpTarget,
    Interest,
    Outcome,
    PlacementRole,
    PlacementStatus,
    Weekday,
)
from .models import ResourceProfile


class ProposeForm(forms.Form):
    resource = forms.UUIDField(widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=_("参加のかたち"), choices=PlacementRole.choices, initial=PlacementRole.USER
    )
    activity = forms.CharField(label=_("そこで行うこと"), max_length=200, required=False)


def _ids(form: str, kwargs: dict) -> dict:
    """The placement page holds three forms with the same field names (on, note): ids of
    their own, so each label, error and error-summary link points at its form's field."""
    kwargs.setdefault("auto_id", f"{form}_%s")
    return kwargs


class MoveForm(forms.Form):
    to = forms.ChoiceField(label=_("次の状態"))
    on = DateField(label=_("日付"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(
        label=_("メモ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.ChoiceField(
        label=_("終了の結果"), choices=[("", "—"), *Outcome.choices], required=False
    )
    outcome_note = forms.CharField(
        label=_("結果の内容・中断の理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, placement, **kwargs):
        super().__init__(*args, **_ids("move", kwargs))
        labels = dict(PlacementStatus.choices)
        order = list(PlacementStatus.values)
        allowed = sorted(placement.TRANSITIONS.get(placement.status, ()), key=order.index)
        self.fields["to"].choices = [(s, labels[s]) for s in allowed]


class ActivityForm(forms.Form):
    """Quick entry: a date (and optionally the six days before it) with the same hours."""

    on = DateField(label=_("活動日"), widget=DateInput(), initial=timezone.localdate)
    also = forms.TypedMultipleChoiceField(
        label=_("同じ時間で記録する前の日(何日前)"),
        choices=[(n, _("%(n)s日前") % {"n": n}) for n in range(1, 7)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hours = forms.DecimalField(
        label=_("活動時間(時間)"), min_value=0.1, max_value=24, decimal_places=1
    )
    source = forms.ChoiceField(
        label=_("記録の元"), choices=ActivitySource.choices, initial=ActivitySource.WORKER
    )
    note = forms.CharField(label=_("メモ"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_ids("activity", kwargs))

    def clean(self):
        data = super().clean()
        if data.get("on"):
            data["days"] = [data["on"]] + [
                data["on"] - dt.timedelta(days=n) for n in data.get("also") or []
            ]
        return data


class FollowUpForm(forms.Form):
    target = forms.ChoiceField(label=_("相手"), choices=FollowUpTarget.choices)
    kind = forms.ChoiceField(label=_("方法・内容"), choices=FollowUpKind.choices)
    on = DateField(label=_("日付"), widget=DateInput(), initial=timezone.localdate)
    minutes = forms.IntegerField(label=_("時間(分)"), min_value=1, max_value=1440, required=False)
    content = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_ids("follow_up", kwargs))


class CatalogueFilter(forms.Form):
    q = forms.CharField(label=_("名称・運営者"), max_length=50, required=False)
    interest = forms.ChoiceField(
        label=_("活動"), choices=[("", _("すべて")), *Interest.choices], required=False
    )
    area = forms.ModelChoiceField(
        label=_("圏域"), queryset=Area.objects.all(), required=False, empty_label=_("すべて")
    )
    helpers = forms.BooleanField(label=_("担い手として参加できる"), required=False)
    space = forms.BooleanField(label=_("空きがある"), required=False)

    def apply(self, qs):
        d = self.cleaned_data
        if d.get("q"):
            qs = qs.filter(Q(name__icontains=d["q"]) | Q(operator_name__icontains=d["q"]))
        if d.get("interest"):
            # Free Japanese tags are stored as escaped JSON text: match them in Python over one
            # narrow query rather than with a text lookup that misses them.
            from .selectors_matching import activity_codes

            code = d["interest"]
            rows = qs.model.objects.values_list(
                "pk", "kind", "interest_tags", "participation_profile__activities"
            )
            ids = [pk for pk, *facts in rows if code in activity_codes(*facts)]
            qs = qs.filter(pk__in=ids)
        if d.get("area"):
            qs = qs.filter(area=d["area"])
        if d.get("helpers"):
            qs = qs.filter(accepts_helpers=True)
        if d.get("space"):
            from django.db.models import F

            qs = qs.filter(Q(capacity__isnull=True) | Q(capacity__gt=F("occupied")))
        return qs


class ProfileForm(forms.ModelForm):
    activities = forms.MultipleChoiceField(
        label=_("活動(マッチング用)"),
        choices=Interest.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.TypedMultipleChoiceField(
        label=_("活動日(曜日)"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ResourceProfile
        fields = [
            "activities",
            "days",
            "opens",
            "closes",
            "hours_per_session",
            "bus_lines",
            "accepts_users",
            "small_group",
            "paid",
            "physical",
            "host_note",
        ]
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}),
            "closes": forms.TimeInput(attrs={"type": "time"}),
            "physical": forms.RadioSelect,
            "host_note": forms.Textarea(attrs={"rows": 3}),
        }

    def validate_constraints(self, exclude=None):
        # The service checks the hours with a field error; the resource is set there too.
        pass


class GapForm(forms.Form):
    title = forms.CharField(label=_("不足している資源"), max_length=120)
    description = forms.CharField(
        label=_("内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("個人が特定される内容は書かないでください(地域づくりの担当者も読みます)。"),
    )
    interests = forms.MultipleChoiceField(
        label=_("求められている活動"),
        choices=Interest.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area = forms.ModelChoiceField(
        label=_("圏域"), queryset=Area.objects.all(), required=False, empty_label="—"
    )


class GapResourceForm(forms.Form):
    resource = forms.ModelChoiceField(
        label=_("生まれた資源"),
        queryset=None,
        error_messages={
            "required": _("社会資源を選んでください。"),
            "invalid_choice": _("社会資源を選んでください。"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from community.models import Resource

        self.fields["resource"].queryset = Resource.objects.current().order_by("kana", "name")
