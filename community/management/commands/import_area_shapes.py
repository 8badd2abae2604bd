"""Import the municipality's 圏域 / 小地域 boundaries (GeoJSON) once, for the area view.

    manage.py import_area_shapes path/to/areas.geojson
    manage.py import_area_shapes --demo          # みどり市's fictional boundaries

Each feature carries the Area code in properties.code. Replaces the shapes imported before."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from community.maps import import_shapes

DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "midori_areas.geojson"


class Command(BaseCommand):
    help = "Import 圏域・小地域 boundaries from a GeoJSON FeatureCollection (properties.code)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="GeoJSON file")
        parser.add_argument("--demo", action="store_true", help="the demo city's boundaries")

    def handle(self, *args, path=None, demo=False, **options):
        if demo:
            path = str(DEMO_FILE)
        if not path:
            raise CommandError("give a GeoJSON file or --demo")
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            frame = import_shapes(data, source_name=Path(path).name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"imported {frame.shapes.count()} area shapes from {Path(path).name}")
