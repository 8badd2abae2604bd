from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("実績報告")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import figures, panels, policy  # noqa: F401 - registers figures, panels, rules
