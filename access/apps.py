from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "情報共有の根拠・アクセス権"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import emergency, panels, policy, signals  # noqa: F401 - rules, panel, grant sync
