"""Figures of 地域づくり事業: 拠点・居場所 and social resources (community.Resource).

Places are counted by their dates (開始日・終了日), not by their current status, so an earlier
year's report keeps the places that were open then. The sessions of places, volunteers,
platforms, agreements and issues are in community_activity.py.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agencies.choices import Programme
from community.choices import ResourceKind
from community.models import Resource
from community.models.resources import OPEN_PLACE_RULE

from .registry import (
    ALL,
    Basis,
    Figure,
    Period,
    Unit,
    count_by,
    interp,
    register,
    register_breakdown,
)

P = Programme.COMMUNITY.value


def places_open(period: Period):
    """Places open on the period's last day, by the definition the community overview counts
    with (community.models.resources.OPEN_PLACE_RULE)."""
    return Resource.objects.open_on(period.end)


def started(period: Period):
    return Resource.objects.filter(start_date__gte=period.start, start_date__lte=period.end)


def _places_by_kind(period: Period) -> dict:
    return count_by(places_open(period), "kind")


register(
    Figure(
        code="community.places",
        label=_("拠点・居場所"),
        programme=P,
        basis=Basis.DISTINCT,
        unit=Unit.PLACES,
        rule=format_lazy(
            "{}{}",
            _("基準日(年度末より前なら基準日)に開いている拠点・居場所の数です。"),
            OPEN_PLACE_RULE,
        ),
        records=places_open,
        grouped=_places_by_kind,
        group_key=ALL,
        record_kind="resource",
        order=700,
    )
)


register_breakdown(
    "community.places",
    "kind",
    ResourceKind.choices,
    records=places_open,
    field="kind",
    rule=lambda label: interp(_("種類が「%(kind)s」の拠点・居場所の数です。"), kind=label),
    programme=P,
    basis=Basis.DISTINCT,
    unit=Unit.PLACES,
    grouped=_places_by_kind,
    record_kind="resource",
    group_label=_("種類"),
    order=701,
)

register(
    Figure(
        code="community.places.new",
        label=_("新たに開いた拠点・居場所"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.PLACES,
        rule=_("開始日が年度内・基準日までの拠点・居場所の数です。"),
        records=lambda period: started(period).filter(is_place=True),
        record_kind="resource",
        order=730,
    )
)

register(
    Figure(
        code="community.resources.new",
        label=_("創出した社会資源"),
        programme=P,
        basis=Basis.CUMULATIVE,
        unit=Unit.ITEMS,
        rule=_(
            "開始日が年度内・基準日までの社会資源(拠点・居場所のほか、就労体験・ボランティア活動などの活動先を含む)の数です。"
        ),
        records=started,
        record_kind="resource",
        order=740,
    )
)
