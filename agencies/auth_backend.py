"""Django's ModelBackend, with the user of every request read in one statement with the unread
notification count the page header prints (notifications.selectors.with_unread_count): one round
trip fewer on every page. Passwords, permissions and `is_active` are Django's.

Sessions record the backend that logged the user in; those made before this backend was
installed (`django.contrib.auth.backends.ModelBackend`) are not accepted, so users log in once
more after the upgrade.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class SessionUserBackend(ModelBackend):
    def get_user(self, user_id):
        from notifications.selectors import with_unread_count

        model = get_user_model()
        try:
            user = with_unread_count(model._default_manager.filter(pk=user_id)).get()
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
