from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "機関・職員"

    def ready(self) -> None:
        from . import api_contract, dbconn, lookups, policy, signals  # noqa: F401 - rules, lookups, receivers

        api_contract.harden_fields()

        from .combobox import install_empty_label

        install_empty_label()

        from .display import install_fast_choice_display

        install_fast_choice_display()

        from .select_render import install_choices_in_one_read, install_fast_select

        install_fast_select()
        install_choices_in_one_read()
