from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "地域づくり"

    def ready(self) -> None:
        from . import policy  # noqa: F401 - registers rules
