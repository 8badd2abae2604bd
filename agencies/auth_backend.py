"""Django's ModelBackend, with the user of every request read in one statement with what every
page asks of it — today's memberships with their agencies (as JSON, agencies.jsonrows) and the
unread notification count the header prints (notifications.selectors.with_unread_count) — and
that statement compiled once (agencies.compiled: building it cost ~1 ms of CPU a request).
Passwords, permissions and `is_active` are Django's.

Sessions record the backend that logged the user in; those made before this backend was
installed (`django.contrib.auth.backends.ModelBackend`) are not accepted, so users log in once
more after the upgrade.
"""

import functools
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef
from django.utils import timezone

from .compiled import CompiledOnce
from .jsonrows import JSONRows, instances

MEMBERSHIP_ROWS = "_current_membership_rows"


@functools.cache
def _membership_fields() -> tuple[str, ...]:
    # Every column of the membership and of its agency: the instances are whole.
    from .models import Agency, Membership

    own = tuple(f.attname for f in Membership._meta.concrete_fields)
    return own + tuple(f"agency__{f.attname}" for f in Agency._meta.concrete_fields)


def _user_read(pk, on):
    from notifications.selectors import with_unread_count

    from .models import Membership

    memberships = Membership.objects.current(on).filter(user=OuterRef("pk")).order_by()
    return with_unread_count(get_user_model()._default_manager.filter(pk=pk)).annotate(
        **{MEMBERSHIP_ROWS: JSONRows(memberships, _membership_fields())}
    )


_USER = CompiledOnce(_user_read, -7_654_321, date(1900, 1, 2))


class SessionUserBackend(ModelBackend):
    def get_user(self, user_id):
        from .models import Membership

        found = _USER.instances(user_id, timezone.localdate())
        if not found:
            return None
        user = found[0]
        rows = instances(Membership, _membership_fields(), user.__dict__.pop(MEMBERSHIP_ROWS))
        for m in rows:
            Membership.user.field.set_cached_value(m, user)
        user.keep_current_memberships(rows)
        return user if self.user_can_authenticate(user) else None
