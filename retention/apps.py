from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "保存期間と匿名化"

    def ready(self) -> None:
        from . import policy  # noqa: F401 - registers the policy rules
