from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "アウトリーチ等を通じた継続的支援"

    def ready(self) -> None:
        from . import policy  # noqa: F401 - registers the access rules
