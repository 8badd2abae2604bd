"""Reads for agencies, areas, staff and memberships, starting from what the actor may see.

Every list selector returns a queryset with its joins and prefetches in place, so a page costs a
fixed number of queries whatever its length.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .models import Agency, Area, Membership, User
from .policy import is_admin, is_professional


def agencies_visible_to(user) -> QuerySet[Agency]:
    """The agency directory: every professional sees every agency (needed to address referrals)."""
    if not is_professional(user):
        return Agency.objects.none()
    return Agency.objects.select_related("area")


def areas_visible_to(user) -> QuerySet[Area]:
    if not is_professional(user):
        return Area.objects.none()
    return Area.objects.select_related("parent")


@dataclass(frozen=True)
class AreaNode:
    area: Area
    depth: int
    agency_count: int


def area_tree(user) -> list[AreaNode]:
    """Areas in tree order (parents before children) with their depth; two queries."""
    from django.db.models import Count

    areas = list(areas_visible_to(user).annotate(agency_count=Count("agencies")))
    children: dict[int | None, list[Area]] = {}
    for area in areas:
        children.setdefault(area.parent_id, []).append(area)
    known = {a.pk for a in areas}
    roots = [a for a in areas if a.parent_id is None or a.parent_id not in known]
    result: list[AreaNode] = []

    def walk(area: Area, depth: int) -> None:
        result.append(AreaNode(area, depth, area.agency_count))
        for child in children.get(area.pk, []):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return result


def _current_memberships_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.current().select_related("agency"),
        to_attr="current_membership_list",
    )


def staff_visible_to(user) -> QuerySet[User]:
    """Staff directory: every professional sees active staff with their current agencies; admins
    see everyone, inactive accounts included."""
    if not is_professional(user):
        return User.objects.none()
    qs = User.objects.all() if is_admin(user) else User.objects.filter(is_active=True)
    return qs.prefetch_related(_current_memberships_prefetch()).order_by("kana", "username")


def prime_membership_cache(users: Iterable[User]) -> None:
    """Seed `User.current_memberships()` from the prefetch so per-row policy checks
    (`staff.view` asks for the row's agencies) cost no query."""
    for u in users:
        prefetched = getattr(u, "current_membership_list", None)
        if prefetched is not None:
            u.keep_current_memberships(prefetched)


def staff_memberships(staff: User) -> QuerySet[Membership]:
    """All memberships of a staff member, newest first: the April-transfer history."""
    return (
        Membership.objects.filter(user=staff)
        .select_related("agency")
        .order_by("-start_date", "agency__kana")
    )


def agency_current_memberships(agency: Agency) -> QuerySet[Membership]:
    return (
        Membership.objects.current()
        .filter(agency=agency, user__is_active=True)
        .select_related("user")
        .order_by("user__kana", "role")
    )


def agency_past_memberships(agency: Agency) -> QuerySet[Membership]:
    current = Membership.objects.current().values("pk")
    return (
        Membership.objects.filter(agency=agency)
        .exclude(pk__in=current)
        .select_related("user")
        .order_by("-start_date", "user__kana")
    )


def memberships_visible_to(user) -> QuerySet[Membership]:
    """Admins see every membership, past and future; other professionals see current ones (the
    directory) plus their own history."""
    if not is_professional(user):
        return Membership.objects.none()
    qs = Membership.objects.select_related("user", "agency")
    if is_admin(user):
        return qs
    current_ids = Membership.objects.current().filter(user__is_active=True).values("pk")
    return qs.filter(pk__in=current_ids) | qs.filter(user=user)


def staff_without_current_membership() -> QuerySet[User]:
    current = Exists(Membership.objects.current().filter(user=OuterRef("pk")))
    return User.objects.filter(is_active=True).filter(~current)


def care_staff_of(agency_id: int, on=None) -> QuerySet[User]:
    """Active staff holding a care role at the agency on a date (today): whom work of that
    agency can be given to — never a resident or an admin-only account."""
    from .choices import CARE_ROLES

    return (
        User.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.current(on).filter(
                agency_id=agency_id, role__in=CARE_ROLES
            ),
        )
        .distinct()
        .order_by("kana", "username")
    )


