"""Filters of the audit viewer; the CSV export uses the same ones so it exports what is shown."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


class DateInput(forms.DateInput):
    input_type = "date"


class AuditEventFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label=_("期間(から)"), field_name="at", lookup_expr="date__gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("期間(まで)"), field_name="at", lookup_expr="date__lte", widget=DateInput
    )
    actor = django_filters.CharFilter(
        label=_("実行者(ログインID)"), field_name="actor_label", lookup_expr="iexact"
    )
    action = django_filters.CharFilter(
        label=_("操作"),
        field_name="action",
        lookup_expr="istartswith",
        help_text=_("前方一致。例: staff. / agency.update"),
    )
    kind = django_filters.ChoiceFilter(label=_("種別"), choices=AuditEvent.Kind.choices)
    object_type = django_filters.ChoiceFilter(label=_("対象の種類"), choices=[])
    object_id = django_filters.CharFilter(label=_("対象ID"), field_name="object_id")

    class Meta:
        model = AuditEvent
        fields = ["date_from", "date_to", "actor", "action", "kind", "object_type", "object_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = (
            AuditEvent.objects.exclude(object_type="")
            .order_by("object_type")
            .values_list("object_type", flat=True)
            .distinct()
        )
        self.filters["object_type"].extra["choices"] = [(t, t) for t in types]

    def used_filters(self) -> list[str]:
        if not self.is_bound or not self.form.is_valid():
            return []
        return sorted(k for k, v in self.form.cleaned_data.items() if v not in (None, ""))
