"""Boundaries of the city's 圏域 and 小地域, imported once from the municipality's own GeoJSON
(manage.py import_area_shapes). Stored already projected to an SVG path in a fixed frame so the
area view draws them without any map service."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.jpdates import format_date


class MapFrame(models.Model):
    """The bounding box (lon/lat) the SVG paths were projected in; one row per import."""

    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    width = models.PositiveIntegerField(default=800)
    height = models.PositiveIntegerField(default=600)
    imported_at = models.DateTimeField(default=timezone.now)
    source_name = models.CharField(_("元ファイル"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("地図の枠")
        verbose_name_plural = _("地図の枠")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source_name} {format_date(self.imported_at)}"


class AreaShape(models.Model):
    area = models.OneToOneField(
        "agencies.Area", verbose_name=_("圏域"), on_delete=models.CASCADE, related_name="shape"
    )
    frame = models.ForeignKey(MapFrame, on_delete=models.CASCADE, related_name="shapes")
    svg_path = models.TextField(_("SVGパス"))
    label_x = models.FloatField(default=0)
    label_y = models.FloatField(default=0)

    class Meta:
        verbose_name = _("圏域の形")
        verbose_name_plural = _("圏域の形")

    def __str__(self) -> str:
        return str(self.area)
