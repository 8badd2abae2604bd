from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "情報共有の根拠・アクセス権"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - keeps derived grants in step with team and consent
