from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "支援会議・重層的支援会議"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import panels, policy  # noqa: F401 - registers rules and dashboard panels
        from .access import register_person_access
        from .timeline import register_timeline

        register_person_access()
        register_timeline()
