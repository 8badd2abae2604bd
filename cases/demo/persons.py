def seed(ctx: dict) -> None:
    """Demo data for this area (filled in by its feature work)."""
