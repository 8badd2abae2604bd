"""Filters for the agency, staff and membership lists: one FilterSet per list, shared by the HTML
pages and the API so both filter the same way."""

import unicodedata

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .choices import AgencyKind, Programme, Role
from .models import Agency, Area, Membership, User

ACTIVE_CHOICES = [("true", _("有効のみ")), ("false", _("無効のみ"))]


def kana_variants(text: str) -> set[str]:
    """The query as typed (NFKC: half-width kana become full-width), in hiragana and katakana."""
    text = unicodedata.normalize("NFKC", text).strip()
    hira = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)
    kata = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)
    return {v for v in (text, hira, kata) if v}


def text_search(fields: list[str], value: str) -> Q:
    q = Q()
    for variant in kana_variants(value):
        for name in fields:
            q |= Q(**{f"{name}__icontains": variant})
    return q


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label=_("区分"), choices=Area.Level.choices)
    parent = django_filters.ModelChoiceFilter(label=_("上位の圏域"), queryset=Area.objects.all())

    class Meta:
        model = Area
        fields = ["level", "parent"]


class AgencyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称・ふりがな"), method="filter_text")
    kind = django_filters.ChoiceFilter(label=_("機関種別"), choices=AgencyKind.choices)
    area = django_filters.ModelChoiceFilter(
        label=_("圏域(下位を含む)"), queryset=Area.objects.all(), method="filter_area"
    )
    programme = django_filters.ChoiceFilter(
        label=_("実施事業"), choices=Programme.choices, method="filter_programme"
    )
    active = django_filters.ChoiceFilter(
        label=_("状態"), choices=ACTIVE_CHOICES, empty_label=_("すべて"), method="filter_active"
    )

    class Meta:
        model = Agency
        fields = ["q", "kind", "area", "programme", "active"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(text_search(["name", "kana", "short_name", "code"], value))

    def filter_area(self, queryset, name, value):
        # One query for the whole tree, then the subtree in Python: areas are a few dozen rows.
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in Area.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        ids, stack = set(), [value.pk]
        while stack:
            pk = stack.pop()
            if pk not in ids:
                ids.add(pk)
                stack.extend(children.get(pk, []))
        return queryset.filter(area_id__in=ids)

    def filter_programme(self, queryset, name, value):
        return queryset.running(value)

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=value == "true")


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("氏名・ふりがな・ID"), method="filter_text")
    # field_name tells the schema generator the type; the method does the filtering.
    agency = django_filters.ModelChoiceFilter(
        label=_("現在の所属機関"),
        field_name="memberships__agency",
        queryset=Agency.objects.all(),
        method="filter_membership",
    )
    role = django_filters.ChoiceFilter(
        label=_("役割"),
        field_name="memberships__role",
        choices=Role.choices,
        method="filter_membership",
    )
    active = django_filters.ChoiceFilter(
        label=_("状態"), choices=ACTIVE_CHOICES, empty_label=_("すべて"), method="filter_active"
    )
    no_membership = django_filters.BooleanFilter(
        label=_("現在の所属なし"),
        method="filter_no_membership",
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = User
        fields = ["q", "agency", "role", "active", "no_membership"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            text_search(["display_name", "kana", "username", "staff_number"], value)
        )

    def filter_membership(self, queryset, name, value):
        # Agency and role describe the same current membership: applied together, once.
        if getattr(self, "_membership_applied", False):
            return queryset
        self._membership_applied = True
        data = self.form.cleaned_data
        memberships = Membership.objects.current().filter(user=OuterRef("pk"))
        if data.get("agency"):
            memberships = memberships.filter(agency=data["agency"])
        if data.get("role"):
            memberships = memberships.filter(role=data["role"])
        return queryset.filter(Exists(memberships))

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")

    def filter_no_membership(self, queryset, name, value):
        current = Exists(Membership.objects.current().filter(user=OuterRef("pk")))
        return queryset.filter(~current) if value else queryset.filter(current)


class MembershipFilter(django_filters.FilterSet):
    staff = django_filters.UUIDFilter(label=_("職員(公開ID)"), field_name="user__public_id")
    agency = django_filters.CharFilter(label=_("機関コード"), field_name="agency__code")
    role = django_filters.ChoiceFilter(label=_("役割"), choices=Role.choices)
    current = django_filters.BooleanFilter(label=_("現在有効"), method="filter_current")

    class Meta:
        model = Membership
        fields = ["staff", "agency", "role", "current"]

    def filter_current(self, queryset, name, value):
        current_ids = Membership.objects.current().values("pk")
        return (
            queryset.filter(pk__in=current_ids) if value else queryset.exclude(pk__in=current_ids)
        )
