"""Django's ModelBackend, with the user of every request read in one statement with the unread
notification count the page header prints (notifications.selectors.with_unread_count), and that
statement compiled once (agencies.compiled: building it cost ~1 ms of CPU a request). Passwords,
permissions and `is_active` are Django's.

Sessions record the backend that logged the user in; those made before this backend was
installed (`django.contrib.auth.backends.ModelBackend`) are not accepted, so users log in once
more after the upgrade.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .compiled import CompiledOnce


def _user_with_unread_count(pk):
    from notifications.selectors import with_unread_count

    return with_unread_count(get_user_model()._default_manager.filter(pk=pk))


_USER = CompiledOnce(_user_with_unread_count, -7_654_321)


class SessionUserBackend(ModelBackend):
    def get_user(self, user_id):
        found = _USER.instances(user_id)
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None
