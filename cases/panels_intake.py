"""Dashboard panels of the intake side ("what needs me")."""

from django.urls import reverse
from django.utils.translation import gettext as _

from agencies.choices import Role
from agencies.compiled import KEY, KEYS, CompiledOnce
from agencies.dashboard import PANEL_ROWS, Panel, PanelItem, panel
from agencies.jpdates import format_date
from agencies.paging import compiled_head_and_count
from cases.models import ConcernSlip
from cases.policy.intake import is_resident, staff_agency_ids
from cases.selectors import intake as selectors


@panel(order=100)
def referral_inbox_panel(user) -> Panel | None:
    """Coordinators and supervisors at an agency that receives つなぐシート."""
    if not user.has_role(Role.COORDINATOR, Role.SUPERVISOR) or not staff_agency_ids(user):
        return None
    counts = selectors.inbox_counts(user)
    url = reverse("cases:referral_inbox")
    items = []
    for key, label, tone in (
        ("new", _("新着・未確認"), "warn"),
        ("overdue", _("回答期限超過(3開庁日)"), "danger"),
        ("mine", _("自分の担当"), ""),
        ("info_requested", _("追加情報の回答待ち"), ""),
    ):
        if counts[key]:
            items.append(PanelItem(label, f"{url}?tab={key}", badge=str(counts[key]), tone=tone))
    return Panel(
        key="referral_inbox",
        title=_("つなぐシート 受信"),
        count=counts["open"],
        empty_text=_("未回答のつなぐシートはありません。"),
        items=items,
        more_url=url,
        more_label=_("受信一覧を開く"),
    )


def _sent_rows(user_id, agency_ids):
    # What the items print: the sheets' 43 columns and four joined tables cost more to compile
    # and plan than the five rows cost to read.
    return (
        selectors.awaiting_answer_of(user_id, agency_ids)
        .select_related(None)
        .select_related("to_agency")
        .only(
            "public_id",
            "number",
            "status",
            "answer_due_on",
            "to_agency__name",
            "to_agency__short_name",
        )
        .order_by("-sent_at", "-pk")
    )


# The panels' reads, compiled once per process and per number of the user's agencies
# (agencies.compiled): every professional's dashboard asks them.
_SENT_HEAD = CompiledOnce(
    lambda user_id, agency_ids: _sent_rows(user_id, agency_ids)[: PANEL_ROWS + 1], KEY, KEYS
)


@panel(order=110)
def referral_sent_panel(user) -> Panel | None:
    """The user's own sheets still waiting: for the receiver, or for the user's answer."""
    agencies = staff_agency_ids(user)
    if not agencies:
        return None
    rows, count = compiled_head_and_count(
        _SENT_HEAD, (user.pk, agencies), PANEL_ROWS, lambda: _sent_rows(user.pk, agencies)
    )
    items = [
        PanelItem(
            r.number,
            reverse("cases:referral_detail", args=[r.public_id]),
            meta=r.to_agency.short_name or r.to_agency.name,
            badge=r.get_status_display(),
            tone="warn"
            if r.status == r.Status.INFO_REQUESTED
            else ("danger" if r.is_overdue else ""),
        )
        for r in rows
    ]
    return Panel(
        key="referral_sent",
        title=_("送付したつなぐシート(回答待ち)"),
        count=count,
        empty_text=_("回答待ちのつなぐシートはありません。"),
        items=items,
        more_url=reverse("cases:referral_sent") + "?mine=1",
        more_label=_("送付一覧を開く"),
    )


SLIP_ROW = ("public_id", "submitted_at", "urgency", "status")


def _new_slips(agency_ids):
    # What an item prints: the slip alone (the selector joins its agency, area and sender).
    return (
        selectors.concern_slips_received_at(agency_ids)
        .filter(status=ConcernSlip.Status.SUBMITTED)
        .select_related(None)
        .only(*SLIP_ROW)
        .order_by("-submitted_at")
    )


_NEW_SLIPS_HEAD = CompiledOnce(lambda agency_ids: _new_slips(agency_ids)[: PANEL_ROWS + 1], KEYS)


@panel(order=120)
def concern_slip_panel(user) -> Panel | None:
    """Staff: new 気づきシート addressed to their agency. Residents: their own slips."""
    agencies = staff_agency_ids(user)
    if agencies:
        slips, count = compiled_head_and_count(
            _NEW_SLIPS_HEAD, (agencies,), PANEL_ROWS, lambda: _new_slips(agencies)
        )
        if not count and not ConcernSlip.objects.filter(to_agency_id__in=agencies).exists():
            return None
        items = [
            PanelItem(
                _("%(date)s 受信") % {"date": format_date(s.submitted_at)},
                reverse("cases:concern_slip_detail", args=[s.public_id]),
                meta=s.get_urgency_display(),
                tone="danger" if s.urgency == "urgent" else "",
                badge=s.get_status_display(),
            )
            for s in slips
        ]
        return Panel(
            key="concern_slips",
            title=_("新しい気づきシート"),
            count=count,
            items=items,
            empty_text=_("新しい気づきシートはありません。"),
            more_url=reverse("cases:concern_slip_received"),
        )
    if is_resident(user):
        slips = list(selectors.concern_slips_of(user).order_by("-submitted_at")[:5])
        items = [
            PanelItem(
                _("%(date)s 提出") % {"date": format_date(s.submitted_at)},
                reverse("cases:concern_slip_detail", args=[s.public_id]),
                badge=s.get_status_display(),
            )
            for s in slips
        ]
        return Panel(
            key="my_concern_slips",
            title=_("提出した気づきシート"),
            items=items,
            empty_text=_("まだ気づきシートを提出していません。"),
            more_url=reverse("cases:concern_slip_create"),
            more_label=_("気づきシートを書く"),
        )
    return None
