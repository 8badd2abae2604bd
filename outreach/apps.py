from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "アウトリーチ等を通じた継続的支援"

    def ready(self) -> None:
        from . import panels, policy  # noqa: F401 - registers rules and dashboard panels
