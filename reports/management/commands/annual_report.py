"""`manage.py annual_report --fy 2026 --as-of 2027-02-28 --format xlsx -o FILE`

Writes the annual report of a fiscal year (4月〜3月) counted up to the as-of date as XLSX, CSV
(UTF-8 with BOM), PDF (the national report form, A4) or JSON. `--public` writes the version that
leaves the office (small counts of people suppressed); without it the file is marked 庁内限り.
"""

import datetime as dt
import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from reports.build import build_annual_report, report_json
from reports.outputs import to_csv, to_pdf, to_xlsx

FORMATS = ("xlsx", "csv", "pdf", "json")


class Command(BaseCommand):
    help = "Write the annual report (実績報告) of a fiscal year as XLSX, CSV, PDF or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--fy", type=int, required=True, help="fiscal year, e.g. 2026")
        parser.add_argument("--as-of", dest="as_of", help="as-of date YYYY-MM-DD")
        parser.add_argument("--format", choices=FORMATS, default="xlsx")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--public", action="store_true", help="suppress small counts of people")

    def handle(self, *args, fy, as_of, format, output, public, **options):
        if not 2000 <= fy <= 2100:
            raise CommandError("--fy must be a year such as 2026")
        as_of_date = None
        if as_of:
            try:
                as_of_date = dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError("--as-of must be a date YYYY-MM-DD")
            if as_of_date < dt.date(fy, 4, 1):
                raise CommandError("--as-of must not be before the fiscal year starts (4/1)")
        started = time.monotonic()
        report = build_annual_report(fy, as_of_date)
        built = time.monotonic() - started
        if format == "json":
            data = json.dumps(report_json(report), ensure_ascii=False, indent=2).encode()
        else:
            data = {"xlsx": to_xlsx, "csv": to_csv, "pdf": to_pdf}[format](report, public=public)
        if output:
            with open(output, "wb") as fh:
                fh.write(data)
            self.stderr.write(
                f"{format}: {len(data):,} bytes, figures {built:.2f} s, "
                f"total {time.monotonic() - started:.2f} s -> {output}"
            )
        else:
            sys.stdout.buffer.write(data)
