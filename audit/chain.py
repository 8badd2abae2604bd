"""The audit log's hash chain: each past day's rows are sealed with a SHA-256 that also covers
the previous day's seal, so a row altered, removed or added later is detected by
`manage.py audit_verify` (which names the first broken day).

Days are local (Asia/Tokyo) dates of `at`. The daily Celery task `audit.seal` (01:15) seals
every unsealed day up to yesterday: a transaction that started before midnight has long
committed by then. Sealing is idempotent (a day is sealed once; a second run finds nothing)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import AuditDay, AuditEvent

GENESIS = "0" * 64
FIELDS = [
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "kind",
    "object_type",
    "object_id",
    "object_repr",
    "basis",
    "changes",
    "subjects",
    "ip",
    "user_agent",
]


def _bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, start + timedelta(days=1)


def _canonical(row: dict) -> bytes:
    values = dict(row)
    values["at"] = values["at"].astimezone(UTC).isoformat()
    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=str).encode()


def day_digest(day: date, previous_digest: str) -> tuple[str, int, int | None, int | None]:
    """(digest, row count, first id, last id) of a day's rows chained to `previous_digest`."""
    start, end = _bounds(day)
    h = hashlib.sha256(previous_digest.encode())
    h.update(day.isoformat().encode())
    count, first, last = 0, None, None
    rows = AuditEvent.objects.filter(at__gte=start, at__lt=end).order_by("id").values(*FIELDS)
    for row in rows.iterator(chunk_size=2000):
        h.update(b"\n")
        h.update(_canonical(row))
        count += 1
        first = row["id"] if first is None else first
        last = row["id"]
    return h.hexdigest(), count, first, last


def _first_day() -> date | None:
    first = AuditEvent.objects.order_by("at").values_list("at", flat=True).first()
    return timezone.localtime(first).date() if first else None


def seal(*, until: date | None = None) -> list[AuditDay]:
    """Seal every day from the last sealed one up to `until` (default: yesterday)."""
    until = until or timezone.localdate() - timedelta(days=1)
    last = AuditDay.objects.order_by("-day").first()
    day = last.day + timedelta(days=1) if last else _first_day()
    previous = last.digest if last else GENESIS
    sealed = []
    while day is not None and day <= until:
        digest, count, first, last_id = day_digest(day, previous)
        try:
            with transaction.atomic():
                link = AuditDay.objects.create(
                    day=day,
                    row_count=count,
                    first_id=first,
                    last_id=last_id,
                    previous_digest=previous,
                    digest=digest,
                )
        except IntegrityError:  # another run sealed it meanwhile: continue from its link
            link = AuditDay.objects.get(day=day)
        sealed.append(link)
        previous = link.digest
        day += timedelta(days=1)
    return sealed


@dataclass
class Broken:
    day: date
    reason: str


def verify() -> tuple[int, Broken | None]:
    """Recompute every sealed day in order. Returns (days checked, first broken day or None)."""
    previous = GENESIS
    checked = 0
    for link in AuditDay.objects.order_by("day"):
        if link.previous_digest != previous:
            return checked, Broken(link.day, "previous_digest")
        digest, count, _first, _last = day_digest(link.day, previous)
        if count != link.row_count:
            return checked, Broken(link.day, f"row_count {count} != {link.row_count}")
        if digest != link.digest:
            return checked, Broken(link.day, "digest")
        previous = link.digest
        checked += 1
    return checked, None
