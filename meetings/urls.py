from django.urls import path

from .views import bodies, feeds, items, meetings, roles

app_name = "meetings"

urlpatterns = [
    path("", meetings.index, name="index"),
    path("all/", meetings.meeting_list, name="meeting_list"),
    path("all/export/", meetings.meeting_export, name="meeting_export"),
    path("calendar/", meetings.calendar_view, name="calendar"),
    path("calendar.ics", meetings.calendar_export, name="calendar_ics"),
    path("calendar/feed/", feeds.calendar_feed_settings, name="calendar_feed_settings"),
    # session-less: the secret token is the credential (see meetings/feeds.py). It travels in the
    # query string (?key=…), never in the path: access logs record the path only.
    path("calendar/feed.ics", feeds.calendar_feed, name="calendar_feed"),
    # bodies, members, pledges, requests
    path("bodies/", bodies.body_list, name="body_list"),
    path("bodies/new/", bodies.body_create, name="body_create"),
    path("bodies/<uuid:public_id>/", bodies.body_detail, name="body_detail"),
    path("bodies/<uuid:public_id>/edit/", bodies.body_edit, name="body_edit"),
    path("bodies/<uuid:public_id>/members/add/", bodies.member_add, name="member_add"),
    path("bodies/<uuid:public_id>/meetings/new/", bodies.meeting_create, name="meeting_create"),
    path(
        "bodies/<uuid:public_id>/meetings/generate/",
        bodies.meetings_generate,
        name="meetings_generate",
    ),
    path("bodies/<uuid:public_id>/requests/new/", bodies.request_create, name="request_create"),
    path("cases/<uuid:case_id>/submit/", bodies.case_submit, name="case_submit"),
    path("members/<uuid:public_id>/remove/", bodies.member_remove, name="member_remove"),
    path("members/<uuid:public_id>/pledge/", bodies.pledge_add, name="pledge_add"),
    path("pledges/<uuid:public_id>/document/", bodies.pledge_document, name="pledge_document"),
    # one meeting
    path("m/<uuid:public_id>/", meetings.meeting_detail, name="meeting_detail"),
    path("m/<uuid:public_id>/queue/", meetings.meeting_queue, name="meeting_queue"),
    path("m/<uuid:public_id>/items/add/", meetings.item_add, name="item_add"),
    path(
        "m/<uuid:public_id>/requests/<uuid:request_id>/withdraw/",
        meetings.request_withdraw,
        name="request_withdraw",
    ),
    path("m/<uuid:public_id>/reorder/", meetings.agenda_reorder, name="agenda_reorder"),
    path("m/<uuid:public_id>/fix/", meetings.agenda_fix, name="agenda_fix"),
    path("m/<uuid:public_id>/reopen/", meetings.agenda_reopen, name="agenda_reopen"),
    path("m/<uuid:public_id>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("m/<uuid:public_id>/attendance/", meetings.attendance, name="attendance"),
    path("m/<uuid:public_id>/held/", meetings.meeting_held, name="meeting_held"),
    path("m/<uuid:public_id>/minutes/", meetings.minutes_update, name="minutes_update"),
    path("m/<uuid:public_id>/minutes/approve/", meetings.minutes_approve, name="minutes_approve"),
    path("m/<uuid:public_id>/addenda/", meetings.addendum_add, name="addendum_add"),
    path("m/<uuid:public_id>/agenda.pdf", meetings.agenda_pdf, name="agenda_pdf"),
    path("m/<uuid:public_id>/papers.pdf", meetings.papers_pdf, name="papers_pdf"),
    path("m/<uuid:public_id>/minutes.pdf", meetings.minutes_pdf, name="minutes_pdf"),
    # one agenda item
    path("items/<uuid:public_id>/", items.item_detail, name="item_detail"),
    path("items/<uuid:public_id>/paper/", items.paper_edit, name="paper_edit"),
    path(
        "items/<uuid:public_id>/paper/regenerate/", items.paper_regenerate, name="paper_regenerate"
    ),
    path("items/<uuid:public_id>/paper.pdf", items.paper_pdf, name="paper_pdf"),
    path("items/<uuid:public_id>/decision/", items.item_decide, name="item_decide"),
    path("items/<uuid:public_id>/answer/", items.item_answer, name="item_answer"),
    path("items/<uuid:public_id>/remove/", meetings.item_remove, name="item_remove"),
    # role assignments agreed at meetings (役割分担)
    path("roles/", roles.my_roles, name="my_roles"),
    path("roles/<uuid:public_id>/", roles.role_open, name="role_open"),
    path("roles/<uuid:public_id>/complete/", roles.role_complete, name="role_complete"),
]
