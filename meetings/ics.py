"""iCalendar (RFC 5545) export of meetings. Event text carries the body's name only: no case,
no person, no agenda — a calendar feed ends up on phones and in other systems."""

import datetime as dt

from django.utils import timezone

from .choices import MeetingStatus


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold lines longer than 75 octets (UTF-8) with CRLF + space, never splitting a character."""
    out, current = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += b
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_ics(meetings, *, host: str = "tsunagu") -> str:
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tsunagu//meetings//JA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + _escape("つなぐ 会議予定"),
    ]
    for m in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{m.public_id}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(m.starts_at)}",
            f"DTEND:{_utc(m.ends_at)}",
            "SUMMARY:" + _escape(m.body.name),
        ]
        if m.place and not m.online:
            lines.append("LOCATION:" + _escape(m.place))
        elif m.online:
            lines.append("LOCATION:" + _escape("オンライン"))
        lines.append(
            "STATUS:" + ("CANCELLED" if m.status == MeetingStatus.CANCELLED else "CONFIRMED")
        )
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
