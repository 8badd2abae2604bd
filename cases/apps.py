from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "包括的相談支援・多機関協働"

    def ready(self) -> None:
        # Each policy module registers its rules with agencies.policy.
        import importlib
        import pkgutil

        from . import policy

        for info in pkgutil.iter_modules(policy.__path__):
            importlib.import_module(f"{policy.__name__}.{info.name}")
