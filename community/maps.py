"""The area view's drawing: the municipality's own boundaries (GeoJSON, imported once) projected
into an SVG frame on the server, with places as points and areas shaded by a figure. No tiles,
no external calls: the page is plain SVG the browser draws, with a table beside it."""

import json
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Area

from .models import AreaShape, MapFrame

WIDTH = 800
MAX_POINTS = 200_000  # vertices per import: a city's boundaries, not a country's


@dataclass(frozen=True)
class Projection:
    """Equirectangular with the longitude scaled by cos(mid-latitude): at city scale this is
    indistinguishable from a proper projection and needs no library."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    width: int
    height: int

    @classmethod
    def fit(cls, min_lon, min_lat, max_lon, max_lat, width=WIDTH):
        k = math.cos(math.radians((min_lat + max_lat) / 2))
        span_x = max((max_lon - min_lon) * k, 1e-9)
        span_y = max(max_lat - min_lat, 1e-9)
        height = max(1, round(width * span_y / span_x))
        return cls(min_lon, min_lat, max_lon, max_lat, width, height)

    @classmethod
    def of(cls, frame: MapFrame):
        return cls(
            frame.min_lon, frame.min_lat, frame.max_lon, frame.max_lat, frame.width, frame.height
        )

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.min_lon) / max(self.max_lon - self.min_lon, 1e-9) * self.width
        y = (self.max_lat - lat) / max(self.max_lat - self.min_lat, 1e-9) * self.height
        return round(x, 1), round(y, 1)

    def contains(self, lon: float, lat: float) -> bool:
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat


def _polygons(geometry) -> list:
    kind = (geometry or {}).get("type")
    coords = (geometry or {}).get("coordinates")
    if kind == "Polygon":
        return [coords]
    if kind == "MultiPolygon":
        return list(coords)
    raise ValidationError(
        _("対応していない形です(Polygon と MultiPolygon のみ): %(k)s") % {"k": kind}
    )


def _rings(geometry):
    for polygon in _polygons(geometry):
        for ring in polygon:
            yield [(float(p[0]), float(p[1])) for p in ring]


def parse_features(data) -> list[tuple[str, dict]]:
    """(area code, geometry) per feature; the code is in properties.code (else .id)."""
    if isinstance(data, (bytes, str)):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ValidationError(_("GeoJSON として読めません。")) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValidationError(_("FeatureCollection 形式の GeoJSON を指定してください。"))
    out = []
    for n, feature in enumerate(data.get("features") or [], start=1):
        props = feature.get("properties") or {}
        code = str(props.get("code") or feature.get("id") or "").strip()
        if not code:
            raise ValidationError(_("%(n)s番目の地物に code(圏域コード)がありません。") % {"n": n})
        out.append((code, feature.get("geometry")))
    if not out:
        raise ValidationError(_("地物がありません。"))
    return out


@transaction.atomic
def import_shapes(data, *, source_name: str = "") -> MapFrame:
    """Replace every area shape with those in `data` (a GeoJSON FeatureCollection whose features
    carry the Area code in properties.code). Unknown codes and bad geometry are refused as a
    whole: nothing is half-imported."""
    features = parse_features(data)
    codes = [c for c, _g in features]
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    unknown = sorted(set(codes) - set(areas))
    if unknown:
        raise ValidationError(
            _("登録されていない圏域コードです: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    rings_by_code = {}
    points = 0
    for code, geometry in features:
        rings = list(_rings(geometry))
        points += sum(len(r) for r in rings)
        if points > MAX_POINTS:
            raise ValidationError(_("頂点が多すぎます。境界を簡略化してから取り込んでください。"))
        for ring in rings:
            for lon, lat in ring:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValidationError(_("経度・緯度の範囲外の座標があります。"))
        rings_by_code.setdefault(code, []).extend(rings)
    every = [p for rings in rings_by_code.values() for ring in rings for p in ring]
    proj = Projection.fit(
        min(p[0] for p in every),
        min(p[1] for p in every),
        max(p[0] for p in every),
        max(p[1] for p in every),
    )
    AreaShape.objects.all().delete()
    MapFrame.objects.all().delete()
    frame = MapFrame.objects.create(
        min_lon=proj.min_lon,
        min_lat=proj.min_lat,
        max_lon=proj.max_lon,
        max_lat=proj.max_lat,
        width=proj.width,
        height=proj.height,
        source_name=source_name[:200],
    )
    for code, rings in rings_by_code.items():
        parts = []
        xs, ys = [], []
        for ring in rings:
            pts = [proj.xy(lon, lat) for lon, lat in ring]
            xs += [x for x, _y in pts]
            ys += [y for _x, y in pts]
            parts.append("M" + " L".join(f"{x:g},{y:g}" for x, y in pts) + " Z")
        AreaShape.objects.create(
            area=areas[code],
            frame=frame,
            svg_path=" ".join(parts),
            label_x=round(sum(xs) / len(xs), 1),
            label_y=round(sum(ys) / len(ys), 1),
        )
    return frame


SHADES = 5


def shade(value: float, top: float) -> int:
    """0 (none) … SHADES (highest) for the fill class."""
    if not value or not top:
        return 0
    return max(1, min(SHADES, math.ceil(value / top * SHADES)))
