"""Cross tables of people for the annual report (published with small-cell protection)."""

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
