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
        _forget_decisions_on_writes()


# What a person decision is made of: a write to any of these empties the request's cache of
# decisions (agencies.policy.cached_decision).
_ACCESS_MODELS = (
    "cases.Consent",
    "cases.Person",
    "cases.HouseholdMember",
    "cases.SupportCase",
    "cases.CaseTeamMember",
    "access.AccessGrant",
    "agencies.Membership",
    "meetings.BodyMember",
    "meetings.ConfidentialityPledge",
)


def _forget_decisions_on_writes() -> None:
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from agencies.policy import forget_cached_decisions

    for label in _ACCESS_MODELS:
        model = apps.get_model(label)
        post_save.connect(forget_cached_decisions, sender=model, weak=False)
        post_delete.connect(forget_cached_decisions, sender=model, weak=False)
        for m2m in model._meta.many_to_many:
            m2m_changed.connect(
                forget_cached_decisions, sender=m2m.remote_field.through, weak=False
            )
