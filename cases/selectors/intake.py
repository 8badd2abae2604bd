"""Reads of the intake side, always starting from what the actor may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cases.models import ConcernSlip, Consultation, Referral, ReferralEvent
from cases.policy.intake import staff_agency_ids

S = Referral.Status


def consultations_visible_to(user) -> QuerySet[Consultation]:
    """Consultations recorded by the user's agencies (professional memberships only)."""
    return Consultation.objects.filter(agency_id__in=staff_agency_ids(user)).for_list()


def filter_consultations(qs: QuerySet[Consultation], data: dict) -> QuerySet[Consultation]:
    """Apply cleaned filter values (see ConsultationFilterForm)."""
    if data.get("date_from"):
        qs = qs.filter(received_at__date__gte=data["date_from"])
    if data.get("date_to"):
        qs = qs.filter(received_at__date__lte=data["date_to"])
    if data.get("agency"):
        qs = qs.filter(agency=data["agency"])
    if data.get("route"):
        qs = qs.filter(route=data["route"])
    if data.get("category"):
        qs = qs.filter(issues__category=data["category"])
    if data.get("urgency"):
        qs = qs.filter(urgency=data["urgency"])
    if data.get("outcome"):
        qs = qs.filter(outcome=data["outcome"])
    return qs


def referrals_received_by(user) -> QuerySet[Referral]:
    """Sheets sent to the user's agencies (never drafts)."""
    return (
        Referral.objects.filter(to_agency_id__in=staff_agency_ids(user))
        .exclude(status=S.DRAFT)
        .for_list()
    )


def referrals_sent_by(user) -> QuerySet[Referral]:
    """Sheets written at the user's agencies, drafts included."""
    return referrals_sent_from(staff_agency_ids(user))


def referrals_sent_from(agency_ids) -> QuerySet[Referral]:
    return Referral.objects.filter(from_agency_id__in=agency_ids).for_list()


INBOX_FILTERS = ("new", "overdue", "mine", "info_requested", "open", "all")


def inbox_filter(qs: QuerySet[Referral], key: str, user) -> QuerySet[Referral]:
    today = timezone.localdate()
    if key == "new":
        return qs.filter(status=S.SENT)
    if key == "overdue":
        return qs.filter(status__in=Referral.AWAITING_RECEIVER, answer_due_on__lt=today)
    if key == "mine":
        return qs.filter(assignee=user).exclude(status__in=Referral.CLOSED)
    if key == "info_requested":
        return qs.filter(status=S.INFO_REQUESTED)
    if key == "open":
        return qs.filter(status__in=Referral.IN_FLIGHT)
    return qs


def inbox_counts(user) -> dict[str, int]:
    """Counts for the inbox tabs and the dashboard, in one query."""
    today = timezone.localdate()
    return (
        referrals_received_by(user)
        .order_by()
        .aggregate(
            new=Count("pk", filter=Q(status=S.SENT)),
            overdue=Count(
                "pk", filter=Q(status__in=Referral.AWAITING_RECEIVER, answer_due_on__lt=today)
            ),
            mine=Count("pk", filter=Q(assignee=user) & ~Q(status__in=Referral.CLOSED)),
            info_requested=Count("pk", filter=Q(status=S.INFO_REQUESTED)),
            open=Count("pk", filter=Q(status__in=Referral.IN_FLIGHT)),
            all=Count("pk"),
        )
    )


def sent_awaiting_answer(user) -> QuerySet[Referral]:
    """The user's own sheets that wait for the receiver, or for the user's answer."""
    return awaiting_answer_of(user.pk, staff_agency_ids(user))


def awaiting_answer_of(user_id: int, agency_ids) -> QuerySet[Referral]:
    """`sent_awaiting_answer` from keys: the user's and the user's agencies'."""
    return referrals_sent_from(agency_ids).filter(
        from_worker_id=user_id, status__in=Referral.IN_FLIGHT
    )


def referral_timeline(referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("actor", "agency").order_by("at", "pk")


def concern_slips_of(user) -> QuerySet[ConcernSlip]:
    return ConcernSlip.objects.filter(submitted_by=user).select_related("to_agency")


def concern_slips_received_by(user) -> QuerySet[ConcernSlip]:
    return concern_slips_received_at(staff_agency_ids(user))


def concern_slips_received_at(agency_ids) -> QuerySet[ConcernSlip]:
    return ConcernSlip.objects.filter(to_agency_id__in=agency_ids).select_related(
        "to_agency", "area", "submitted_by"
    )
