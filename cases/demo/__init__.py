"""Demo data of the cases app, in flow order: persons and households, intake, support cases."""

from . import intake, persons, support


def seed(ctx: dict) -> None:
    persons.seed(ctx)
    intake.seed(ctx)
    support.seed(ctx)
