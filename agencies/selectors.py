from django.db.models import Prefetch, QuerySet

from .models import Agency, Membership, User
from .policy import is_admin, is_professional


def agencies_visible_to(user) -> QuerySet[Agency]:
    if not is_professional(user):
        return Agency.objects.none()
    return Agency.objects.select_related("area")


def staff_visible_to(user) -> QuerySet[User]:
    """Staff directory: every professional sees names and current agencies; admins see all."""
    if not is_professional(user):
        return User.objects.none()
    qs = User.objects.all() if is_admin(user) else User.objects.filter(is_active=True)
    return qs.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.current().select_related("agency"),
                 to_attr="current_membership_list")
    )
