"""Helpers shared by the meetings views."""

from django.shortcuts import get_object_or_404, redirect

from ..models import AgendaItem, Meeting, MeetingBody


def get_body(public_id) -> MeetingBody:
    return get_object_or_404(
        MeetingBody.objects.select_related("convenor", "area"), public_id=public_id
    )


def get_meeting(public_id) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("body", "body__convenor"), public_id=public_id
    )


def get_item(public_id) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related(
            "meeting",
            "meeting__body",
            "meeting__body__convenor",
            "case",
            "case__lead_agency",
            "household",
            "request",
            "subject_type",
        ),
        public_id=public_id,
    )


def post_int(request, name: str) -> int | None:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        return None


def back_to_meeting(meeting, anchor: str = ""):
    response = redirect("meetings:meeting_detail", meeting.public_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response
