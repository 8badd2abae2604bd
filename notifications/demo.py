"""Demo data: run the sweep once for today, after the other demo modules, so that the inbox,
the dashboard panels and the supervisors' overdue view show what the demo city's data implies.
No e-mail is queued for demo data."""

from .services import sweep


def seed(ctx: dict) -> None:
    result = sweep(queue_mail=False)
    ctx["notifications"] = {code: run.notifications for code, run in result.rules.items()}
