from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "通知・リマインダー"

    def ready(self) -> None:
        from . import panels, policy, rules, signals  # noqa: F401 - registration side effects

        signals.connect()