def staff_pick(*, actor, agency_id, q: str = "") -> list[User]:
    """The 担当者 picker for professionals: `care_staff_matching` (nothing for anyone else)."""
    if not is_professional(actor):
        return []
    return care_staff_matching(agency_id=agency_id, q=q)


def care_staff_matching(*, agency_id, q: str = "") -> list[User]:
    """Care-role staff of one agency (never residents or admin-only accounts) whose name or
    ふりがな contains `q`, kana-insensitively (ひらがな, カタカナ and 半角カナ meet). An agency has
    tens of staff, so the match runs in Python."""
    from cases.normalize import normalize_kana, normalize_name

    try:
        agency_id = int(agency_id)
    except (TypeError, ValueError):
        return []
    staff = list(care_staff_of(agency_id).prefetch_related(_current_memberships_prefetch()))
    text = (q or "").strip()
    if not text:
        return staff
    name, kana = normalize_name(text), normalize_kana(text)
    return [
        u
        for u in staff
        if name in normalize_name(u.display_name or u.username)
        or (kana and kana in normalize_kana(u.kana))
    ]


def staff_role_at(user: User, agency_id: int) -> str:
    """The role label a staff member holds at an agency (from the prefetched memberships)."""
    for m in getattr(user, "current_membership_list", None) or user.current_memberships():
        if m.agency_id == agency_id:
            return str(m.get_role_display())
    return ""


# --- the agency picker (agencies/combobox.py) -----------------------------------------------------

# What a form's agency field may be set to. "active": any active agency (a case team, a meeting
# member, the lead agency). "receiver": an agency a つなぐシート can be sent to — active, with at
# least one care-role staff member today who can answer it (the rule referral_send checks,
# cases/services/intake.py _validate_referral).
AGENCY_PURPOSES = ("active", "receiver")


def agencies_for(purpose: str = "active") -> QuerySet[Agency]:
    """The agencies a field of `purpose` may be set to (a submitted id is checked against this)."""
    from .choices import CARE_ROLES

    agencies = Agency.objects.active().select_related("area")
    if purpose == "receiver":
        answerers = Membership.objects.current().filter(
            agency=OuterRef("pk"), role__in=CARE_ROLES, user__is_active=True
        )
        agencies = agencies.filter(Exists(answerers))
    return agencies.order_by("kana", "pk")


def agency_label(agency: Agency) -> str:
    return agency.name


def agency_detail(agency: Agency) -> str:
    parts = [agency.kana, agency.get_kind_display()]
    if agency.area_id:
        parts.append(agency.area.name)
    return "・".join(p for p in parts if p)


def agency_pick(*, actor, q: str = "", purpose: str = "active") -> list[Agency]:
    """The agency picker for professionals: `agency_matching` (nothing for anyone else)."""
    if not is_professional(actor):
        return []
    return agency_matching(q=q, purpose=purpose)


def agency_matching(*, q: str = "", purpose: str = "active") -> list[Agency]:
    """Agencies for `purpose` (`agencies_for`) where every space-separated term is found in the
    name, 略称, ふりがな (ひらがな・カタカナ・半角カナ alike), 機関種別 or area name. A city has
    hundreds of agencies, not thousands: one query, matched in Python with the same kana folding
    as the person search."""
    from cases.normalize import normalize_kana, normalize_name

    if purpose not in AGENCY_PURPOSES:
        return []
    agencies = list(agencies_for(purpose))
    terms = [(normalize_name(t), normalize_kana(t)) for t in (q or "").split()]
    if not terms:
        return agencies

    def haystack(a: Agency) -> tuple[str, str]:
        words = " ".join(
            [a.name, a.short_name, a.get_kind_display(), a.area.name if a.area_id else ""]
        )
        return normalize_name(words), normalize_kana(a.kana)

    found = []
    for a in agencies:
        names, kana = haystack(a)
        if all(name in names or (k and k in kana) for name, k in terms):
            found.append(a)
    return found
