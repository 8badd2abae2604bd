"""Referral (つなぐシート) rules: the receiving agency must open and answer within N business days.

Counted in business days from `sent_at` (national holidays and the year-end closure skipped, see
agencies.jpdates). Step 0 goes to the receiving staff (the assignee while still at the agency,
else the agency's coordinators, else its supervisors); step 1, E business days later, to the
receiving agency's supervisors.
"""

from django.utils.translation import gettext_lazy as _

from agencies.jpdates import add_business_days

from ..models import Level, ref_for
from .registry import Hit, RuleContext, Setting, register, safe_url


def _referrals_with_status(status: str):
    def still_open():
        from cases.models import Referral

        return Referral.objects.filter(status=status)

    return still_open


def _referral_hits(ctx: RuleContext, setting: Setting, *, status: str, title: str, code: str):
    from cases.models import Referral

    rows = (
        Referral.objects.filter(status=status, sent_at__isnull=False)
        .select_related("to_agency")
        .only(
            "pk",
            "public_id",
            "number",
            "sent_at",
            "urgency",
            "assignee_id",
            "to_agency_id",
            "to_agency__name",
            "to_agency__short_name",
        )
        .order_by("pk")
    )
    d = ctx.directory
    for r in rows.iterator(chunk_size=2000):
        due = add_business_days(r.sent_at, setting.threshold)
        if ctx.today <= due:
            continue
        escalate_on = add_business_days(due, setting.escalation)
        staff = d.person_or_coordinators(r.assignee_id, r.to_agency_id) or d.supervisors(
            r.to_agency_id
        )
        ladder = [staff]
        if ctx.today > escalate_on:
            ladder.append(d.supervisors(r.to_agency_id) or d.supervisors_of_user(r.assignee_id))
        # Every step reached so far: a missed run (or data older than the sweep) loses nothing;
        # the steps already sent are no-ops on the unique key.
        for step, recipients in enumerate(ladder):
            if not recipients:
                continue
            urgent = step == 1 or r.urgency == "urgent"
            yield Hit(
                object_ref=ref_for("cases.referral", r.pk),
                due_date=due,
                step=step,
                recipients=set(recipients),
                subject=r.number,
                title=title,
                params={
                    "n": r.number,
                    "days": setting.threshold,
                    "agency": r.to_agency.short_name or r.to_agency.name,
                    "due": due.strftime("%Y-%m-%d"),
                },
                body=("referral_due.body", "escalated.supervisors_told")
                if step == 1
                else ("referral_due.body",),
                url=safe_url(r, "cases:referral_detail", r.public_id),
                agency_id=r.to_agency_id,
                level=Level.URGENT if urgent else Level.NORMAL,
            )


@register(
    code="referral_unopened",
    area="intake",
    label=_("つなぐシートの未確認"),
    description=_("送付されたつなぐシートが、受理機関でN営業日たっても開かれていない。"),
    threshold_label=_("確認までの営業日数"),
    default_threshold=3,
    default_escalation=2,
    unit="business_days",
    requires=("cases.Referral.sent_at", "cases.Referral.assignee"),
    still_open=_referrals_with_status("sent"),
)
def referral_unopened(ctx: RuleContext, setting: Setting):
    return _referral_hits(
        ctx,
        setting,
        status="sent",
        code="referral_unopened",
        title="referral_unopened.title",
    )


@register(
    code="referral_unanswered",
    area="intake",
    label=_("つなぐシートの未回答"),
    description=_(
        "確認済みのつなぐシートに、送付からN営業日たっても受理・差し戻し等の回答がない。"
    ),
    threshold_label=_("回答までの営業日数"),
    default_threshold=3,
    default_escalation=2,
    unit="business_days",
    requires=("cases.Referral.sent_at", "cases.Referral.opened_at"),
    still_open=_referrals_with_status("opened"),
)
def referral_unanswered(ctx: RuleContext, setting: Setting):
    return _referral_hits(
        ctx,
        setting,
        status="opened",
        code="referral_unanswered",
        title="referral_unanswered.title",
    )
