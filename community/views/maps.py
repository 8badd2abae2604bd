"""The area view: 圏域 / 小地域 drawn from the imported boundaries as server-side SVG, shaded by a
chosen figure, places as points, and the same figures as a table (for screen readers and for
anyone without the map)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agencies.models import Area
from agencies.policy import require

from .. import maps, selectors
from ..choices import ResourceKind
from ..models import MapFrame

METRICS = {
    "places": gettext_lazy("拠点・居場所の数"),
    "sessions": gettext_lazy("月あたり開催回数"),
    "cases": gettext_lazy("対応中の多機関協働ケース"),
}
METRIC_FIELD = {"places": "places", "sessions": "sessions_per_month", "cases": "open_cases"}


@login_required
def area_view(request):
    require(request.user, "map.view")
    level = request.GET.get("level", Area.Level.SPHERE)
    if level not in (Area.Level.SPHERE, Area.Level.DISTRICT):
        level = Area.Level.SPHERE
    metric = request.GET.get("metric", "places")
    if metric not in METRICS:
        metric = "places"
    end = timezone.localdate()
    start = (end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)  # the last 12 months
    rows = selectors.area_figures(level=level, start=start, end=end)
    field = METRIC_FIELD[metric]
    top = max((getattr(r, field) for r in rows), default=0)
    for r in rows:
        r.fill = maps.shade(getattr(r, field), top)
        r.value = getattr(r, field)
    frame = MapFrame.objects.first()
    points = []
    if frame is not None:
        proj = maps.Projection.of(frame)
        kinds = dict(ResourceKind.choices)
        for public_id, name, kind, lon, lat in selectors.map_points():
            lon, lat = float(lon), float(lat)
            if proj.contains(lon, lat):
                x, y = proj.xy(lon, lat)
                points.append(
                    {"id": public_id, "name": name, "kind": kinds.get(kind, kind), "x": x, "y": y}
                )
    return render(
        request,
        "community/area_view.html",
        {
            "nav_active": "community",
            "rows": rows,
            "frame": frame,
            "points": points,
            "level": level,
            "metric": metric,
            "metrics": METRICS.items(),
            "metric_label": METRICS[metric],
            "start": start,
            "end": end,
            "shades": range(1, maps.SHADES + 1),
            "drawn": [r for r in rows if r.shape is not None],
        },
    )
