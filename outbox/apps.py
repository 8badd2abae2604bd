from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "送信待ちタスク"

    def ready(self) -> None:
        from celery.signals import worker_ready

        from .signals import drain_on_worker_start

        worker_ready.connect(drain_on_worker_start, dispatch_uid="outbox.drain_on_worker_start")
