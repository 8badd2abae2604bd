"""Cross tables of the annual report: people (published with small-cell protection) and places."""

from __future__ import annotations

from django.utils.translation import gettext as _

from agencies import jpdates

from .figures import Period, get
from .suppression import CrossTable

AGE_BANDS = ((0, 17), (18, 39), (40, 64), (65, 74), (75, None))


def _band_labels() -> list[str]:
    labels = []
    for low, high in AGE_BANDS:
        labels.append(
            _("%(low)s歳以上") % {"low": low}
            if high is None
            else _("%(low)s〜%(high)s歳") % {"low": low, "high": high}
        )
    return [*labels, _("年齢不明")]


def _band(birth, on) -> int:
    if birth is None:
        return len(AGE_BANDS)
    age = jpdates.age(birth, on)
    for n, (low, high) in enumerate(AGE_BANDS):
        if age >= low and (high is None or age <= high):
            return n
    return len(AGE_BANDS)


def persons_by_area_and_age(period: Period) -> CrossTable:
    """新規相談の実人数 by the person's 圏域 and age band (age on the period's last day): the
    same persons as `consultation.new.persons`, so the table's total equals that figure."""
    persons = get("consultation.new.persons").records(period)
    rows = persons.values_list("area__name", "birth_date")
    areas: dict[str, list[int]] = {}
    width = len(AGE_BANDS) + 1
    unknown = _("圏域不明")
    for area, birth in rows:
        areas.setdefault(area or unknown, [0] * width)[_band(birth, period.end)] += 1
    names = sorted(a for a in areas if a != unknown) + ([unknown] if unknown in areas else [])
    if not names:  # nobody consulted yet: one empty row keeps the table's shape
        names, areas = [unknown], {unknown: [0] * width}
    return CrossTable(
        title=_("新規相談の実人数(圏域別・年齢階層別)"),
        row_labels=names,
        col_labels=_band_labels(),
        cells=[areas[a] for a in names],
        row_heading=_("圏域"),
        col_heading=_("年齢"),
    )


def places_by_area_and_kind(period: Period) -> CrossTable:
    """拠点・居場所 open on the period's last day by 圏域 and kind: the same places as
    `community.places`, so the table's total equals that figure. Kinds without a place are left
    out; counts of places are published as they are."""
    from community.choices import ResourceKind

    places = get("community.places").records(period)
    counts: dict[str, dict[str, int]] = {}
    unknown = _("圏域不明")
    for area, kind in places.values_list("area__name", "kind"):
        row = counts.setdefault(area or unknown, {})
        row[kind] = row.get(kind, 0) + 1
    kinds = [k for k in ResourceKind.values if any(k in row for row in counts.values())]
    names = sorted(a for a in counts if a != unknown) + ([unknown] if unknown in counts else [])
    if not names:
        names, counts = [unknown], {unknown: {}}
    labels = dict(ResourceKind.choices)
    return CrossTable(
        title=_("拠点・居場所の数(圏域別・種類別)"),
        row_labels=names,
        col_labels=[str(labels[k]) for k in kinds] or [_("拠点・居場所")],
        cells=[[counts[a].get(k, 0) for k in kinds] or [0] for a in names],
        row_heading=_("圏域"),
        col_heading=_("種類"),
        of_people=False,
        programme="community",
    )
