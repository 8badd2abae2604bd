from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "機関・職員"

    def ready(self) -> None:
        from . import policy, signals  # noqa: F401 - registers rules and auth audit receivers
