"""Filters of the audit viewer; the CSV export uses the same ones so it exports what is shown."""

import django_filters
from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

# The project's own apps: audit rows name their records as "<app_label>.<model_name>".
PROJECT_APPS = (
    "agencies",
    "cases",
    "meetings",
    "notifications",
    "outreach",
    "participation",
    "community",
    "reports",
    "audit",
)


def object_type_choices() -> list[tuple[str, str]]:
    """Record kinds by their Japanese names, from the models themselves (not a DISTINCT over
    the whole log, which reads every row of a table of millions)."""
    choices = [
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
    ]
    return sorted(choices, key=lambda c: c[1])


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
        self.filters["object_type"].extra["choices"] = object_type_choices()

    def used_filters(self) -> list[str]:
        if not self.is_bound or not self.form.is_valid():
            return []
        return sorted(k for k, v in self.form.cleaned_data.items() if v not in (None, ""))
