from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "包括的相談支援・多機関協働"
