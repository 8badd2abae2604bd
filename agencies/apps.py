from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "機関・職員"

    def ready(self) -> None:
        from . import api_contract, policy, signals  # noqa: F401 - rules and auth audit receivers

        api_contract.harden_fields()

        from .combobox import install_empty_label

        install_empty_label()
